import { InvalidArgumentError } from './errors';

// Argument checks shared by the packages: each throws InvalidArgumentError naming the argument
// (`k: must be a positive integer, got 0`) and returns the value, narrowed, when it passes.

/** How a rejected value is shown: strings quoted (so `"3"` is told apart from 3), arrays and objects by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Options of {@link checkInteger}. */
export interface CheckIntegerOptions {
  /** Name the error gives, e.g. `k` or `layers[1].units`. */
  argument: string;
  value: unknown;
  /** Smallest value allowed. Default `Number.MIN_SAFE_INTEGER`. */
  min?: number;
  /** Largest value allowed; when given the message names the range `[min, max]`. */
  max?: number;
}

/** Throws unless `value` is an integer in `[min, max]`: `must be an integer >= min, got ...`. */
export function checkInteger(options: CheckIntegerOptions): number {
  const { argument, value, min = Number.MIN_SAFE_INTEGER, max } = options;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    const range = max === undefined ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidArgumentError({
      argument,
      message: `must be an integer ${range}, got ${describeValue(value)}`,
    });
  }
  return value;
}

/** Options of {@link checkPositiveInteger} and {@link checkNonNegativeInteger}. */
export interface CheckValueOptions {
  /** Name the error gives, e.g. `k`. */
  argument: string;
  value: unknown;
}

/** Throws unless `value` is an integer >= 1: `must be a positive integer, got ...`. */
export function checkPositiveInteger(options: CheckValueOptions): number {
  const { argument, value } = options;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError({
      argument,
      message: `must be a positive integer, got ${describeValue(value)}`,
    });
  }
  return value;
}

/** Throws unless `value` is an integer >= 0: `must be a non-negative integer, got ...`. */
export function checkNonNegativeInteger(options: CheckValueOptions): number {
  const { argument, value } = options;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError({
      argument,
      message: `must be a non-negative integer, got ${describeValue(value)}`,
    });
  }
  return value;
}

/** Options of {@link checkFiniteNumber}. */
export interface CheckFiniteNumberOptions {
  /** Name the error gives, e.g. `learningRate`. */
  argument: string;
  value: unknown;
  /** Smallest value allowed (inclusive unless `exclusiveMin`). No lower bound when absent. */
  min?: number;
  /** When true, `min` itself is rejected: `must be a finite number > min`. */
  exclusiveMin?: boolean;
  /** Largest value allowed (inclusive unless `exclusiveMax`). No upper bound when absent. */
  max?: number;
  /** When true, `max` itself is rejected: `... and < max`. */
  exclusiveMax?: boolean;
}

/** Throws unless `value` is a finite number within the bounds: `must be a finite number >= min and <= max, got ...`. */
export function checkFiniteNumber(options: CheckFiniteNumberOptions): number {
  const { argument, value, min, exclusiveMin = false, max, exclusiveMax = false } = options;
  const inRange =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (min === undefined || (exclusiveMin ? value > min : value >= min)) &&
    (max === undefined || (exclusiveMax ? value < max : value <= max));
  if (!inRange) {
    const bounds = [
      ...(min === undefined ? [] : [`${exclusiveMin ? '>' : '>='} ${min}`]),
      ...(max === undefined ? [] : [`${exclusiveMax ? '<' : '<='} ${max}`]),
    ];
    const bound = bounds.length === 0 ? '' : ` ${bounds.join(' and ')}`;
    throw new InvalidArgumentError({
      argument,
      message: `must be a finite number${bound}, got ${describeValue(value)}`,
    });
  }
  return value as number;
}

/** Options of {@link checkOneOf}. */
export interface CheckOneOfOptions<T extends string> {
  /** Name the error gives, e.g. `metric`. */
  argument: string;
  value: unknown;
  /** The accepted strings, listed in the message. */
  allowed: readonly T[];
}

/** Throws unless `value` is one of `allowed`: `must be one of 'a', 'b', got ...`. */
export function checkOneOf<T extends string>(options: CheckOneOfOptions<T>): T {
  const { argument, value, allowed } = options;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError({
      argument,
      message: `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describeValue(value)}`,
    });
  }
  return value as T;
}
