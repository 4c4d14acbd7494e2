import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { seededRandom } from '@mmrecall/test-utils';
import { describe, expect, it } from 'vitest';
import { topKInnerProduct, topKScores } from './top-k';

function randomMatrix(rows: number, dim: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: rows * dim }, () => random() * 2 - 1);
}

/** Reference: score every item, sort by (score desc, index asc), drop excluded and masked items. */
function naiveTopK(
  queries: Float32Array,
  items: Float32Array,
  numQueries: number,
  numItems: number,
  dim: number,
  k: number,
  isAllowed: (q: number, i: number) => boolean,
) {
  const indices: number[] = [];
  const scores: number[] = [];
  for (let q = 0; q < numQueries; q++) {
    const scored: { item: number; score: number }[] = [];
    for (let i = 0; i < numItems; i++) {
      if (!isAllowed(q, i)) continue;
      let s = 0;
      for (let t = 0; t < dim; t++) s += queries[q * dim + t]! * items[i * dim + t]!;
      scored.push({ item: i, score: s });
    }
    scored.sort((a, b) => b.score - a.score || a.item - b.item);
    for (let r = 0; r < k; r++) {
      indices.push(scored[r]?.item ?? -1);
      scores.push(scored[r]?.score ?? Number.NEGATIVE_INFINITY);
    }
  }
  return { indices: Int32Array.from(indices), scores: Float32Array.from(scores) };
}

describe('topKInnerProduct', () => {
  it('returns the hand-computed top-2 with scores, best first', () => {
    // items: [1,0], [0,1], [1,1], [-1,0]; query [2,1] scores 2, 1, 3, -2
    const result = topKInnerProduct({
      queries: Float32Array.of(2, 1),
      numQueries: 1,
      items: Float32Array.of(1, 0, 0, 1, 1, 1, -1, 0),
      numItems: 4,
      dim: 2,
      k: 2,
    });
    expect(Array.from(result.indices)).toEqual([2, 0]);
    expect(Array.from(result.scores)).toEqual([3, 2]);
  });

  it('breaks ties by the lower item index', () => {
    // five identical items, k = 3 -> 0, 1, 2 in that order
    const result = topKInnerProduct({
      queries: Float32Array.of(1, 1),
      numQueries: 1,
      items: new Float32Array(10).fill(0.5),
      numItems: 5,
      dim: 2,
      k: 3,
    });
    expect(Array.from(result.indices)).toEqual([0, 1, 2]);
    expect(Array.from(result.scores)).toEqual([1, 1, 1]);
  });

  it('masks excluded items per query and items outside candidateMask; pads with -1', () => {
    const items = Float32Array.of(1, 2, 3, 4); // dim 1: scores = q * item
    const result = topKInnerProduct({
      queries: Float32Array.of(1, -1),
      numQueries: 2,
      items,
      numItems: 4,
      dim: 1,
      k: 3,
      // query 0 excludes item 3 (its best), query 1 excludes items 0 and 1 (its two best)
      exclude: { offsets: Int32Array.of(0, 1, 3), values: Int32Array.of(3, 0, 1) },
      candidateMask: Uint8Array.of(1, 1, 0, 1), // item 2 is never a candidate
    });
    expect(Array.from(result.indices)).toEqual([1, 0, -1, 3, -1, -1]);
    expect(Array.from(result.scores)).toEqual([2, 1, -Infinity, -4, -Infinity, -Infinity]);
  });

  it('matches a naive full sort on random data (blocks, remainder queries, exclusions)', () => {
    const numQueries = 71; // not a multiple of the 4-query kernel nor the 64-query block
    const numItems = 1101; // three item blocks, the last one odd-sized
    const dim = 7;
    const k = 13;
    const queries = randomMatrix(numQueries, dim, 1);
    const items = randomMatrix(numItems, dim, 2);
    const random = seededRandom(3);
    const offsets = new Int32Array(numQueries + 1);
    const values: number[] = [];
    const excluded = new Set<string>();
    for (let q = 0; q < numQueries; q++) {
      const count = Math.floor(random() * 40);
      for (let c = 0; c < count; c++) {
        const item = Math.floor(random() * numItems);
        values.push(item);
        excluded.add(`${q}:${item}`);
      }
      offsets[q + 1] = values.length;
    }
    const candidateMask = Uint8Array.from({ length: numItems }, () => (random() < 0.9 ? 1 : 0));
    const progress: [number, number][] = [];
    const result = topKInnerProduct({
      queries,
      numQueries,
      items,
      numItems,
      dim,
      k,
      exclude: { offsets, values: Int32Array.from(values) },
      candidateMask,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(progress).toEqual([
      [64, 71],
      [71, 71],
    ]);
    const expected = naiveTopK(
      queries,
      items,
      numQueries,
      numItems,
      dim,
      k,
      (q, i) => candidateMask[i] === 1 && !excluded.has(`${q}:${i}`),
    );
    expect(Array.from(result.indices)).toEqual(Array.from(expected.indices));
    expect(Array.from(result.scores)).toEqual(Array.from(expected.scores));
  });

  it('rejects bad sizes and arguments with typed errors', () => {
    const base = {
      queries: new Float32Array(4),
      numQueries: 2,
      items: new Float32Array(6),
      numItems: 3,
      dim: 2,
      k: 1,
    };
    expect(() => topKInnerProduct({ ...base, k: 0 })).toThrow(InvalidArgumentError);
    expect(() => topKInnerProduct({ ...base, items: new Float32Array(5) })).toThrow(ShapeMismatchError);
    expect(() => topKInnerProduct({ ...base, candidateMask: new Uint8Array(2) })).toThrow(ShapeMismatchError);
    expect(() =>
      topKInnerProduct({ ...base, exclude: { offsets: Int32Array.of(0, 1, 1), values: Int32Array.of(3) } }),
    ).toThrow(InvalidArgumentError);
  });
});

describe('topKScores', () => {
  it('ranks like topKInnerProduct with the same masks, padding and tie-breaking', () => {
    const random = seededRandom(11);
    const numQueries = 70; // two blocks of 64 rows
    const numItems = 9;
    const dim = 3;
    // Small integers: exact in float32, with many ties to exercise the lower-index rule.
    const queries = Float32Array.from({ length: numQueries * dim }, () => Math.floor(random() * 3) - 1);
    const items = Float32Array.from({ length: numItems * dim }, () => Math.floor(random() * 3) - 1);
    const offsets = new Int32Array(numQueries + 1);
    const values: number[] = [];
    for (let q = 0; q < numQueries; q++) {
      values.push(q % numItems, (q * 5) % numItems);
      offsets[q + 1] = values.length;
    }
    const exclude = { offsets, values: Int32Array.from(values) };
    const candidateMask = Uint8Array.of(1, 1, 0, 1, 1, 1, 1, 0, 1);
    const k = 8; // more than the 5-7 allowed items: padded rows
    const expected = topKInnerProduct({
      queries,
      numQueries,
      items,
      numItems,
      dim,
      k,
      exclude,
      candidateMask,
    });
    let calls = 0;
    const progress: number[] = [];
    const actual = topKScores({
      numQueries,
      numItems,
      k,
      exclude,
      candidateMask,
      onProgress: (done) => progress.push(done),
      score: (start, end, out) => {
        calls++;
        for (let q = start; q < end; q++)
          for (let i = 0; i < numItems; i++) {
            let s = 0;
            for (let t = 0; t < dim; t++) s += queries[q * dim + t]! * items[i * dim + t]!;
            out[(q - start) * numItems + i] = s;
          }
      },
    });
    expect(calls).toBe(2);
    expect(progress).toEqual([64, 70]);
    expect(Array.from(actual.indices)).toEqual(Array.from(expected.indices));
    expect(Array.from(actual.scores)).toEqual(Array.from(expected.scores));
    expect(actual.indices[k - 1]).toBe(-1);
  });

  it('never returns NaN scores and validates its inputs', () => {
    const result = topKScores({
      numQueries: 1,
      numItems: 3,
      k: 3,
      score: (_start, _end, out) => out.set([Number.NaN, 2, 1]),
    });
    expect(Array.from(result.indices)).toEqual([1, 2, -1]);
    const score = () => {};
    expect(() => topKScores({ numQueries: 1, numItems: 3, k: 0, score })).toThrow(InvalidArgumentError);
    expect(() =>
      topKScores({ numQueries: 1, numItems: 3, k: 1, score, candidateMask: new Uint8Array(2) }),
    ).toThrow(ShapeMismatchError);
  });
});
