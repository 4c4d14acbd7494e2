import { InvalidArgumentError } from '@mmrecall/errors';
import { checkFiniteFloat32, checkId, type IdCheck } from './checks';
import { createIdMapBuilder, type IdMapBuilder } from './id-map';
import { jsonParseIssue, type ParsedJsonLine, readJsonLines } from './json-lines';
import type { ReadProgress } from './line-blocks';
import { IssueCollector, quoteValue, type ReadReport } from './read-report';
import type { MultiHot, VectorTable } from './types';

/** What to do with a record that lacks one of the vector fields. */
export type MissingVectorPolicy = 'error' | 'zeros';

/** Options of {@link readItemsJsonl}. */
export interface ReadItemsJsonlOptions {
  /** Path of the JSON Lines file: one JSON object per item. */
  path: string;
  /** Field holding the item id (string, or an integer number). Default: `id`. */
  idField?: string;
  /** Field holding the item's tags (array of strings/numbers); absent or null = no tags. Default: `tags`. */
  tagsField?: string;
  /**
   * More categorical fields, each a string/number or an array of them; every value becomes the tag
   * `field:value` (e.g. `genre:rock`) in the same vocabulary as `tagsField`. Default: none.
   */
  categoricalFields?: string[];
  /** Fields holding dense vectors (arrays of numbers), e.g. `['image', 'text']`. Default: none. */
  vectorFields?: string[];
  /**
   * Expected dimension per vector field. Default: the most common dimension among the first 16
   * records (ties: the earlier), so a wrong first record is blamed on its own line.
   */
  vectorDims?: Record<string, number>;
  /**
   * A record without one of `vectorFields`: `error` (default; kind `missing-field`) or `zeros` (the
   * item's row stays zero and is counted in `missingVectors`).
   */
  missingVectors?: MissingVectorPolicy;
  /** Fields read and deliberately not used (listed in `fields.ignored`). Default: none. */
  ignoreFields?: string[];
  /**
   * Any other field: `error` (default; kind `unknown-field`, so nothing is dropped silently) or
   * `ignore` (named in `fields.ignored`).
   */
  unknownFields?: 'error' | 'ignore';
  /** Item id map to extend (e.g. the one from the interactions). Default: a new one. */
  items?: IdMapBuilder;
  /** Tag vocabulary to extend. Default: a new one. */
  tags?: IdMapBuilder;
  /** Skip invalid records and count them instead of throwing on the first. Default: false. */
  skipInvalid?: boolean;
  /** Longest line accepted, in characters (kind `line-too-long` beyond). Default: 64 Mi. */
  maxLineLength?: number;
  /** Called after each chunk (about 1 MiB). */
  onProgress?: (progress: ReadProgress) => void;
}

/** Result of {@link readItemsJsonl}. Rows of `tags` and `vectors` follow the item map's indices. */
export interface ReadItemsJsonlResult {
  /** Item id map (extended with the file's ids). */
  items: IdMapBuilder;
  /** Tags per item, `items.size` rows (items without a record have none). */
  tags: MultiHot;
  /** One table per vector field, `items.size` rows; items without a record get zeros. */
  vectors: Record<string, VectorTable>;
  /** 1 = the item had a valid record in the file; length `items.size`. */
  present: Uint8Array;
  /** Per vector field, accepted records that lacked it (only with `missingVectors: 'zeros'`). */
  missingVectors: Record<string, number>;
  /** Fields that went into the result, and fields seen and ignored, in first-seen order. */
  fields: { used: string[]; ignored: string[] };
  /** Records accepted and skipped. */
  report: ReadReport;
}

interface VectorColumn {
  dim: number;
  data: Float32Array;
}

/** Records read before vector dimensions are fixed (when not given). */
const DIMENSION_SAMPLE = 16;

function describeValue(value: unknown): string {
  if (Array.isArray(value)) {
    const kinds = [...new Set(value.slice(0, 8).map((entry) => typeof entry))];
    return kinds.length === 0 ? 'an empty array' : `an array of ${kinds.join('/')}s`;
  }
  return value === null ? 'null' : `a ${typeof value}`;
}

/** Most common length of `field` among the sampled records (ties: first seen). */
function sampledDimension(sample: ParsedItemRecord[], field: string): number | undefined {
  const counts = new Map<number, number>();
  for (const { record } of sample) {
    if (typeof record !== 'object' || record === null) continue;
    const value = (record as Record<string, unknown>)[field];
    if (Array.isArray(value) && value.length > 0)
      counts.set(value.length, (counts.get(value.length) ?? 0) + 1);
  }
  let best: number | undefined;
  let bestCount = 0;
  for (const [length, count] of counts) {
    if (count > bestCount) {
      best = length;
      bestCount = count;
    }
  }
  return best;
}

/** Options of {@link createItemRecordSink}: the record options of {@link readItemsJsonl} plus the file name. */
export interface ItemRecordSinkOptions
  extends Omit<ReadItemsJsonlOptions, 'path' | 'onProgress' | 'maxLineLength'> {
  /** File named in errors. */
  file: string;
}

/** Accepts item records one by one (from any format) and builds the item content. */
export interface ItemRecordSink {
  /** Records accepted and skipped so far. */
  readonly report: ReadReport;
  /** Rejects a line the format could not turn into a record (throws unless skipping). */
  reject(line: number, field: string | undefined, kind: string, message: string): false;
  /** Takes one parsed record (or its parse error), in file order. */
  accept(parsed: ParsedItemRecord): void;
  /** Ends the input and builds the tables. */
  finish(): Omit<ReadItemsJsonlResult, 'report'> & { report: ReadReport };
}

/** One record of an item file: its 1-based line (or row), and the value or the parse error. */
export type ParsedItemRecord = ParsedJsonLine;

/**
 * The record rules shared by the item readers (JSON Lines, CSV, Parquet): id, tags, categorical
 * fields, vectors, ignored and unknown fields, with the errors listed on {@link readItemsJsonl}.
 */
export function createItemRecordSink(options: ItemRecordSinkOptions): ItemRecordSink {
  const file = options.file;
  const idField = options.idField ?? 'id';
  const tagsField = options.tagsField ?? 'tags';
  const vectorFields = options.vectorFields ?? [];
  const categoricalFields = options.categoricalFields ?? [];
  const ignoreFields = new Set(options.ignoreFields ?? []);
  const unknownFields = options.unknownFields ?? 'error';
  const fillMissing = (options.missingVectors ?? 'error') === 'zeros';
  for (const [field, dim] of Object.entries(options.vectorDims ?? {})) {
    if (!Number.isInteger(dim) || dim <= 0) {
      throw new InvalidArgumentError({
        argument: `vectorDims.${field}`,
        message: `must be an integer > 0, got ${dim}`,
      });
    }
  }
  const roles = new Map<string, string>();
  for (const [role, names] of [
    ['id', [idField]],
    ['tags', [tagsField]],
    ['vector', vectorFields],
    ['categorical', categoricalFields],
    ['ignored', [...ignoreFields]],
  ] as const) {
    for (const name of names) {
      const previous = roles.get(name);
      if (previous !== undefined && !(name === tagsField && role === 'tags')) {
        throw new InvalidArgumentError({
          argument: role === 'ignored' ? 'ignoreFields' : `${role}Fields`,
          message: `field ${JSON.stringify(name)} is already the ${previous} field`,
        });
      }
      roles.set(name, role);
    }
  }
  const items = options.items ?? createIdMapBuilder();
  const vocabulary = options.tags ?? createIdMapBuilder();
  const issues = new IssueCollector(file, options.skipInvalid ?? false);
  const report = issues.report;

  const dims: Record<string, number | undefined> = { ...options.vectorDims };
  const columns = new Map<string, VectorColumn>();
  const missingVectors: Record<string, number> = {};
  let seen = new Uint8Array(Math.max(16, items.size));
  const recordItems: number[] = [];
  const recordTags: Int32Array[] = [];
  const used = new Set<string>();
  const ignored = new Set<string>();
  const idCheck: IdCheck = { message: '' };

  const vectorColumn = (field: string, dim: number, rows: number): VectorColumn => {
    let column = columns.get(field);
    if (column === undefined) {
      column = { dim, data: new Float32Array(Math.max(16, rows) * dim) };
      columns.set(field, column);
    }
    if (column.data.length < rows * dim) {
      const grown = new Float32Array(Math.max(rows, (column.data.length / dim) * 2) * dim);
      grown.set(column.data);
      column.data = grown;
    }
    return column;
  };

  const categoricalValues = (
    line: number,
    field: string,
    value: unknown,
    prefix: string,
    out: string[],
  ): boolean => {
    if (value === undefined || value === null) return true;
    const list = Array.isArray(value) ? value : prefix === '' ? undefined : [value];
    if (list === undefined || list.some((entry) => typeof entry !== 'string' && typeof entry !== 'number')) {
      return issues.reject(
        line,
        field,
        'invalid-type',
        `${prefix === '' ? 'tags must be an array' : 'expected a string, a number or an array'} of strings or numbers, got ${describeValue(value)}`,
      );
    }
    for (const entry of list) out.push(`${prefix}${String(entry)}`);
    return true;
  };

  /** Stores one record; false when it was rejected (skipInvalid). */
  const processRecord = ({ line, text = '', record, error }: ParsedItemRecord): boolean => {
    if (error !== undefined) {
      const issue = jsonParseIssue(text, error);
      return issues.reject(line, undefined, issue.kind, issue.message, error);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return issues.reject(line, undefined, 'invalid-json', 'each line must be a JSON object');
    }
    const fields = record as Record<string, unknown>;
    const rawId = fields[idField];
    if (rawId === undefined || rawId === null || rawId === '') {
      return issues.reject(line, idField, 'missing-field', 'the record has no item id');
    }
    if (!checkId(rawId, idCheck)) {
      return issues.reject(
        line,
        idField,
        typeof rawId === 'object' || typeof rawId === 'boolean' ? 'invalid-type' : 'invalid-id',
        idCheck.message,
      );
    }
    const id = String(rawId);
    for (const key in fields) {
      if (roles.has(key)) {
        if (ignoreFields.has(key)) ignored.add(key);
        continue;
      }
      if (unknownFields === 'ignore') {
        ignored.add(key);
        continue;
      }
      return issues.reject(
        line,
        key,
        'unknown-field',
        `${describeValue(fields[key])} that is not the id, tags, a vector or a categorical field; list it as one of those, or in the ignored fields to drop it`,
      );
    }
    const tagNames: string[] = [];
    if (!categoricalValues(line, tagsField, fields[tagsField], '', tagNames)) return false;
    for (const field of categoricalFields) {
      if (!categoricalValues(line, field, fields[field], `${field}:`, tagNames)) return false;
    }
    const vectors: [string, number[]][] = [];
    for (const field of vectorFields) {
      const vector = fields[field];
      if (vector === undefined || vector === null) {
        if (fillMissing) continue;
        return issues.reject(
          line,
          field,
          'missing-field',
          'the vector field is missing (other records have it; set a fill policy to accept zeros)',
        );
      }
      if (!Array.isArray(vector))
        return issues.reject(
          line,
          field,
          'invalid-type',
          `expected an array of numbers, got ${describeValue(vector)}`,
        );
      const expected = dims[field] ?? vector.length;
      if (vector.length !== expected || expected === 0) {
        return issues.reject(
          line,
          field,
          'dimension',
          `expected a vector of dimension ${expected}, got ${vector.length}${options.vectorDims?.[field] === undefined ? ` (${expected} is the most common dimension among the first ${DIMENSION_SAMPLE} records; set vectorDims to override)` : ''}`,
        );
      }
      for (let k = 0; k < vector.length; k++) {
        const value: unknown = vector[k];
        if (typeof value === 'number') {
          if (checkFiniteFloat32(value)) continue;
          return issues.reject(
            line,
            field,
            'non-finite',
            `entry ${k} is outside the float32 range (${value}; e.g. 1e400 parses as Infinity)`,
          );
        }
        if (typeof value === 'string' && /^[+-]?(NaN|nan|Infinity|inf|infinity)$/i.test(value.trim())) {
          return issues.reject(
            line,
            field,
            'nan',
            `entry ${k} is ${quoteValue(value)}; vectors must be finite`,
          );
        }
        return issues.reject(
          line,
          field,
          'non-numeric',
          `entry ${k} is ${quoteValue(JSON.stringify(value) ?? String(value))}, not a number${typeof value === 'string' ? ' (a list of strings is categorical: use it as tags, not as a vector)' : ''}`,
        );
      }
      vectors.push([field, vector as number[]]);
    }
    const known = items.indexOf(id);
    if (known !== undefined && known < seen.length && seen[known] === 1) {
      return issues.reject(line, idField, 'duplicate-id', `item ${quoteValue(id)} already had a record`);
    }
    const item = items.add(id);
    if (item >= seen.length) {
      const grown = new Uint8Array(Math.max(item + 1, seen.length * 2));
      grown.set(seen);
      seen = grown;
    }
    seen[item] = 1;
    for (const field of vectorFields) {
      if (fields[field] === undefined || fields[field] === null)
        missingVectors[field] = (missingVectors[field] ?? 0) + 1;
    }
    for (const [field, vector] of vectors) {
      dims[field] = vector.length;
      const column = vectorColumn(field, vector.length, item + 1);
      column.data.set(vector, item * vector.length);
    }
    for (const key in fields) if (roles.has(key) && !ignoreFields.has(key)) used.add(key);
    recordItems.push(item);
    recordTags.push(Int32Array.from(tagNames, (tag) => vocabulary.add(tag)));
    report.rows++;
    return true;
  };

  // The first records are held until each vector field's dimension is fixed from them.
  let sample: ParsedItemRecord[] | undefined = vectorFields.some((field) => dims[field] === undefined)
    ? []
    : undefined;
  const flushSample = (): void => {
    if (sample === undefined) return;
    for (const field of vectorFields) dims[field] ??= sampledDimension(sample, field);
    const held = sample;
    sample = undefined;
    for (const parsed of held) processRecord(parsed);
  };

  return {
    report,
    reject: (line, field, kind, message) => issues.reject(line, field, kind, message),
    accept: (parsed) => {
      if (sample !== undefined) {
        sample.push(parsed);
        if (sample.length >= DIMENSION_SAMPLE) flushSample();
      } else {
        processRecord(parsed);
      }
    },
    finish: () => {
      flushSample();

      const numItems = items.size;
      const offsets = new Int32Array(numItems + 1);
      const tagsByItem: (Int32Array | undefined)[] = new Array(numItems);
      for (let r = 0; r < recordItems.length; r++) tagsByItem[recordItems[r] as number] = recordTags[r];
      for (let i = 0; i < numItems; i++)
        offsets[i + 1] = (offsets[i] as number) + (tagsByItem[i]?.length ?? 0);
      const values = new Int32Array(offsets[numItems] as number);
      for (let i = 0; i < numItems; i++) {
        const row = tagsByItem[i];
        if (row) values.set(row, offsets[i] as number);
      }
      const vectors: Record<string, VectorTable> = {};
      for (const field of vectorFields) {
        const dim = dims[field];
        if (dim === undefined) continue; // no record had it
        const column = columns.get(field);
        const data = new Float32Array(numItems * dim);
        if (column) data.set(column.data.subarray(0, Math.min(column.data.length, numItems * dim)));
        vectors[field] = { dim, data };
      }
      const present = new Uint8Array(numItems);
      present.set(seen.subarray(0, Math.min(seen.length, numItems)));
      return {
        items,
        tags: { vocabulary, offsets, values },
        vectors,
        present,
        missingVectors,
        fields: { used: [...used], ignored: [...ignored] },
        report,
      };
    },
  };
}

/**
 * Streams a JSON Lines item file: id, tags, categorical fields and named dense vectors. Errors
 * (`InvalidDatasetError` naming file, line and field; strict by default): `invalid-json`,
 * `missing-field` (no id, or a vector field missing), `invalid-type`, `invalid-id` (a control
 * character such as NUL, or a number that is not an exact integer), `dimension`, `nan` (NaN/Infinity
 * in a vector, as a string or a bare token), `non-finite` (a number outside the float32 range, e.g.
 * `1e400`), `non-numeric`, `duplicate-id`, `unknown-field`, `line-too-long`.
 */
export async function readItemsJsonl(options: ReadItemsJsonlOptions): Promise<ReadItemsJsonlResult> {
  const { path: file, onProgress, maxLineLength, ...recordOptions } = options;
  const sink = createItemRecordSink({ ...recordOptions, file });
  await readJsonLines({
    path: file,
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
    onLine: (parsed) => sink.accept(parsed),
    onTooLong: (line, limit) =>
      sink.reject(line, undefined, 'line-too-long', `the line is longer than ${limit} characters`),
    ...(onProgress ? { onProgress } : {}),
    rows: () => sink.report.rows,
  });
  return sink.finish();
}
