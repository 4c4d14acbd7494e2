import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { randomVectors } from './test-vectors';
import { TopKCollector, topK } from './top-k';

describe('topK', () => {
  it('returns the k highest scores best first, matching a full sort', () => {
    const scores = randomVectors({ rows: 1000, dim: 1, seed: 7 });
    const { indices, scores: selected } = topK({ scores, k: 25 });
    const expected = Array.from(scores.keys())
      .sort((a, b) => (scores[b] as number) - (scores[a] as number))
      .slice(0, 25);
    expect(Array.from(indices)).toEqual(expected);
    expect(Array.from(selected)).toEqual(expected.map((i) => scores[i]));
  });

  it('breaks ties by lower index and skips NaN and excluded indices', () => {
    const scores = new Float32Array([1, 3, Number.NaN, 3, 2, 3, 0]);
    const { indices, scores: selected } = topK({ scores, k: 4, exclude: [3] });
    expect(Array.from(indices)).toEqual([1, 5, 4, 0]);
    expect(Array.from(selected)).toEqual([3, 3, 2, 1]);
  });

  it('returns fewer than k when there are fewer candidates', () => {
    const { indices } = topK({ scores: new Float64Array([0.5, -1]), k: 10 });
    expect(Array.from(indices)).toEqual([0, 1]);
    expect(topK({ scores: new Float32Array(0), k: 3 }).indices.length).toBe(0);
  });

  it('rejects a non-positive k', () => {
    expect(() => topK({ scores: new Float32Array(3), k: 0 })).toThrow(InvalidArgumentError);
    expect(() => topK({ scores: new Float32Array(3), k: 1.5 })).toThrow(/k: must be a positive integer/);
  });
});

describe('TopKCollector', () => {
  it('keeps the best pairs across pushes and drains into an offset, emptying itself', () => {
    const collector = new TopKCollector(3);
    for (const [id, score] of [
      [10, 0.1],
      [11, 0.9],
      [12, 0.5],
      [13, 0.7],
      [14, 0.2],
    ] as const)
      collector.push(id, score);
    expect(collector.threshold).toBeCloseTo(0.5);
    const ids = new Int32Array(5).fill(-1);
    const scores = new Float32Array(5);
    expect(collector.drainInto(ids, scores, 2)).toBe(3);
    expect(Array.from(ids)).toEqual([-1, -1, 11, 13, 12]);
    expect(collector.size).toBe(0);
    expect(collector.threshold).toBe(Number.NEGATIVE_INFINITY);
  });
});
