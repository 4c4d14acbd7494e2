import { checkPositiveInteger, InvalidArgumentError } from '@mmrecall/errors';

import { TopKCollector } from './top-k-collector';

/** Options of {@link topK}. */
export interface TopKOptions {
  /** One score per candidate; candidate `i` has index `i`. NaN scores are never selected. */
  scores: Float32Array | Float64Array;
  /** How many indices to return, a positive integer. */
  k: number;
  /** Candidate indices that must not be returned. */
  exclude?: Iterable<number> | Set<number>;
}

/** Result of {@link topK}: at most `k` entries, best first (ties: lower index first). */
export interface TopKResult {
  /** Indices into `scores`. */
  indices: Int32Array;
  /** The selected scores. */
  scores: Float32Array;
}

/**
 * Selects the `k` highest scores in O(n log k) with a bounded heap, for callers that already have a
 * score per candidate (e.g. a re-ranking step).
 */
export function topK(options: TopKOptions): TopKResult {
  const { scores, exclude } = options;
  if (!(scores instanceof Float32Array) && !(scores instanceof Float64Array)) {
    throw new InvalidArgumentError({ argument: 'scores', message: 'must be a Float32Array or Float64Array' });
  }
  const k = checkPositiveInteger({ argument: 'k', value: options.k });
  const excluded = exclude === undefined ? undefined : exclude instanceof Set ? exclude : new Set(exclude);
  const collector = new TopKCollector(Math.min(k, Math.max(scores.length, 1)));
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] as number;
    // `!(score >= threshold)` also rejects NaN.
    if (!(score >= collector.threshold)) continue;
    if (excluded?.has(i)) continue;
    collector.push(i, score);
  }
  const indices = new Int32Array(collector.size);
  const selected = new Float32Array(collector.size);
  collector.drainInto(indices, selected, 0);
  return { indices, scores: selected };
}
