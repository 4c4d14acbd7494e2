import { delimiterOf, readCsvRecords } from './csv-records';
import type { ReadProgress } from './line-blocks';
import type { Delimiter } from './read-interactions-csv';
import {
  createUserRecordSink,
  type ReadUserFeaturesResult,
  type UserRecordOptions,
} from './user-record-sink';

/** Options of {@link readUserFeaturesCsv}. */
export interface ReadUserFeaturesCsvOptions extends UserRecordOptions {
  /** Path of the CSV/TSV user table (with a header). */
  path: string;
  /** Field delimiter. Default: from the extension (tab for `.tsv`, comma otherwise). */
  delimiter?: Delimiter;
  /** Separator of several values in one cell. Default: `|`. */
  listSeparator?: string;
  /** Longest line accepted, in characters. Default: 64 Mi. */
  maxLineLength?: number;
  /** Called after each chunk. */
  onProgress?: (progress: ReadProgress) => void;
}

/** Result of {@link readUserFeaturesCsv}. */
export type ReadUserFeaturesCsvResult = ReadUserFeaturesResult;

/**
 * Reads user profile features: each cell of a feature column becomes the feature `column:value`
 * (several values per cell split by `listSeparator`; an empty cell gives none). Errors
 * (`InvalidDatasetError`): `missing-column`, `unknown-field` (a column neither used nor ignored when
 * `features` is given), `invalid-id`, `empty-field`, `duplicate-id`, `column-count`, `line-too-long`.
 */
export async function readUserFeaturesCsv(
  options: ReadUserFeaturesCsvOptions,
): Promise<ReadUserFeaturesCsvResult> {
  const { path: file, delimiter, listSeparator, maxLineLength, onProgress, ...recordOptions } = options;
  const separator = listSeparator ?? '|';
  const idColumn = options.idColumn ?? 'user_id';
  const sink = createUserRecordSink({ ...recordOptions, file });
  let names: string[] = [];
  await readCsvRecords({
    path: file,
    delimiter: delimiterOf(file, delimiter),
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
    reject: (line, field, kind, message) => sink.reject(line, field, kind, message),
    onHeader: (headerNames) => {
      names = headerNames;
      sink.declareColumns(names, 1);
    },
    onRow: (line, cells) => {
      const record: Record<string, unknown> = {};
      for (let k = 0; k < names.length; k++) {
        const name = names[k] as string;
        const cell = cells[k] as string;
        record[name] = name === idColumn ? cell : cell.split(separator);
      }
      sink.accept(line, record);
    },
    ...(onProgress ? { onProgress } : {}),
    rows: () => sink.report.rows,
  });
  return sink.finish();
}
