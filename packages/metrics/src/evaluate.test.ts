import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { evaluateRetrieval } from './evaluate';
import { formatMetricsTable } from './format-table';
import { longTailMask } from './long-tail';

const LOG2_3 = 1 / Math.log2(3); // discount at rank 2

// 6 items; 4 and 5 are cold. Popularity 10, 5, 3, 2, 0, 0 (total 20): the head covering 80% (16) is
// {0, 1, 2} (10 + 5 + 3 = 18), so the long tail is {3, 4, 5}.
const fixture = {
  k: 3,
  numQueries: 4,
  topK: Int32Array.of(
    0,
    4,
    2, // q0, held-out {2 (warm), 4 (cold)}
    1,
    3,
    -1, // q1, held-out {5 (cold)}
    3,
    0,
    1, // q2, no held-out items
    2,
    5,
    1, // q3, held-out {1 (warm)}
  ),
  heldOut: { offsets: Int32Array.of(0, 2, 3, 3, 4), values: Int32Array.of(2, 4, 5, 1) },
  coldItems: Uint8Array.of(0, 0, 0, 0, 1, 1),
  itemPopularity: Float32Array.of(10, 5, 3, 2, 0, 0),
};

describe('evaluateRetrieval', () => {
  const result = evaluateRetrieval({ ...fixture, cutoffs: [3, 2] });

  it('computes recall, NDCG and hit rate at K = 3 by hand', () => {
    const at3 = result.cutoffs[3]!;
    // q0: hits at ranks 2 and 3 -> recall 1, NDCG (1/log2 3 + 1/2) / (1 + 1/log2 3); q1: 0; q3: hit at rank 3 -> 1/2
    const ndcgQ0 = (LOG2_3 + 0.5) / (1 + LOG2_3);
    expect(at3.all.queries).toBe(3);
    expect(at3.all.recall).toBeCloseTo(2 / 3, 12);
    expect(at3.all.ndcg).toBeCloseTo((ndcgQ0 + 0.5) / 3, 12);
    expect(at3.all.hitRate).toBeCloseTo(2 / 3, 12);
    // warm: q0 restricted to {2} (rank 3 -> 1/2), q3 {1} (rank 3 -> 1/2); q1 has no warm item
    expect(at3.warm).toEqual({ recall: 1, ndcg: 0.5, hitRate: 1, queries: 2 });
    // cold: q0 restricted to {4} (rank 2), q1 {5} missed
    expect(at3.cold.queries).toBe(2);
    expect(at3.cold.recall).toBeCloseTo(0.5, 12);
    expect(at3.cold.ndcg).toBeCloseTo(LOG2_3 / 2, 12);
    expect(at3.cold.hitRate).toBeCloseTo(0.5, 12);
  });

  it('computes K = 2 with the ideal DCG over min(|held-out|, K)', () => {
    const at2 = result.cutoffs[2]!;
    expect(at2.all.recall).toBeCloseTo(0.5 / 3, 12);
    expect(at2.all.ndcg).toBeCloseTo(LOG2_3 / (1 + LOG2_3) / 3, 12);
    expect(at2.all.hitRate).toBeCloseTo(1 / 3, 12);
    expect(at2.warm).toEqual({ recall: 0, ndcg: 0, hitRate: 0, queries: 2 });
    expect(at2.cold.recall).toBeCloseTo(0.5, 12);
  });

  it('computes coverage, cold share, long-tail share and Gini of recall counts', () => {
    // K = 2: counts per item [2, 1, 1, 2, 1, 1] over 8 slots; cold slots 2; long-tail slots 4
    const at2 = result.ecology[2]!;
    expect(at2.coverage).toBe(1);
    expect(at2.coldShare).toBeCloseTo(2 / 8, 12);
    expect(at2.longTailShare).toBeCloseTo(4 / 8, 12);
    expect(at2.gini).toBeCloseTo(8 / 48, 12); // sorted [1,1,1,1,2,2]: sum (2i-7) x_i = 8
    // K = 3: one padding slot; counts [2, 3, 2, 2, 1, 1] over 11 slots
    const at3 = result.ecology[3]!;
    expect(at3.coldShare).toBeCloseTo(2 / 11, 12);
    expect(at3.longTailShare).toBeCloseTo(4 / 11, 12);
    expect(at3.gini).toBeCloseTo(13 / 66, 12);
  });

  it('reports coverage below 1 when items are never recalled and NaN for empty groups', () => {
    const single = evaluateRetrieval({
      topK: Int32Array.of(1, 1),
      k: 1,
      numQueries: 2,
      heldOut: { offsets: Int32Array.of(0, 1, 2), values: Int32Array.of(1, 0) },
      coldItems: new Uint8Array(4),
      itemPopularity: Float32Array.of(1, 1, 1, 1),
    });
    expect(single.ecology[1]!.coverage).toBe(0.25);
    expect(single.ecology[1]!.gini).toBeCloseTo(3 / 4, 12);
    expect(single.cutoffs[1]!.all).toEqual({ recall: 0.5, ndcg: 0.5, hitRate: 0.5, queries: 2 });
    expect(single.cutoffs[1]!.cold.queries).toBe(0);
    expect(single.cutoffs[1]!.cold.recall).toBeNaN();
  });

  it('counts duplicate held-out items and repeated recalled items once', () => {
    const out = evaluateRetrieval({
      topK: Int32Array.of(0, 0),
      k: 2,
      numQueries: 1,
      heldOut: { offsets: Int32Array.of(0, 3), values: Int32Array.of(0, 0, 1) },
      coldItems: new Uint8Array(2),
      itemPopularity: Float32Array.of(1, 1),
    });
    expect(out.cutoffs[2]!.all.recall).toBe(0.5);
    expect(out.cutoffs[2]!.all.ndcg).toBeCloseTo(1 / (1 + LOG2_3), 12);
  });

  it('validates cutoffs, shapes and item ranges', () => {
    expect(() => evaluateRetrieval({ ...fixture, cutoffs: [4] })).toThrow(InvalidArgumentError);
    expect(() => evaluateRetrieval({ ...fixture, itemPopularity: new Float32Array(5) })).toThrow(
      ShapeMismatchError,
    );
    expect(() => evaluateRetrieval({ ...fixture, topK: fixture.topK.slice(1) })).toThrow(ShapeMismatchError);
    const badTopK = fixture.topK.slice();
    badTopK[0] = 6;
    expect(() => evaluateRetrieval({ ...fixture, topK: badTopK })).toThrow(InvalidArgumentError);
  });
});

describe('longTailMask', () => {
  it('puts everything outside the smallest head covering the quantile into the tail', () => {
    expect(Array.from(longTailMask({ itemPopularity: fixture.itemPopularity }))).toEqual([0, 0, 0, 1, 1, 1]);
    // exactly 50%: item 0 alone covers 10 of 20
    expect(Array.from(longTailMask({ itemPopularity: fixture.itemPopularity, quantile: 0.5 }))).toEqual([
      0, 1, 1, 1, 1, 1,
    ]);
  });
});

describe('formatMetricsTable', () => {
  it('prints one markdown row per model with 4 decimals and n/a for empty groups', () => {
    const metrics = evaluateRetrieval({ ...fixture, cutoffs: [3] });
    const table = formatMetricsTable({ rows: [{ name: 'gated additive', metrics }], k: 3 });
    const lines = table.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      '| model | Recall@3 | NDCG@3 | HitRate@3 | Recall@3 warm | NDCG@3 warm | Recall@3 cold | NDCG@3 cold | Coverage@3 | ColdShare@3 | LongTail@3 | Gini@3 |',
    );
    expect(lines[1]).toBe('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    expect(lines[2]).toBe(
      '| gated additive | 0.6667 | 0.3978 | 0.6667 | 1.0000 | 0.5000 | 0.5000 | 0.3155 | 1.0000 | 0.1818 | 0.3636 | 0.1970 |',
    );
    expect(() => formatMetricsTable({ rows: [{ name: 'x', metrics }], k: 2 })).toThrow(InvalidArgumentError);
  });

  it('prints mean ± std in every cell when a row has a spread', () => {
    const metrics = evaluateRetrieval({ ...fixture, cutoffs: [3] });
    // A spread of a tenth of each value, built field by field.
    const scale = (value: unknown): unknown =>
      typeof value === 'number'
        ? value / 10
        : Object.fromEntries(Object.entries(value as object).map(([key, v]) => [key, scale(v)]));
    const std = scale(metrics) as typeof metrics;
    const table = formatMetricsTable({ rows: [{ name: 'gated additive', metrics, std }], k: 3 });
    expect(table.trim().split('\n')[2]).toBe(
      '| gated additive | 0.6667 ± 0.0667 | 0.3978 ± 0.0398 | 0.6667 ± 0.0667 | 1.0000 ± 0.1000 | 0.5000 ± 0.0500 | 0.5000 ± 0.0500 | 0.3155 ± 0.0315 | 1.0000 ± 0.1000 | 0.1818 ± 0.0182 | 0.3636 ± 0.0364 | 0.1970 ± 0.0197 |',
    );
  });
});
