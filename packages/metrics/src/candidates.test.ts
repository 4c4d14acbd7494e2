import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { applyCandidateProtocol } from './candidates';
import { evaluateRetrieval } from './evaluate';
import { topKInnerProduct } from './top-k';

// 6 items with scores 6, 5, 4, 3 (warm 0-3) and 2, 1 (cold 4, 5): every query ranks them 0..5 (dim 1).
const items = Float32Array.of(6, 5, 4, 3, 2, 1);
const coldItems = Uint8Array.of(0, 0, 0, 0, 1, 1);
const itemPopularity = Float32Array.of(4, 3, 2, 1, 0, 0);
// q0 held out {1 (warm), 5 (cold)}, q1 {4 (cold)}, q2 {3 (warm)}, q3 nothing; q2 trained on item 0.
const heldOut = { offsets: Int32Array.of(0, 2, 3, 4, 4), values: Int32Array.of(1, 5, 4, 3) };
const exclude = { offsets: Int32Array.of(0, 0, 0, 1, 1), values: Int32Array.of(0) };

function run(candidates: 'all' | 'warm' | 'cold', k: number, maxQueries = 0) {
  const protocol = applyCandidateProtocol({ candidates, coldItems, heldOut, maxQueries, seed: 3 });
  const rows = protocol.queries;
  const keptExclude = { offsets: new Int32Array(rows.length + 1), values: [] as number[] };
  rows.forEach((q, r) => {
    for (let e = exclude.offsets[q]!; e < exclude.offsets[q + 1]!; e++)
      keptExclude.values.push(exclude.values[e]!);
    keptExclude.offsets[r + 1] = keptExclude.values.length;
  });
  const { indices } = topKInnerProduct({
    queries: new Float32Array(rows.length).fill(1),
    numQueries: rows.length,
    items,
    numItems: 6,
    dim: 1,
    k,
    exclude: { offsets: keptExclude.offsets, values: Int32Array.from(keptExclude.values) },
    ...(protocol.candidateMask ? { candidateMask: protocol.candidateMask } : {}),
  });
  const metrics = evaluateRetrieval({
    topK: indices,
    k,
    numQueries: rows.length,
    heldOut: protocol.heldOut,
    coldItems,
    itemPopularity,
  });
  return { protocol, indices, at: metrics.cutoffs[k]!, ecology: metrics.ecology[k]! };
}

describe('applyCandidateProtocol', () => {
  it('all: unchanged queries and held-out items, full catalogue (cold items never in a top 2)', () => {
    const { protocol, indices, at } = run('all', 2);
    expect(Array.from(protocol.queries)).toEqual([0, 1, 2]);
    expect(Array.from(protocol.heldOut.values)).toEqual([1, 5, 4, 3]);
    expect(protocol.candidateMask).toBeUndefined();
    expect(Array.from(indices)).toEqual([0, 1, 0, 1, 1, 2]);
    // q0 hits 1 of {1, 5}; q1 misses {4}; q2 misses {3}
    expect(at.all.recall).toBeCloseTo(0.5 / 3, 12);
    expect(at.cold.recall).toBe(0);
  });

  it('cold: cold held-out items ranked among cold items only', () => {
    const { protocol, indices, at, ecology } = run('cold', 2);
    expect(Array.from(protocol.queries)).toEqual([0, 1]);
    expect(Array.from(protocol.heldOut.values)).toEqual([5, 4]);
    expect(Array.from(protocol.candidateMask!)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(Array.from(indices)).toEqual([4, 5, 4, 5]);
    // q0: item 5 at rank 2 -> recall 1, NDCG 1/log2(3); q1: item 4 at rank 1 -> 1
    expect(at.all.recall).toBe(1);
    expect(at.all.ndcg).toBeCloseTo((1 / Math.log2(3) + 1) / 2, 12);
    expect(at.warm.queries).toBe(0);
    expect(ecology.coldShare).toBe(1);
  });

  it('warm: warm held-out items ranked among warm items, training items still masked', () => {
    const { protocol, indices, at } = run('warm', 1);
    expect(Array.from(protocol.queries)).toEqual([0, 2]);
    expect(Array.from(protocol.heldOut.values)).toEqual([1, 3]);
    // q0 top 1 = item 0 (miss item 1); q2 has item 0 masked -> item 1 (miss item 3)
    expect(Array.from(indices)).toEqual([0, 1]);
    expect(at.all.recall).toBe(0);
    const k3 = run('warm', 3);
    // q0: item 1 at rank 2; q2: items 1, 2, 3 -> item 3 at rank 3
    expect(k3.at.all.recall).toBe(1);
    expect(k3.at.all.ndcg).toBeCloseTo((1 / Math.log2(3) + 0.5) / 2, 12);
  });

  it('caps the number of queries with a seeded subsample kept in order', () => {
    const first = applyCandidateProtocol({ candidates: 'all', coldItems, heldOut, maxQueries: 2, seed: 5 });
    const again = applyCandidateProtocol({ candidates: 'all', coldItems, heldOut, maxQueries: 2, seed: 5 });
    expect(first.queries.length).toBe(2);
    expect(Array.from(first.queries)).toEqual(Array.from(again.queries));
    expect(first.queries[0]!).toBeLessThan(first.queries[1]!);
    // held-out rows follow their queries
    const rowOf = (q: number) =>
      Array.from(heldOut.values.subarray(heldOut.offsets[q]!, heldOut.offsets[q + 1]!));
    const kept = Array.from(first.queries);
    expect(Array.from(first.heldOut.values)).toEqual(kept.flatMap(rowOf));
  });

  it('rejects unknown candidate sets and bad caps', () => {
    expect(() => applyCandidateProtocol({ candidates: 'new' as 'all', coldItems, heldOut })).toThrow(
      InvalidArgumentError,
    );
    expect(() => applyCandidateProtocol({ candidates: 'all', coldItems, heldOut, maxQueries: -1 })).toThrow(
      /maxQueries/,
    );
  });
});
