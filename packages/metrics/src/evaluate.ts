import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { longTailMask } from './long-tail';
import { gini } from './statistics';
import { type CsrLists, validateCsr } from './top-k';

/** Mean accuracy metrics over a group of queries. */
export interface AccuracyMetrics {
  /** Mean of hits / |held-out| (NaN when `queries` is 0). */
  recall: number;
  /** Mean NDCG with log2 discount, ideal DCG over min(|held-out|, K) (NaN when `queries` is 0). */
  ndcg: number;
  /** Share of queries with at least one hit (NaN when `queries` is 0). */
  hitRate: number;
  /** Number of queries averaged: those with >= 1 held-out item in the group. */
  queries: number;
}

/** Accuracy at one cutoff, for all held-out items and restricted to warm and to cold items. */
export interface CutoffMetrics {
  /** Every held-out item. */
  all: AccuracyMetrics;
  /** Held-out items that are warm (coldItems = 0); queries without any are excluded. */
  warm: AccuracyMetrics;
  /** Held-out items that are cold (coldItems = 1); queries without any are excluded. */
  cold: AccuracyMetrics;
}

/** Catalogue "ecology" of the recalled lists at one cutoff (over every query's first K slots). */
export interface EcologyMetrics {
  /** Distinct recalled items / number of items in the catalogue. */
  coverage: number;
  /** Share of filled recall slots holding cold items. */
  coldShare: number;
  /** Share of filled recall slots holding long-tail items (see `longTailQuantile`). */
  longTailShare: number;
  /** Gini coefficient of per-item recall counts over all items (0 = even, (n-1)/n = one item). */
  gini: number;
}

/** Result of {@link evaluateRetrieval}, keyed by cutoff K. */
export interface RetrievalEvaluation {
  /** Accuracy per cutoff. */
  cutoffs: Record<number, CutoffMetrics>;
  /** Ecology per cutoff. */
  ecology: Record<number, EcologyMetrics>;
}

/** Options of {@link evaluateRetrieval}. */
export interface EvaluateRetrievalOptions {
  /** Recalled items, `numQueries * k`, best first; -1 marks an empty slot. */
  topK: Int32Array;
  /** Slots per query in `topK`. */
  k: number;
  /** Number of queries (rows of `topK`). */
  numQueries: number;
  /** Each query's held-out items (CSR); duplicates within a query count once. */
  heldOut: CsrLists;
  /** 1 = cold item (no positive training interaction). Its length is the catalogue size. */
  coldItems: Uint8Array;
  /** Training positives per item, same length as `coldItems` (defines the long tail). */
  itemPopularity: Float32Array;
  /** Cutoffs K to report, each in [1, k]. Default `[k]`. */
  cutoffs?: readonly number[];
  /** Head share of training positives; items outside the head are long tail. Default 0.8. */
  longTailQuantile?: number;
}

interface Accumulator {
  recall: number;
  ndcg: number;
  hits: number;
  queries: number;
}

/**
 * Full-ranking evaluation of recalled lists (see `../shared/data/README.md`): Recall@K = hits / |held-out|,
 * NDCG@K with `1 / log2(rank + 1)` gains and the ideal DCG over min(|held-out|, K), HitRate@K = any hit;
 * means over queries with at least one held-out item. The warm (cold) group restricts each query's
 * held-out set to warm (cold) items, ranks in the full list unchanged. Ecology metrics use every query.
 */
export function evaluateRetrieval(options: EvaluateRetrievalOptions): RetrievalEvaluation {
  const { topK, k, numQueries, heldOut, coldItems, itemPopularity } = options;
  if (!Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError({ argument: 'k', message: `must be an integer >= 1, got ${k}` });
  }
  if (!Number.isInteger(numQueries) || numQueries < 0) {
    throw new InvalidArgumentError({
      argument: 'numQueries',
      message: `must be a non-negative integer, got ${numQueries}`,
    });
  }
  if (topK.length !== numQueries * k) {
    throw new ShapeMismatchError({
      message: 'topK length must be numQueries * k',
      expected: [numQueries * k],
      actual: [topK.length],
    });
  }
  const numItems = coldItems.length;
  if (itemPopularity.length !== numItems) {
    throw new ShapeMismatchError({
      message: 'itemPopularity and coldItems must have one entry per item',
      expected: [numItems],
      actual: [itemPopularity.length],
    });
  }
  validateCsr(heldOut, numQueries, numItems, 'heldOut');
  for (let s = 0; s < topK.length; s++) {
    const item = topK[s]!;
    if (item < -1 || item >= numItems) {
      throw new InvalidArgumentError({
        argument: 'topK',
        message: `item ${item} at slot ${s} is outside [-1, ${numItems})`,
      });
    }
  }
  const cutoffs = [...new Set(options.cutoffs ?? [k])].sort((a, b) => a - b);
  for (const cutoff of cutoffs) {
    if (!Number.isInteger(cutoff) || cutoff < 1 || cutoff > k) {
      throw new InvalidArgumentError({
        argument: 'cutoffs',
        message: `each cutoff must be an integer in [1, ${k}], got ${cutoff}`,
      });
    }
  }
  const longTail = longTailMask({ itemPopularity, quantile: options.longTailQuantile ?? 0.8 });

  const maxCutoff = cutoffs[cutoffs.length - 1]!;
  const discount = new Float64Array(maxCutoff + 1);
  const idealDcg = new Float64Array(maxCutoff + 1); // idealDcg[m] = sum_{r < m} discount[r]
  for (let r = 0; r < maxCutoff; r++) {
    discount[r] = 1 / Math.log2(r + 2);
    idealDcg[r + 1] = idealDcg[r]! + discount[r]!;
  }

  const groups = ['all', 'warm', 'cold'] as const;
  const accumulators = cutoffs.map(() =>
    groups.map((): Accumulator => ({ recall: 0, ndcg: 0, hits: 0, queries: 0 })),
  );
  // Held-out membership per item: stamp[item] = query + 1 when item is held out for the current query.
  const stamp = new Int32Array(numItems);
  const groupSizes = [0, 0, 0];
  const hits = [0, 0, 0];
  const dcg = [0, 0, 0];
  for (let q = 0; q < numQueries; q++) {
    groupSizes.fill(0);
    for (let e = heldOut.offsets[q]!; e < heldOut.offsets[q + 1]!; e++) {
      const item = heldOut.values[e]!;
      if (stamp[item] === q + 1) continue;
      stamp[item] = q + 1;
      groupSizes[0]!++;
      groupSizes[coldItems[item] === 1 ? 2 : 1]!++;
    }
    if (groupSizes[0] === 0) continue;
    hits.fill(0);
    dcg.fill(0);
    let slot = 0;
    for (let c = 0; c < cutoffs.length; c++) {
      const cutoff = cutoffs[c]!;
      for (; slot < cutoff; slot++) {
        const item = topK[q * k + slot]!;
        if (item < 0 || stamp[item] !== q + 1) continue;
        stamp[item] = -(q + 1); // count each held-out item once even if the list repeats it
        const group = coldItems[item] === 1 ? 2 : 1;
        hits[0]!++;
        dcg[0]! += discount[slot]!;
        hits[group]!++;
        dcg[group]! += discount[slot]!;
      }
      for (let g = 0; g < 3; g++) {
        const size = groupSizes[g]!;
        if (size === 0) continue;
        const accumulator = accumulators[c]![g]!;
        accumulator.queries++;
        accumulator.recall += hits[g]! / size;
        accumulator.ndcg += dcg[g]! / idealDcg[Math.min(size, cutoff)]!;
        if (hits[g]! > 0) accumulator.hits++;
      }
    }
  }

  const result: RetrievalEvaluation = { cutoffs: {}, ecology: {} };
  const counts = new Float64Array(numItems);
  let slot = 0;
  let filled = 0;
  let distinct = 0;
  let coldSlots = 0;
  let longTailSlots = 0;
  for (let c = 0; c < cutoffs.length; c++) {
    const cutoff = cutoffs[c]!;
    const finish = (accumulator: Accumulator): AccuracyMetrics => {
      const n = accumulator.queries;
      return n === 0
        ? { recall: Number.NaN, ndcg: Number.NaN, hitRate: Number.NaN, queries: 0 }
        : {
            recall: accumulator.recall / n,
            ndcg: accumulator.ndcg / n,
            hitRate: accumulator.hits / n,
            queries: n,
          };
    };
    const [all, warm, cold] = accumulators[c]!;
    result.cutoffs[cutoff] = { all: finish(all!), warm: finish(warm!), cold: finish(cold!) };

    // Ecology: extend the per-item counts from the previous cutoff's slots to this one.
    for (; slot < cutoff; slot++) {
      for (let q = 0; q < numQueries; q++) {
        const item = topK[q * k + slot]!;
        if (item < 0) continue;
        filled++;
        if (counts[item] === 0) distinct++;
        counts[item]!++;
        if (coldItems[item] === 1) coldSlots++;
        if (longTail[item] === 1) longTailSlots++;
      }
    }
    result.ecology[cutoff] = {
      coverage: numItems === 0 ? 0 : distinct / numItems,
      coldShare: filled === 0 ? 0 : coldSlots / filled,
      longTailShare: filled === 0 ? 0 : longTailSlots / filled,
      gini: gini({ values: counts }),
    };
  }
  return result;
}
