import { MmrecallError } from '@mmrecall/errors';

/** What made an index refuse an operation. */
export type IndexState = 'disposed' | 'read-only';

/**
 * An operation was called on an index that cannot perform it: the index was disposed, or it is a
 * read-only memory-mapped view (`loadHnswIndex({ view: true })`) and a write was attempted.
 */
export class IndexStateError extends MmrecallError {
  /** `disposed` or `read-only`. */
  readonly state: IndexState;
  constructor(options: { message: string; state: IndexState; cause?: unknown }) {
    super('INDEX_STATE', options);
    this.name = 'IndexStateError';
    this.state = options.state;
  }
  static override isInstance(error: unknown): error is IndexStateError {
    return MmrecallError.isInstance(error) && error.code === 'INDEX_STATE';
  }
}
