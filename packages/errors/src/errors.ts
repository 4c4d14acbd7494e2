const MARKER = Symbol.for('mmrecall.error');

/** Options shared by every mmrecall error. */
export interface MmrecallErrorOptions {
  /** Human-readable description of what went wrong and, where possible, how to fix it. */
  message: string;
  /** The lower-level error that caused this one. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by mmrecall packages. `code` is stable across releases;
 * `MmrecallError.isInstance` works across duplicate installs of this package.
 */
export class MmrecallError extends Error {
  readonly [MARKER] = true;
  readonly code: string;

  constructor(code: string, options: MmrecallErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MmrecallError';
    this.code = code;
  }

  static isInstance(error: unknown): error is MmrecallError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** A function or option received a value it cannot use (k <= 0, unknown enum value, NaN, ...). */
export class InvalidArgumentError extends MmrecallError {
  /** The offending argument or option, e.g. `k` or `layers[1].units`. */
  readonly argument: string;
  constructor(options: MmrecallErrorOptions & { argument: string }) {
    super('INVALID_ARGUMENT', { ...options, message: `${options.argument}: ${options.message}` });
    this.name = 'InvalidArgumentError';
    this.argument = options.argument;
  }
  static override isInstance(error: unknown): error is InvalidArgumentError {
    return MmrecallError.isInstance(error) && error.code === 'INVALID_ARGUMENT';
  }
}

/** Bad input data: names the file, the 1-based line (or row) and the field. */
export class InvalidDatasetError extends MmrecallError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  /** Short machine-readable kind, e.g. `column-count`, `non-numeric`, `unknown-item`, `nan`. */
  readonly kind: string;
  constructor(options: MmrecallErrorOptions & { file: string; line?: number; field?: string; kind: string }) {
    const where = [options.file, options.line === undefined ? undefined : `line ${options.line}`]
      .filter(Boolean)
      .join(':');
    const field = options.field === undefined ? '' : ` field "${options.field}"`;
    super('INVALID_DATASET', { ...options, message: `${where}${field}: ${options.message}` });
    this.name = 'InvalidDatasetError';
    this.file = options.file;
    this.line = options.line;
    this.field = options.field;
    this.kind = options.kind;
  }
  static override isInstance(error: unknown): error is InvalidDatasetError {
    return MmrecallError.isInstance(error) && error.code === 'INVALID_DATASET';
  }
}

/** Tensor or vector shapes that do not fit together. */
export class ShapeMismatchError extends MmrecallError {
  readonly expected: readonly number[];
  readonly actual: readonly number[];
  constructor(options: MmrecallErrorOptions & { expected: readonly number[]; actual: readonly number[] }) {
    super('SHAPE_MISMATCH', {
      ...options,
      message: `${options.message} (expected [${options.expected.join(', ')}], got [${options.actual.join(', ')}])`,
    });
    this.name = 'ShapeMismatchError';
    this.expected = options.expected;
    this.actual = options.actual;
  }
  static override isInstance(error: unknown): error is ShapeMismatchError {
    return MmrecallError.isInstance(error) && error.code === 'SHAPE_MISMATCH';
  }
}

/** A file an artifact folder should contain is missing or unreadable. */
export class MissingArtifactError extends MmrecallError {
  readonly path: string;
  constructor(options: MmrecallErrorOptions & { path: string }) {
    super('MISSING_ARTIFACT', { ...options, message: `${options.path}: ${options.message}` });
    this.name = 'MissingArtifactError';
    this.path = options.path;
  }
  static override isInstance(error: unknown): error is MissingArtifactError {
    return MmrecallError.isInstance(error) && error.code === 'MISSING_ARTIFACT';
  }
}

/** What is wrong with an artifact file (`InvalidArtifactError.kind`). */
export type ArtifactProblem =
  /** sha256 differs from the manifest's. */
  | 'checksum'
  /** Byte size differs from the manifest's or from what the other files imply. */
  | 'size'
  /** NaN or an infinity in a float file. */
  | 'non-finite'
  /** A count that disagrees with another file (id map length vs embedding rows, ...). */
  | 'count'
  /** An id listed twice in an id map. */
  | 'duplicate-id'
  /** A field of the wrong JSON type or out of its range. */
  | 'type'
  /** A file name that is not a plain name inside the artifacts folder. */
  | 'unsafe-name'
  /** Not a regular file (a directory, FIFO, socket or symbolic link). */
  | 'not-a-file'
  /** Unknown format or version. */
  | 'format';

/**
 * An artifact file exists but cannot be trusted: checksum or size mismatch, non-finite values,
 * counts that disagree between files, duplicate ids, wrong JSON types, or a file name that leaves
 * the artifacts folder. Names the file, the field when there is one, and the reason.
 */
export class InvalidArtifactError extends MmrecallError {
  /** Full path of the offending file. */
  readonly path: string;
  /** The file's name inside the artifacts folder, e.g. `items.f32`. */
  readonly file: string;
  /** The offending field, e.g. `files.items` or `items[17]`, when there is one. */
  readonly field: string | undefined;
  readonly kind: ArtifactProblem;
  constructor(
    options: MmrecallErrorOptions & { path: string; file: string; field?: string; kind: ArtifactProblem },
  ) {
    const field = options.field === undefined ? '' : ` field "${options.field}"`;
    super('INVALID_ARTIFACT', { ...options, message: `${options.path}${field}: ${options.message}` });
    this.name = 'InvalidArtifactError';
    this.path = options.path;
    this.file = options.file;
    this.field = options.field;
    this.kind = options.kind;
  }
  static override isInstance(error: unknown): error is InvalidArtifactError {
    return MmrecallError.isInstance(error) && error.code === 'INVALID_ARTIFACT';
  }
}

/** A lookup by id found nothing (unknown user or item). */
export class NotFoundError extends MmrecallError {
  readonly id: string;
  constructor(options: MmrecallErrorOptions & { id: string }) {
    super('NOT_FOUND', options);
    this.name = 'NotFoundError';
    this.id = options.id;
  }
  static override isInstance(error: unknown): error is NotFoundError {
    return MmrecallError.isInstance(error) && error.code === 'NOT_FOUND';
  }
}
