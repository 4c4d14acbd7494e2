import { MmrecallError, type MmrecallErrorOptions } from '@mmrecall/errors';

/** The service cannot answer yet (first load running or failed) or any more (disposed). */
export class ServiceUnavailableError extends MmrecallError {
  /** `loading`, `failed` (first load failed) or `closed`. */
  readonly reason: 'loading' | 'failed' | 'closed';
  constructor(options: MmrecallErrorOptions & { reason: 'loading' | 'failed' | 'closed' }) {
    super('SERVICE_UNAVAILABLE', options);
    this.name = 'ServiceUnavailableError';
    this.reason = options.reason;
  }
  static override isInstance(error: unknown): error is ServiceUnavailableError {
    return MmrecallError.isInstance(error) && error.code === 'SERVICE_UNAVAILABLE';
  }
}

/**
 * An artifacts folder was refused: unreadable, inconsistent, non-finite embeddings, or its reading
 * timed out or was aborted. The state served before keeps serving.
 */
export class ArtifactsRejectedError extends MmrecallError {
  /** The artifacts folder. */
  readonly dir: string;
  /** The offending file inside the folder (or its path), when one is to blame. */
  readonly file: string | undefined;
  /** What is wrong, without the folder and file. */
  readonly reason: string;
  constructor(
    options: Omit<MmrecallErrorOptions, 'message'> & { dir: string; file?: string; reason: string },
  ) {
    super('ARTIFACTS_REJECTED', {
      ...options,
      message: `${options.file === undefined ? options.dir : options.file}: ${options.reason}`,
    });
    this.name = 'ArtifactsRejectedError';
    this.dir = options.dir;
    this.file = options.file;
    this.reason = options.reason;
  }
  static override isInstance(error: unknown): error is ArtifactsRejectedError {
    return MmrecallError.isInstance(error) && error.code === 'ARTIFACTS_REJECTED';
  }
}

/** New item content the loaded model cannot take; names the field (`vectors/image/3`). */
export class InvalidItemError extends MmrecallError {
  /** Path of the offending field, e.g. `vectors/image/3`. */
  readonly field: string;
  /** What is wrong with it. */
  readonly reason: string;
  constructor(options: Omit<MmrecallErrorOptions, 'message'> & { field: string; reason: string }) {
    super('INVALID_ITEM', { ...options, message: `${options.field} ${options.reason}` });
    this.name = 'InvalidItemError';
    this.field = options.field;
    this.reason = options.reason;
  }
  static override isInstance(error: unknown): error is InvalidItemError {
    return MmrecallError.isInstance(error) && error.code === 'INVALID_ITEM';
  }
}

/** A search whose caller gave up (e.g. its client hung up) before its batch ran. */
export class SearchCancelledError extends MmrecallError {
  constructor(options: MmrecallErrorOptions = { message: 'search cancelled before it ran' }) {
    super('SEARCH_CANCELLED', options);
    this.name = 'SearchCancelledError';
  }
  static override isInstance(error: unknown): error is SearchCancelledError {
    return MmrecallError.isInstance(error) && error.code === 'SEARCH_CANCELLED';
  }
}

/** The item journal cannot be read (a complete line that is not a record) or written. */
export class ItemJournalError extends MmrecallError {
  /** The journal file. */
  readonly file: string;
  /** 1-based line, when one is to blame. */
  readonly line: number | undefined;
  constructor(
    options: Omit<MmrecallErrorOptions, 'message'> & { file: string; line?: number; reason: string },
  ) {
    super('ITEM_JOURNAL', {
      ...options,
      message: `${options.file}${options.line === undefined ? '' : `:${options.line}`}: ${options.reason}`,
    });
    this.name = 'ItemJournalError';
    this.file = options.file;
    this.line = options.line;
  }
  static override isInstance(error: unknown): error is ItemJournalError {
    return MmrecallError.isInstance(error) && error.code === 'ITEM_JOURNAL';
  }
}
