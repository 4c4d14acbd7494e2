import {
  checkInteger,
  InvalidArgumentError,
  InvalidDatasetError,
  ShapeMismatchError,
} from '@mmrecall/errors';

/**
 * Validates a row-major matrix: `data` is a Float32Array, `dim` a positive integer, the length a
 * multiple of `dim`, and every value finite (InvalidDatasetError naming row and column otherwise).
 * Returns the number of rows.
 */
export function checkMatrix(options: {
  data: unknown;
  dim: unknown;
  source: string;
  argument?: string;
}): number {
  const argument = options.argument ?? 'data';
  const dim = checkInteger({ argument: 'dim', value: options.dim, min: 1 });
  const data = options.data;
  if (!(data instanceof Float32Array)) {
    throw new InvalidArgumentError({ argument, message: 'must be a Float32Array (row-major, rows x dim)' });
  }
  if (data.length % dim !== 0) {
    throw new ShapeMismatchError({
      message: `${argument} of ${options.source}: length ${data.length} is not a multiple of dim ${dim}`,
      expected: [Math.floor(data.length / dim) + 1, dim],
      actual: [data.length],
    });
  }
  checkFinite(data, dim, options.source);
  return data.length / dim;
}

/** Throws InvalidDatasetError (kind `nan` or `infinity`) at the first non-finite value. */
export function checkFinite(data: Float32Array, dim: number, source: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is NaN for NaN and +-Infinity; a cheap single test in the common case.
    if (v - v !== 0) {
      const row = Math.floor(i / dim);
      const column = i - row * dim;
      throw new InvalidDatasetError({
        file: source,
        line: row + 1,
        field: `column ${column}`,
        kind: Number.isNaN(v) ? 'nan' : 'infinity',
        message: `row ${row} (0-based), column ${column} holds ${v}; vectors must be finite`,
      });
    }
  }
}
