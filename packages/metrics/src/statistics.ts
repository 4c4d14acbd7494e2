import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';

/** Options of {@link gini}. */
export interface GiniOptions {
  /** Non-negative amounts, e.g. how often each item was recalled (zeros included). */
  values: Float32Array | Float64Array | Int32Array | readonly number[];
}

/**
 * Gini coefficient of non-negative amounts: 0 when all are equal, (n - 1) / n when one holds everything.
 * Computed as `sum_i (2i - n - 1) x_(i) / (n * sum x)` over the ascending order (1-based i).
 * Returns 0 for an empty input or when every amount is 0.
 */
export function gini(options: GiniOptions): number {
  const n = options.values.length;
  const sorted = Float64Array.from(options.values as ArrayLike<number>);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new InvalidArgumentError({
        argument: 'values',
        message: `must be finite and >= 0, got ${v} at ${i}`,
      });
    }
    total += v;
  }
  if (n === 0 || total === 0) return 0;
  sorted.sort();
  let weighted = 0;
  for (let i = 0; i < n; i++) weighted += (2 * (i + 1) - n - 1) * sorted[i]!;
  return weighted / (n * total);
}

/** Options of {@link spearman}. */
export interface SpearmanOptions {
  /** First variable. */
  x: ArrayLike<number>;
  /** Second variable, same length as `x`. */
  y: ArrayLike<number>;
}

/**
 * Spearman rank correlation: Pearson correlation of the ranks, tied values get their average rank.
 * Returns NaN when either variable is constant.
 */
export function spearman(options: SpearmanOptions): number {
  const { x, y } = options;
  if (x.length !== y.length) {
    throw new ShapeMismatchError({
      message: 'x and y must have the same length',
      expected: [x.length],
      actual: [y.length],
    });
  }
  if (x.length < 2) {
    throw new InvalidArgumentError({ argument: 'x', message: `needs at least 2 values, got ${x.length}` });
  }
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const n = x.length;
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** 1-based ranks of `values` in ascending order, ties sharing their average rank. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i])) {
      throw new InvalidArgumentError({ argument: 'values', message: `NaN at position ${i}` });
    }
  }
  order.sort((a, b) => values[a]! - values[b]! || a - b);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]!] = rank;
    start = end;
  }
  return ranks;
}
