import { InvalidArgumentError } from '@mmrecall/errors';

/** Options of {@link logQFromCounts}. */
export interface LogQFromCountsOptions {
  /** How often each item occurs as a positive in the training stream (item index -> count). */
  counts: Float32Array;
  /** Items to return log probabilities for (e.g. the batch's candidates). Default: every item. */
  indices?: Int32Array;
  /** Additive (Laplace) smoothing per item so unseen items get a finite logQ. Default 1. */
  smoothing?: number;
}

/**
 * Log sampling probability `log((count_i + s) / (sum(count) + s * numItems))` of each requested item,
 * the `candidateLogQ` of `inBatchSoftmaxLoss`. In-batch sampling probability is proportional to this;
 * the constant factor (batch size) cancels in the softmax.
 */
export function logQFromCounts(options: LogQFromCountsOptions): Float32Array {
  const { counts } = options;
  const smoothing = options.smoothing ?? 1;
  if (!(smoothing >= 0) || !Number.isFinite(smoothing)) {
    throw new InvalidArgumentError({
      argument: 'smoothing',
      message: `must be a finite number >= 0, got ${smoothing}`,
    });
  }
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (!(count >= 0) || !Number.isFinite(count)) {
      throw new InvalidArgumentError({
        argument: 'counts',
        message: `must be finite and >= 0, got ${count} at ${i}`,
      });
    }
    total += count;
  }
  const denominator = total + smoothing * counts.length;
  if (!(denominator > 0)) {
    throw new InvalidArgumentError({ argument: 'counts', message: 'all counts are 0 and smoothing is 0' });
  }
  const logDenominator = Math.log(denominator);
  const indices = options.indices ?? Int32Array.from({ length: counts.length }, (_, i) => i);
  const out = new Float32Array(indices.length);
  for (let n = 0; n < indices.length; n++) {
    const item = indices[n]!;
    if (item < 0 || item >= counts.length) {
      throw new InvalidArgumentError({
        argument: 'indices',
        message: `item ${item} at ${n} is outside [0, ${counts.length})`,
      });
    }
    const numerator = counts[item]! + smoothing;
    if (numerator === 0) {
      throw new InvalidArgumentError({
        argument: 'indices',
        message: `item ${item} has count 0 and smoothing is 0 (logQ = -Infinity)`,
      });
    }
    out[n] = Math.log(numerator) - logDenominator;
  }
  return out;
}
