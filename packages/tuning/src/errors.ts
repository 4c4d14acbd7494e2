import { MmrecallError } from '@mmrecall/errors';

/**
 * A search-space file or tuning budget that cannot be used: names the file, the 1-based line when
 * known, and the field (`space.train.temperature.min`, `budget.trials`, ...). Code `INVALID_SEARCH_SPACE`.
 */
export class InvalidSearchSpaceError extends MmrecallError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string;
  constructor(options: { file: string; line?: number; field: string; message: string; cause?: unknown }) {
    const where = options.line === undefined ? options.file : `${options.file}:${options.line}`;
    super('INVALID_SEARCH_SPACE', { ...options, message: `${where}: ${options.field}: ${options.message}` });
    this.name = 'InvalidSearchSpaceError';
    this.file = options.file;
    this.line = options.line;
    this.field = options.field;
  }

  static override isInstance(error: unknown): error is InvalidSearchSpaceError {
    return MmrecallError.isInstance(error) && error.code === 'INVALID_SEARCH_SPACE';
  }
}
