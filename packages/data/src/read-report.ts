import { InvalidDatasetError } from '@mmrecall/errors';

/** One rejected row or record. */
export interface ReadIssue {
  /** 1-based line number in the file. */
  line: number;
  /** Column or field name, when the problem is tied to one. */
  field?: string;
  /** Machine-readable kind, e.g. `column-count`, `empty-field`, `non-numeric`, `unknown-item`. */
  kind: string;
  /** Human-readable description. */
  message: string;
}

/** What a reader accepted and skipped. */
export interface ReadReport {
  /** Rows (records) accepted. */
  rows: number;
  /** Rows skipped because they were invalid (only with `skipInvalid: true`). */
  skipped: number;
  /** Skipped rows per issue kind. */
  skippedByKind: Record<string, number>;
  /** The first few issues, in file order. */
  examples: ReadIssue[];
}

/** Maximum number of issues kept in `ReadReport.examples`. */
export const MAX_EXAMPLES = 5;

/** Collects issues: throws on the first one in strict mode, counts them when skipping. */
export class IssueCollector {
  readonly report: ReadReport = { rows: 0, skipped: 0, skippedByKind: {}, examples: [] };

  constructor(
    private readonly file: string,
    private readonly skipInvalid: boolean,
  ) {}

  /** Throws `InvalidDatasetError` whether skipping or not (for problems no row skip can fix). */
  fail(line: number, field: string | undefined, kind: string, message: string, cause?: unknown): never {
    throw new InvalidDatasetError({
      file: this.file,
      line,
      ...(field === undefined ? {} : { field }),
      kind,
      message,
      ...(cause === undefined ? {} : { cause }),
    });
  }

  /** Records an issue and returns false (or throws `InvalidDatasetError` in strict mode). */
  reject(line: number, field: string | undefined, kind: string, message: string, cause?: unknown): false {
    if (!this.skipInvalid) this.fail(line, field, kind, message, cause);
    const report = this.report;
    report.skipped++;
    report.skippedByKind[kind] = (report.skippedByKind[kind] ?? 0) + 1;
    if (report.examples.length < MAX_EXAMPLES) {
      report.examples.push({ line, ...(field === undefined ? {} : { field }), kind, message });
    }
    return false;
  }
}

/** Shortens a field value for an error message. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}
