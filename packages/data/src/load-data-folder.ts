import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';
import { checkFiniteFloat32 } from './checks';
import { delimiterOf } from './csv-records';
import { createIdMap, createIdMapBuilder, type IdMapBuilder } from './id-map';
import { concatInteractions } from './interactions';
import type { ReadProgress } from './line-blocks';
import { readNpy } from './npy';
import { readFirstLine, splitHeader } from './read-first-line';
import {
  type Delimiter,
  type InteractionColumns,
  readInteractionsCsv,
  type TimestampUnit,
} from './read-interactions-csv';
import { RECBOLE_TYPE, readItemsCsv } from './read-items-csv';
import { type MissingVectorPolicy, type ReadItemsJsonlResult, readItemsJsonl } from './read-items-jsonl';
import type { ReadReport } from './read-report';
import { readUserFeaturesCsv } from './read-user-features-csv';
import { readUserFeaturesJsonl } from './read-user-features-jsonl';
import type { Dataset, Interactions, ItemContent, VectorTable } from './types';
import type { ReadUserFeaturesResult } from './user-record-sink';

/** Files of a data folder, relative to it. Give `interactions`, or `train` with `valid`/`test`. */
export interface DataFolderFiles {
  /** One file of all interactions (split by the split settings). */
  interactions?: string;
  /** Pre-split training interactions (the folder's own split is kept exactly). */
  train?: string;
  /** Pre-split validation interactions. */
  valid?: string;
  /** Pre-split test interactions. */
  test?: string;
  /** Item content: `.jsonl`, `.csv`/`.tsv` or `.parquet`. */
  items?: string;
  /** User profile features: `.csv`/`.tsv`, `.jsonl` or `.parquet`. */
  users?: string;
}

/** Which columns of the interaction files hold what (header names). Unset: detected from the header. */
export interface DataFolderColumns {
  user?: string;
  item?: string;
  timestamp?: string;
  /** Click flag (> 0 = click); `label` is the same thing under another name. */
  click?: string;
  label?: string;
  /** Whole count per row; training repeats the row that often. */
  weight?: string;
}

/** How the item file's fields are used. Unset fields: arrays of numbers are vectors, arrays of strings tags. */
export interface DataFolderItems {
  /** Id field. Default: `id`, `item_id` or `item` (the first present). */
  id?: string;
  /** Tags field (values used as they are). Default: `tags`. */
  tags?: string;
  /** Categorical fields (values become `field:value` tags). */
  categorical?: string[];
  /** Vector fields. */
  vectors?: string[];
  /** Fields read and not used. */
  ignore?: string[];
  /** A vector missing in some records: `error` (default) or `zeros`. */
  missingVectors?: MissingVectorPolicy;
}

/** A named vector table in a `.npy` file (rows x dim). */
export interface DataFolderNpyVectors {
  /** The `.npy` file, relative to the folder. */
  file: string;
  /**
   * Row order: a text file of item ids (one per line), `index` (row i is the item with id "i"), or
   * unset: row i is the i-th record of the items file.
   */
  ids?: string;
}

/** User profile settings. */
export interface DataFolderUsers {
  /** Id column. Default: `user_id`. */
  id?: string;
  /** Feature columns. Default: every other column not in `ignore`. */
  features?: string[];
  /** Columns read and not used. */
  ignore?: string[];
}

/** Options of {@link loadDataFolder}. */
export interface LoadDataFolderOptions {
  /** The folder. */
  dir: string;
  /** Files; unset entries are detected by name (`interactions|train|valid|test` + `.csv/.tsv/.inter/.parquet`, `items.*`, `users.*`, `*.npy`). */
  files?: DataFolderFiles;
  /** Column mapping of the interaction files. */
  columns?: DataFolderColumns;
  /** Delimiter of the CSV files. Default: from each file's extension. */
  delimiter?: Delimiter;
  /** Timestamp unit. Default: `auto` (milliseconds detected with a warning). */
  timestampUnit?: TimestampUnit;
  /** Item file settings. */
  items?: DataFolderItems;
  /** Named vectors from `.npy` files; unset: every `*.npy` of the folder (name = file name without `_feat`). */
  vectors?: Record<string, DataFolderNpyVectors>;
  /** User profile settings. */
  users?: DataFolderUsers;
  /** Skip invalid rows and records, counting them in the reports. Default: false. */
  skipInvalid?: boolean;
  /** Longest line accepted, in characters. Default: 64 Mi. */
  maxLineLength?: number;
  /** Reads a Parquet file (given by `@mmrecall/data`'s Parquet reader; needed only for `.parquet` files). */
  parquet?: ParquetReaders;
  /** Called while each file is read. */
  onProgress?: (progress: ReadProgress & { file: string }) => void;
}

/** Parquet readers plugged into {@link loadDataFolder} (see `readInteractionsParquet`, `readItemsParquet`). */
export interface ParquetReaders {
  interactions: (options: {
    path: string;
    columns: InteractionColumns;
    users: IdMapBuilder;
    items: IdMapBuilder;
    timestampUnit: TimestampUnit;
    skipInvalid: boolean;
    onProgress?: (progress: ReadProgress) => void;
  }) => Promise<{ interactions: Interactions; report: ReadReport; warnings: string[]; columns: string[] }>;
  items: (options: {
    path: string;
    idField: string;
    tagsField: string;
    categoricalFields: string[];
    vectorFields: string[];
    ignoreFields: string[];
    missingVectors: MissingVectorPolicy;
    items: IdMapBuilder;
    tags: IdMapBuilder;
    skipInvalid: boolean;
  }) => Promise<ReadItemsJsonlResult>;
  /** Reads a Parquet user table (optional: without it a `users.parquet` is refused with an error). */
  users?: (options: {
    path: string;
    idColumn?: string;
    features?: string[];
    ignore?: string[];
    users: IdMapBuilder;
    skipInvalid: boolean;
    onProgress?: (progress: ReadProgress) => void;
  }) => Promise<ReadUserFeaturesResult>;
  /** Column names and types (`number[]`, `string[]`, `string`, `number`), for detection. */
  describe: (path: string) => Promise<{ name: string; type: string }[]>;
}

/** What one file contributed. */
export interface DataFolderFileReport {
  /** Role: interactions, train, valid, test, items, users, or `vectors:<name>`. */
  role: string;
  path: string;
  /** Rows or records accepted. */
  rows: number;
  /** Columns or fields used, and read but ignored. */
  used: string[];
  ignored: string[];
  report: ReadReport;
}

/** Result of {@link loadDataFolder}. */
export interface LoadDataFolderResult {
  dataset: Dataset;
  /** The folder's own split, when it has train/valid/test files. */
  given?: { train: Interactions; valid: Interactions; test: Interactions };
  /** Per file: rows, columns used and ignored, skipped rows. */
  files: DataFolderFileReport[];
  /** Files of the folder that no setting reads (listed so nothing is dropped unnoticed). */
  unusedFiles: string[];
  /** Vectors: name, dimension, source file, items without a vector (filled with zeros). */
  vectors: { name: string; dim: number; source: string; missing: number }[];
  /** Items seen in interactions without a record in the items file. */
  itemsWithoutContent: number;
  /** Decisions the loader took on its own (print them). */
  warnings: string[];
}

const INTERACTION_EXTENSIONS = ['.csv', '.tsv', '.inter', '.parquet'];
const CANDIDATES: Record<keyof Omit<DataFolderColumns, 'label'>, string[]> = {
  user: ['user_id', 'userid', 'user', 'uid', 'customer_id', 'visitor_id'],
  item: ['item_id', 'itemid', 'item', 'iid', 'movie_id', 'product_id', 'video_id'],
  timestamp: ['timestamp', 'ts', 'time', 'event_time'],
  click: ['click', 'clicked', 'label', 'is_click'],
  weight: ['weight'],
};

/** A header name without RecBole's `:type` suffix, lower case. */
function bareName(name: string): string {
  return name.replace(/:(token|token_seq|float|float_seq)$/i, '').toLowerCase();
}

function findFile(entries: string[], stems: string[], extensions: string[]): string | undefined {
  for (const stem of stems)
    for (const extension of extensions) {
      const name = `${stem}${extension}`;
      if (entries.includes(name)) return name;
    }
  return undefined;
}

/** Resolves the interaction columns of one file's header. */
function resolveColumns(
  path: string,
  header: string[],
  columns: DataFolderColumns,
): { columns: InteractionColumns; used: string[]; ignored: string[] } {
  const resolved: Record<string, string> = {};
  const given: [keyof typeof CANDIDATES, string | undefined][] = [
    ['user', columns.user],
    ['item', columns.item],
    ['timestamp', columns.timestamp],
    ['click', columns.click ?? columns.label],
    ['weight', columns.weight],
  ];
  if (columns.click !== undefined && columns.label !== undefined) {
    throw new InvalidArgumentError({
      argument: 'columns.label',
      message: 'set columns.click or columns.label, not both',
    });
  }
  for (const [role, name] of given) {
    if (name !== undefined) {
      const match = header.find((column) => column === name || bareName(column) === name.toLowerCase());
      if (match === undefined) {
        throw new InvalidDatasetError({
          file: path,
          line: 1,
          field: name,
          kind: 'missing-column',
          message: `the ${role} column is not in the header (${header.join(', ')})`,
        });
      }
      resolved[role] = match;
    } else {
      const match = header.find((column) => (CANDIDATES[role] as string[]).includes(bareName(column)));
      if (match !== undefined) resolved[role] = match;
    }
  }
  for (const role of ['user', 'item'] as const) {
    if (resolved[role] === undefined) {
      throw new InvalidDatasetError({
        file: path,
        line: 1,
        kind: 'missing-column',
        message: `no ${role} column: the header (${header.join(', ')}) has none of ${CANDIDATES[role].join(', ')}; set columns.${role}`,
      });
    }
  }
  const used = Object.values(resolved);
  return {
    columns: resolved as unknown as InteractionColumns,
    used,
    ignored: header.filter((column) => !used.includes(column)),
  };
}

/**
 * Loads a data folder as RecBole- and Merlin-style tools lay them out: one interactions file or
 * train/valid/test files (CSV, TSV, RecBole `.inter`, Parquet), an optional item file (JSON Lines,
 * CSV/TSV or Parquet), named vectors from `.npy` files, and an optional user table. Every field of the
 * item file is used or refused (`unknown-field`), and `files` names what each file contributed; columns
 * of the interaction files that are not mapped are listed as ignored.
 */
export async function loadDataFolder(options: LoadDataFolderOptions): Promise<LoadDataFolderResult> {
  const { dir } = options;
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch (cause) {
    throw new InvalidDatasetError({
      file: dir,
      kind: 'unreadable',
      message: `cannot list the folder (${(cause as Error).message})`,
      cause,
    });
  }
  const given = options.files ?? {};
  const split = given.train !== undefined || given.valid !== undefined || given.test !== undefined;
  const files: DataFolderFiles = { ...given };
  if (given.interactions === undefined && !split) {
    const single = findFile(entries, ['interactions', 'ratings', basename(dir)], INTERACTION_EXTENSIONS);
    const train = findFile(entries, ['train'], INTERACTION_EXTENSIONS);
    if (single !== undefined && train !== undefined) {
      throw new InvalidArgumentError({
        argument: 'files',
        message: `${dir} has both ${single} and ${train}; set files.interactions or files.train/valid/test`,
      });
    }
    if (single !== undefined) files.interactions = single;
    else if (train !== undefined) {
      files.train = train;
      const valid = findFile(entries, ['valid', 'validation', 'val'], INTERACTION_EXTENSIONS);
      const test = findFile(entries, ['test'], INTERACTION_EXTENSIONS);
      if (valid !== undefined) files.valid = valid;
      if (test !== undefined) files.test = test;
    } else {
      throw new InvalidArgumentError({
        argument: 'files',
        message: `${dir} has no interactions.{csv,tsv,inter,parquet} and no train.* file; set files.interactions or files.train`,
      });
    }
  }
  if (
    files.interactions !== undefined &&
    (files.train !== undefined || files.valid !== undefined || files.test !== undefined)
  ) {
    throw new InvalidArgumentError({
      argument: 'files',
      message: 'set files.interactions or files.train/valid/test, not both',
    });
  }
  const presplit = files.interactions === undefined;
  if (presplit && (files.train === undefined || files.test === undefined)) {
    throw new InvalidArgumentError({
      argument: 'files.train',
      message: `a pre-split folder needs train and test files (valid is optional), got ${JSON.stringify(files)}`,
    });
  }
  if (!('items' in given)) {
    const items = findFile(
      entries,
      ['items', 'item', basename(dir)],
      ['.jsonl', '.csv', '.tsv', '.item', '.parquet'],
    );
    if (items !== undefined) files.items = items;
  }
  if (!('users' in given)) {
    // `<folder>.user` is RecBole's name; `<folder>.csv` and the like would be the interactions.
    const users =
      findFile(entries, ['users', 'user'], ['.csv', '.tsv', '.user', '.jsonl', '.parquet']) ??
      findFile(entries, [basename(dir)], ['.user']);
    if (users !== undefined) files.users = users;
  }
  let npy = options.vectors;
  if (npy === undefined) {
    npy = {};
    for (const entry of entries.filter((name) => extname(name).toLowerCase() === '.npy')) {
      const stem = entry.slice(0, -4);
      const name = stem.replace(/_(feat|features|vectors?)$/, '');
      const idsFile = findFile(entries, [`${stem}_ids`, `${stem}.ids`, `${name}_ids`], ['.txt']);
      npy[name] = { file: entry, ...(idsFile ? { ids: idsFile } : {}) };
    }
  }

  const users = createIdMapBuilder();
  const items = createIdMapBuilder();
  const tags = createIdMapBuilder();
  const reports: DataFolderFileReport[] = [];
  const warnings: string[] = [];
  const skipInvalid = options.skipInvalid ?? false;
  const timestampUnit = options.timestampUnit ?? 'auto';
  const progress = (file: string) =>
    options.onProgress ? { onProgress: (p: ReadProgress) => options.onProgress?.({ ...p, file }) } : {};

  // Items first, so item indices follow the item file (and .npy rows in items-table order line up).
  const content: ItemContent = { vectors: {} };
  let itemRecords: ReadItemsJsonlResult | undefined;
  if (files.items !== undefined) {
    const path = join(dir, files.items);
    itemRecords = await readItemFile(path, options, items, tags, skipInvalid, progress(path));
    reports.push({
      role: 'items',
      path,
      rows: itemRecords.report.rows,
      used: itemRecords.fields.used,
      ignored: itemRecords.fields.ignored,
      report: itemRecords.report,
    });
  }
  const itemRecordCount = items.size;

  const readPart = async (role: string, name: string): Promise<Interactions> => {
    const path = join(dir, name);
    if (extname(path).toLowerCase() === '.parquet') {
      const reader = requireParquet(options, path);
      const header = (await reader.describe(path)).map((column) => column.name);
      const { columns, ignored } = resolveColumns(path, header, options.columns ?? {});
      const read = await reader.interactions({
        path,
        columns,
        users,
        items,
        timestampUnit,
        skipInvalid,
        ...progress(path),
      });
      warnings.push(...read.warnings);
      reports.push({ role, path, rows: read.report.rows, used: read.columns, ignored, report: read.report });
      return read.interactions;
    }
    const delimiter = delimiterOf(path, options.delimiter);
    const first = await readFirstLine(path, options.maxLineLength);
    if (first === undefined) {
      throw new InvalidDatasetError({
        file: path,
        line: 1,
        kind: 'no-rows',
        message: 'the file is empty (no header line)',
      });
    }
    const header = splitHeader(first, delimiter);
    const { columns, used, ignored } = resolveColumns(path, header, options.columns ?? {});
    const read = await readInteractionsCsv({
      path,
      columns,
      delimiter,
      users,
      items,
      skipInvalid,
      timestampUnit,
      ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
      ...progress(path),
    });
    warnings.push(...read.warnings);
    if (ignored.length > 0) {
      warnings.push(
        `${path}: column${ignored.length > 1 ? 's' : ''} ${ignored.map((name) => `"${name}"`).join(', ')} not used (map them in the column settings: user, item, timestamp, click/label, weight)`,
      );
    }
    reports.push({ role, path, rows: read.report.rows, used, ignored, report: read.report });
    return read.interactions;
  };

  let interactions: Interactions;
  let givenSplit: LoadDataFolderResult['given'];
  if (!presplit) {
    interactions = await readPart('interactions', files.interactions as string);
  } else {
    const train = await readPart('train', files.train as string);
    const valid =
      files.valid !== undefined
        ? await readPart('valid', files.valid)
        : { users: new Int32Array(0), items: new Int32Array(0) };
    const test = await readPart('test', files.test as string);
    const parts = [train, valid, test];
    const columnsOf = (part: Interactions) =>
      (['timestamps', 'clicks', 'weights'] as const).filter((key) => part[key] !== undefined).join(',');
    const shapes = new Set(parts.filter((part) => part.users.length > 0).map(columnsOf));
    if (shapes.size > 1) {
      throw new InvalidArgumentError({
        argument: 'files',
        message: `train, valid and test have different columns (${[...shapes].map((shape) => `[${shape}]`).join(' vs ')}); give them the same columns`,
      });
    }
    givenSplit = { train, valid, test };
    interactions = concatInteractions(parts);
  }

  // .npy row ids join the item map: an item with a vector and no interaction is a cold item.
  const npyTables: { name: string; spec: DataFolderNpyVectors; rows: NpyRows }[] = [];
  for (const [name, spec] of Object.entries(npy)) {
    npyTables.push({
      name,
      spec,
      rows: await readNpyRows(dir, name, spec, items, itemRecords, itemRecordCount),
    });
  }
  const numItems = items.size;
  let userFeatures: Dataset['userFeatures'];
  if (files.users !== undefined) {
    const path = join(dir, files.users);
    const extension = extname(path).toLowerCase();
    const recordOptions = {
      path,
      users,
      ...(options.users?.id === undefined ? {} : { idColumn: options.users.id }),
      ...(options.users?.features === undefined ? {} : { features: options.users.features }),
      ...(options.users?.ignore === undefined ? {} : { ignore: options.users.ignore }),
      skipInvalid,
      ...progress(path),
    };
    const lineLimit = options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength };
    let read: ReadUserFeaturesResult;
    if (extension === '.parquet') {
      const reader = requireParquet(options, path).users;
      if (reader === undefined) {
        throw new InvalidArgumentError({
          argument: 'parquet.users',
          message: `${path} is a Parquet user table: these Parquet readers cannot read one (use createParquetReaders)`,
        });
      }
      read = await reader(recordOptions);
    } else if (extension === '.jsonl') {
      read = await readUserFeaturesJsonl({ ...recordOptions, ...lineLimit });
    } else {
      read = await readUserFeaturesCsv({
        ...recordOptions,
        ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
        ...lineLimit,
      });
    }
    userFeatures = read.features;
    reports.push({
      role: 'users',
      path,
      rows: read.report.rows,
      used: read.fields.used,
      ignored: read.fields.ignored,
      report: read.report,
    });
  }

  // Item content padded to every item; vectors missing for some items need a fill policy.
  const fill = options.items?.missingVectors ?? 'error';
  const vectorReport: LoadDataFolderResult['vectors'] = [];
  if (itemRecords !== undefined) {
    const offsets = new Int32Array(numItems + 1);
    offsets.set(itemRecords.tags.offsets);
    offsets.fill(
      itemRecords.tags.offsets[itemRecords.tags.offsets.length - 1] as number,
      itemRecords.tags.offsets.length,
    );
    content.tags = { ...itemRecords.tags, offsets };
    for (const [name, table] of Object.entries(itemRecords.vectors)) {
      const data = new Float32Array(numItems * table.dim);
      data.set(table.data);
      content.vectors[name] = { dim: table.dim, data };
      const missing = (itemRecords.missingVectors[name] ?? 0) + (numItems - itemRecordCount);
      vectorReport.push({ name, dim: table.dim, source: files.items as string, missing });
    }
    if (
      content.tags.values.length === 0 &&
      !itemRecords.fields.used.includes(options.items?.tags ?? 'tags')
    ) {
      delete content.tags;
    }
  }
  for (const { name, spec, rows } of npyTables) {
    if (content.vectors[name] !== undefined) {
      throw new InvalidArgumentError({
        argument: `vectors.${name}`,
        message: `the items file already has a vector field "${name}"`,
      });
    }
    const { table, missing } = placeNpyRows(rows, numItems);
    content.vectors[name] = table;
    vectorReport.push({ name, dim: table.dim, source: spec.file, missing });
    reports.push({
      role: `vectors:${name}`,
      path: join(dir, spec.file),
      rows: table.data.length / table.dim,
      used: [name],
      ignored: [],
      report: { rows: table.data.length / table.dim, skipped: 0, skippedByKind: {}, examples: [] },
    });
  }
  for (const vector of vectorReport) {
    if (vector.missing > 0 && fill === 'error') {
      throw new InvalidDatasetError({
        file: join(dir, vector.source),
        field: vector.name,
        kind: 'missing-vectors',
        message: `${vector.missing} of ${numItems} items have no "${vector.name}" vector (items only in the interactions, or records without it); set the fill policy to zeros to accept that`,
      });
    }
  }
  const itemsWithoutContent = itemRecords === undefined ? 0 : numItems - itemRecordCount;
  const used = new Set(Object.values(files).filter((name): name is string => name !== undefined));
  for (const spec of Object.values(npy)) {
    used.add(spec.file);
    if (spec.ids !== undefined && spec.ids !== 'index') used.add(spec.ids);
  }
  const dataset: Dataset = {
    name: `folder:${basename(dir)}`,
    users: createIdMap({ ids: users.ids }),
    items: createIdMap({ ids: items.ids }),
    interactions,
    content,
    ...(userFeatures ? { userFeatures: padRows(userFeatures, users.size) } : {}),
  };
  return {
    dataset,
    ...(givenSplit ? { given: givenSplit } : {}),
    files: reports,
    unusedFiles: entries.filter((name) => !used.has(name)),
    vectors: vectorReport,
    itemsWithoutContent,
    warnings,
  };
}

function padRows<T extends { offsets: Int32Array }>(rows: T, count: number): T {
  if (rows.offsets.length >= count + 1) return rows;
  const offsets = new Int32Array(count + 1);
  offsets.set(rows.offsets);
  offsets.fill(rows.offsets[rows.offsets.length - 1] as number, rows.offsets.length);
  return { ...rows, offsets };
}

function requireParquet(options: LoadDataFolderOptions, path: string): ParquetReaders {
  if (options.parquet === undefined) {
    throw new InvalidArgumentError({
      argument: 'parquet',
      message: `${path} is a Parquet file: pass the Parquet readers (createParquetReaders from @mmrecall/data/parquet)`,
    });
  }
  return options.parquet;
}

/** Reads the item file with fields detected from its first records when not configured. */
async function readItemFile(
  path: string,
  options: LoadDataFolderOptions,
  items: IdMapBuilder,
  tags: IdMapBuilder,
  skipInvalid: boolean,
  progress: { onProgress?: (progress: ReadProgress) => void },
): Promise<ReadItemsJsonlResult> {
  const settings = options.items ?? {};
  const extension = extname(path).toLowerCase();
  const described = await describeItemFields(path, extension, options);
  const idField =
    settings.id ??
    ['id', 'item_id', 'item', 'iid']
      .map((name) => described.find((field) => bareName(field.name) === name)?.name)
      .find(Boolean) ??
    'id';
  const tagsField =
    settings.tags ?? described.find((field) => bareName(field.name) === 'tags')?.name ?? 'tags';
  const named = new Set([
    idField,
    tagsField,
    ...(settings.categorical ?? []),
    ...(settings.vectors ?? []),
    ...(settings.ignore ?? []),
  ]);
  const vectorFields =
    settings.vectors ??
    described
      .filter((field) => !named.has(field.name) && field.type === 'number[]')
      .map((field) => field.name);
  const categoricalFields =
    settings.categorical ??
    described
      .filter((field) => !named.has(field.name) && field.type === 'string[]')
      .map((field) => field.name);
  const common = {
    path,
    idField,
    tagsField,
    categoricalFields,
    vectorFields,
    ignoreFields: settings.ignore ?? [],
    missingVectors: settings.missingVectors ?? 'error',
    items,
    tags,
    skipInvalid,
  };
  if (extension === '.parquet') return requireParquet(options, path).items(common);
  const lineOptions = {
    ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
    ...progress,
  };
  if (extension === '.jsonl' || extension === '.json' || extension === '.ndjson')
    return readItemsJsonl({ ...common, ...lineOptions });
  return readItemsCsv({
    ...common,
    ...lineOptions,
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
  });
}

/** Field names and value kinds of an item file, from its first records (JSONL), header (CSV) or schema (Parquet). */
async function describeItemFields(
  path: string,
  extension: string,
  options: LoadDataFolderOptions,
): Promise<{ name: string; type: string }[]> {
  if (extension === '.parquet') return requireParquet(options, path).describe(path);
  if (extension !== '.jsonl' && extension !== '.json' && extension !== '.ndjson') {
    const first = await readFirstLine(path, options.maxLineLength);
    const header = first === undefined ? [] : splitHeader(first, delimiterOf(path, options.delimiter));
    return header.map((name) => ({
      name: name.replace(RECBOLE_TYPE, ''),
      type: /:float_seq$/i.test(name) ? 'number[]' : /:token_seq$/i.test(name) ? 'string[]' : 'string',
    }));
  }
  // JSON Lines: the first non-blank line decides (a bad one is reported later by the reader, with its line).
  const first = await readFirstLine(path, options.maxLineLength);
  if (first === undefined) return [];
  let record: unknown;
  try {
    record = JSON.parse(first.replace(/^\uFEFF/, ''));
  } catch {
    return [];
  }
  if (typeof record !== 'object' || record === null) return [];
  return Object.entries(record as Record<string, unknown>).map(([name, value]) => ({
    name,
    type: Array.isArray(value)
      ? value.length > 0 && value.every((entry) => typeof entry === 'number')
        ? 'number[]'
        : value.length > 0 && value.every((entry) => typeof entry === 'string')
          ? 'string[]'
          : 'array'
      : typeof value,
  }));
}

interface NpyRows {
  dim: number;
  data: Float32Array;
  /** Item index of each row. */
  rowItems: Int32Array;
}

/** A `.npy` matrix and the item of each row (ids from the id file, `index`, or the items file order). */
async function readNpyRows(
  dir: string,
  name: string,
  spec: DataFolderNpyVectors,
  items: IdMapBuilder,
  itemRecords: ReadItemsJsonlResult | undefined,
  itemRecordCount: number,
): Promise<NpyRows> {
  const path = join(dir, spec.file);
  const array = await readNpy({ path });
  if (array.shape.length !== 2) {
    throw new InvalidDatasetError({
      file: path,
      field: name,
      kind: 'dimension',
      message: `expected a (rows, dim) matrix, got shape (${array.shape.join(', ')})`,
    });
  }
  const [rows, dim] = array.shape as [number, number];
  for (let k = 0; k < array.data.length; k++) {
    if (!checkFiniteFloat32(array.data[k] as number)) {
      throw new InvalidDatasetError({
        file: path,
        line: Math.floor(k / dim) + 1,
        field: name,
        kind: 'nan',
        message: `row ${Math.floor(k / dim)} entry ${k % dim} is ${array.data[k]}; vectors must be finite ("line" is the 1-based row)`,
      });
    }
  }
  let rowIds: string[];
  if (spec.ids === 'index') {
    rowIds = Array.from({ length: rows }, (_, r) => String(r));
  } else if (spec.ids !== undefined) {
    const idsPath = join(dir, spec.ids);
    let text: string;
    try {
      text = await readFile(idsPath, 'utf8');
    } catch (cause) {
      throw new InvalidDatasetError({
        file: idsPath,
        kind: 'unreadable',
        message: `cannot read the id file (${(cause as Error).message})`,
        cause,
      });
    }
    rowIds = text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .map((id) => id.trim());
    while (rowIds.length > 0 && rowIds[rowIds.length - 1] === '') rowIds.pop();
    if (rowIds.length !== rows) {
      throw new InvalidDatasetError({
        file: idsPath,
        kind: 'row-count',
        message: `has ${rowIds.length} ids, ${spec.file} has ${rows} rows`,
      });
    }
  } else {
    if (itemRecords === undefined) {
      throw new InvalidArgumentError({
        argument: `vectors.${name}.ids`,
        message: `${spec.file} needs a row order: an id file (one item id per line), "index", or an items file`,
      });
    }
    if (itemRecords.report.skipped > 0) {
      throw new InvalidArgumentError({
        argument: `vectors.${name}.ids`,
        message: `${spec.file} follows the items file's record order, but ${itemRecords.report.skipped} records were skipped; give an id file`,
      });
    }
    if (itemRecordCount !== rows) {
      throw new InvalidDatasetError({
        file: path,
        field: name,
        kind: 'row-count',
        message: `has ${rows} rows, the items file has ${itemRecordCount} records (row i is the i-th record)`,
      });
    }
    rowIds = items.ids.slice(0, rows) as string[];
  }
  const rowItems = new Int32Array(rows);
  const seen = new Set<number>();
  const idFile = spec.ids !== undefined && spec.ids !== 'index' ? join(dir, spec.ids) : path;
  for (let r = 0; r < rows; r++) {
    const id = rowIds[r] as string;
    if (id.length === 0 || id.includes('\0')) {
      throw new InvalidDatasetError({
        file: idFile,
        line: r + 1,
        kind: 'invalid-id',
        message: 'an empty id or one with a NUL byte',
      });
    }
    const item = items.add(id);
    if (seen.has(item)) {
      throw new InvalidDatasetError({
        file: idFile,
        line: r + 1,
        kind: 'duplicate-id',
        message: `item ${JSON.stringify(id)} has two rows`,
      });
    }
    seen.add(item);
    rowItems[r] = item;
  }
  return { dim, data: array.data, rowItems };
}

function placeNpyRows(
  { dim, data: rowsData, rowItems }: NpyRows,
  numItems: number,
): { table: VectorTable; missing: number } {
  const data = new Float32Array(numItems * dim);
  const covered = new Uint8Array(numItems);
  for (let r = 0; r < rowItems.length; r++) {
    const item = rowItems[r] as number;
    covered[item] = 1;
    data.set(rowsData.subarray(r * dim, (r + 1) * dim), item * dim);
  }
  let missing = 0;
  for (let i = 0; i < numItems; i++) missing += covered[i] === 1 ? 0 : 1;
  return { table: { dim, data }, missing };
}
