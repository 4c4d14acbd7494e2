import { InvalidArgumentError } from '@mmrecall/errors';
import { checkId, type IdCheck } from './checks';
import { delimiterOf, readCsvRecords } from './csv-records';
import { createIdMapBuilder, type IdMapBuilder } from './id-map';
import type { ReadProgress } from './line-blocks';
import type { Delimiter } from './read-interactions-csv';
import { IssueCollector, quoteValue, type ReadReport } from './read-report';
import type { MultiHot } from './types';

/** Options of {@link readUserFeaturesCsv}. */
export interface ReadUserFeaturesCsvOptions {
  /** Path of the CSV/TSV user table (with a header). */
  path: string;
  /** Column of the user id. Default: `user_id`. */
  idColumn?: string;
  /** Columns used as profile features. Default: every column but the id and `ignore`. */
  features?: string[];
  /** Columns read and deliberately not used. Default: none. */
  ignore?: string[];
  /** User id map to extend (users with a profile and no interaction are added). Default: a new one. */
  users?: IdMapBuilder;
  /** Feature vocabulary to extend. Default: a new one. */
  vocabulary?: IdMapBuilder;
  /** Field delimiter. Default: from the extension (tab for `.tsv`, comma otherwise). */
  delimiter?: Delimiter;
  /** Separator of several values in one cell. Default: `|`. */
  listSeparator?: string;
  /** Skip invalid rows and count them instead of throwing on the first. Default: false. */
  skipInvalid?: boolean;
  /** Longest line accepted, in characters. Default: 64 Mi. */
  maxLineLength?: number;
  /** Called after each chunk. */
  onProgress?: (progress: ReadProgress) => void;
}

/** Result of {@link readUserFeaturesCsv}. */
export interface ReadUserFeaturesCsvResult {
  users: IdMapBuilder;
  /** Multi-hot profile per user (`users.size` rows), features named `column:value`. */
  features: MultiHot;
  /** Columns used and ignored. */
  fields: { used: string[]; ignored: string[] };
  report: ReadReport;
}

/**
 * Reads user profile features: each cell of a feature column becomes the feature `column:value`
 * (several values per cell split by `listSeparator`; an empty cell gives none). Errors
 * (`InvalidDatasetError`): `missing-column`, `unknown-field` (a column neither used nor ignored when
 * `features` is given), `invalid-id`, `empty-field`, `duplicate-id`, `column-count`.
 */
export async function readUserFeaturesCsv(
  options: ReadUserFeaturesCsvOptions,
): Promise<ReadUserFeaturesCsvResult> {
  const file = options.path;
  const idColumn = options.idColumn ?? 'user_id';
  const ignore = new Set(options.ignore ?? []);
  const separator = options.listSeparator ?? '|';
  const users = options.users ?? createIdMapBuilder();
  const vocabulary = options.vocabulary ?? createIdMapBuilder();
  const issues = new IssueCollector(file, options.skipInvalid ?? false);
  const report = issues.report;
  const rows = new Map<number, Int32Array>();
  let idIndex = -1;
  let featureIndices: number[] = [];
  let names: string[] = [];
  const check: IdCheck = { message: '' };
  const { names: header } = await readCsvRecords({
    path: file,
    delimiter: delimiterOf(file, options.delimiter),
    ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
    reject: (line, field, kind, message) => issues.reject(line, field, kind, message),
    onHeader: (headerNames) => {
      names = headerNames;
      idIndex = names.indexOf(idColumn);
      if (idIndex < 0) {
        issues.fail(
          1,
          idColumn,
          'missing-column',
          `the id column is not in the header (${names.join(', ')})`,
        );
      }
      const wanted = options.features ?? names.filter((name, k) => k !== idIndex && !ignore.has(name));
      for (const name of wanted) {
        if (!names.includes(name))
          issues.fail(
            1,
            name,
            'missing-column',
            `the feature column is not in the header (${names.join(', ')})`,
          );
      }
      for (const name of names) {
        if (name !== idColumn && !wanted.includes(name) && !ignore.has(name)) {
          issues.fail(
            1,
            name,
            'unknown-field',
            'the column is neither a feature nor ignored; list it in one of them',
          );
        }
      }
      featureIndices = wanted.map((name) => names.indexOf(name));
    },
    onRow: (line, cells) => {
      const id = (cells[idIndex] as string).trim();
      if (id.length === 0) return void issues.reject(line, idColumn, 'empty-field', 'user id is empty');
      if (!checkId(id, check)) return void issues.reject(line, idColumn, 'invalid-id', check.message);
      const user = users.add(id);
      if (rows.has(user))
        return void issues.reject(line, idColumn, 'duplicate-id', `user ${quoteValue(id)} already had a row`);
      const values: number[] = [];
      for (const k of featureIndices) {
        for (const value of (cells[k] as string).split(separator)) {
          const trimmed = value.trim();
          if (trimmed.length > 0) values.push(vocabulary.add(`${names[k]}:${trimmed}`));
        }
      }
      rows.set(user, Int32Array.from(values));
      report.rows++;
    },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    rows: () => report.rows,
  });
  if (idIndex < 0) throw new InvalidArgumentError({ argument: 'idColumn', message: `not in ${file}` });
  const numUsers = users.size;
  const offsets = new Int32Array(numUsers + 1);
  for (let u = 0; u < numUsers; u++) offsets[u + 1] = (offsets[u] as number) + (rows.get(u)?.length ?? 0);
  const values = new Int32Array(offsets[numUsers] as number);
  for (const [user, row] of rows) values.set(row, offsets[user] as number);
  return {
    users,
    features: { vocabulary, offsets, values },
    fields: {
      used: [idColumn, ...featureIndices.map((k) => names[k] as string)],
      ignored: header.filter((name) => ignore.has(name)),
    },
    report,
  };
}
