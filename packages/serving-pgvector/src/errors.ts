import { MmrecallError } from '@mmrecall/errors';

/** A statement sent to PostgreSQL failed (connection lost, permission, missing extension, ...). */
export class PgvectorQueryError extends MmrecallError {
  /** What the index was doing, e.g. `upsert into "items"`. */
  readonly operation: string;
  constructor(options: { operation: string; message: string; cause?: unknown }) {
    super('PGVECTOR_QUERY', { ...options, message: `${options.operation}: ${options.message}` });
    this.name = 'PgvectorQueryError';
    this.operation = options.operation;
  }
  static override isInstance(error: unknown): error is PgvectorQueryError {
    return MmrecallError.isInstance(error) && error.code === 'PGVECTOR_QUERY';
  }
}
