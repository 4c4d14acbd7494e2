import {
  checkNonNegativeInteger as checkNonNegative,
  checkPositiveInteger as checkPositive,
  InvalidArgumentError,
  ShapeMismatchError,
} from '@mmrecall/errors';

import { IndexStateError } from './errors';
import type { RecallMetric } from './types';

/** Largest key an index accepts (keys are returned in an `Int32Array`). */
export const MAX_KEY = 0x7fffffff;

/** @deprecated Use `checkPositiveInteger({ argument, value })` of `@mmrecall/errors`. */
export function checkPositiveInteger(value: unknown, argument: string): number {
  return checkPositive({ argument, value });
}

/** @deprecated Use `checkNonNegativeInteger({ argument, value })` of `@mmrecall/errors`. */
export function checkNonNegativeInteger(value: unknown, argument: string): number {
  return checkNonNegative({ argument, value });
}

export function checkMetric(value: unknown): RecallMetric {
  if (value !== 'ip' && value !== 'cosine') {
    throw new InvalidArgumentError({
      argument: 'metric',
      message: `must be 'ip' or 'cosine', got ${String(value)}`,
    });
  }
  return value;
}

export function checkKey(key: unknown, argument = 'key'): number {
  if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key > MAX_KEY) {
    throw new InvalidArgumentError({
      argument,
      message: `keys must be integers in [0, ${MAX_KEY}], got ${String(key)}`,
    });
  }
  return key;
}

/** Validates keys and returns them as an Int32Array (the input itself when it already is one). */
export function checkKeys(keys: unknown, argument = 'keys'): Int32Array {
  if (keys instanceof Int32Array) {
    for (let i = 0; i < keys.length; i++) {
      if ((keys[i] as number) < 0) {
        throw new InvalidArgumentError({
          argument: `${argument}[${i}]`,
          message: `keys must be non-negative, got ${keys[i]}`,
        });
      }
    }
    return keys;
  }
  if (!Array.isArray(keys)) {
    throw new InvalidArgumentError({ argument, message: 'must be an Int32Array or an array of numbers' });
  }
  const out = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = checkKey(keys[i], `${argument}[${i}]`);
  return out;
}

/**
 * Checks a row-major `rows x dim` matrix: type, length, finite values and, for cosine, non-zero
 * rows. Returns the squared norm of each row.
 */
export function checkMatrix(options: {
  values: unknown;
  rows: number;
  dim: number;
  metric: RecallMetric;
  argument: string;
}): Float64Array {
  const { values, rows, dim, metric, argument } = options;
  if (!(values instanceof Float32Array)) {
    throw new InvalidArgumentError({ argument, message: 'must be a Float32Array' });
  }
  if (values.length !== rows * dim) {
    throw new ShapeMismatchError({
      message: `${argument} must hold ${rows} row(s) of dimension ${dim}`,
      expected: [rows, dim],
      actual: values.length % dim === 0 ? [values.length / dim, dim] : [values.length],
    });
  }
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    const offset = r * dim;
    for (let d = 0; d < dim; d++) {
      const v = values[offset + d] as number;
      sum += v * v;
    }
    if (!Number.isFinite(sum)) {
      for (let d = 0; d < dim; d++) {
        const v = values[offset + d] as number;
        if (!Number.isFinite(v)) {
          throw new InvalidArgumentError({
            argument: rows === 1 ? `${argument}[${d}]` : `${argument}[row ${r}, column ${d}]`,
            message: `values must be finite, got ${v}`,
          });
        }
      }
      throw new InvalidArgumentError({
        argument,
        message: `row ${r} is too large: its squared norm overflows`,
      });
    }
    if (metric === 'cosine' && sum === 0) {
      throw new InvalidArgumentError({
        argument: rows === 1 ? argument : `${argument}[row ${r}]`,
        message: 'cosine similarity is undefined for an all-zero vector',
      });
    }
    norms[r] = sum;
  }
  return norms;
}

/** Collects an `exclude` argument into a Set of numbers (non-integers can never match a key and are dropped). */
export function toExcludeSet(
  exclude: Iterable<number> | Set<number> | undefined,
  argument: string,
): Set<number> | undefined {
  if (exclude === undefined) return undefined;
  if (exclude instanceof Set) return exclude.size === 0 ? undefined : exclude;
  if (typeof (exclude as Iterable<number>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError({ argument, message: 'must be an iterable of keys or a Set' });
  }
  const set = new Set<number>(exclude);
  return set.size === 0 ? undefined : set;
}

export function checkBatchExclude(
  exclude: readonly (Set<number> | undefined)[] | undefined,
  count: number,
): readonly (Set<number> | undefined)[] | undefined {
  if (exclude === undefined) return undefined;
  if (!Array.isArray(exclude) || exclude.length !== count) {
    throw new InvalidArgumentError({
      argument: 'exclude',
      message: `must be an array with one entry (Set or undefined) per query: ${count}`,
    });
  }
  for (let i = 0; i < exclude.length; i++) {
    const entry: unknown = exclude[i];
    if (entry !== undefined && !(entry instanceof Set)) {
      throw new InvalidArgumentError({ argument: `exclude[${i}]`, message: 'must be a Set or undefined' });
    }
  }
  return exclude;
}

export function disposedError(): IndexStateError {
  return new IndexStateError({ state: 'disposed', message: 'the index was disposed' });
}
