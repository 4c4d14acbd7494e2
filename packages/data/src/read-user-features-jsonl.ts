import { jsonParseIssue, readJsonLines } from './json-lines';
import type { ReadProgress } from './line-blocks';
import {
  createUserRecordSink,
  type ReadUserFeaturesResult,
  type UserRecordOptions,
} from './user-record-sink';

/** Options of {@link readUserFeaturesJsonl}. */
export interface ReadUserFeaturesJsonlOptions extends UserRecordOptions {
  /** Path of the JSON Lines user table: one object per user. */
  path: string;
  /** Longest line accepted, in characters. Default: 64 Mi. */
  maxLineLength?: number;
  /** Called after each chunk (about 1 MiB). */
  onProgress?: (progress: ReadProgress) => void;
}

/**
 * Reads user profile features from JSON Lines: every field but the id (and `ignore`) is a feature;
 * a string, number or boolean gives `field:value`, an array one feature per entry, null or an empty
 * string none. With `features` given, any other field is an `unknown-field` error, and a listed
 * feature that no record has is a `missing-column` error. Errors name file, line and field:
 * `invalid-json`, `nan`, `missing-field` (no id), `empty-field`, `invalid-id`, `invalid-type`,
 * `duplicate-id`, `unknown-field`, `line-too-long`.
 */
export async function readUserFeaturesJsonl(
  options: ReadUserFeaturesJsonlOptions,
): Promise<ReadUserFeaturesResult> {
  const { path: file, maxLineLength, onProgress, ...recordOptions } = options;
  const sink = createUserRecordSink({ ...recordOptions, file });
  await readJsonLines({
    path: file,
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
    onLine: ({ line, text = '', record, error }) => {
      if (error !== undefined) {
        const issue = jsonParseIssue(text, error);
        sink.reject(line, undefined, issue.kind, issue.message, error);
      } else if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        sink.reject(line, undefined, 'invalid-json', 'each line must be a JSON object');
      } else {
        sink.accept(line, record as Record<string, unknown>);
      }
    },
    onTooLong: (line, limit) =>
      sink.reject(line, undefined, 'line-too-long', `the line is longer than ${limit} characters`),
    ...(onProgress ? { onProgress } : {}),
    rows: () => sink.report.rows,
  });
  return sink.finish();
}
