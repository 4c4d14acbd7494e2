import { InvalidArgumentError } from '@mmrecall/errors';
import { createRandom } from '@mmrecall/random';
import { describe, expect, it } from 'vitest';
import { topK } from './top-k';
import { TopKCollector } from './top-k-collector';

/** The reference order: higher score first, equal scores by lower id. */
function sortedPairs(pairs: readonly (readonly [number, number])[]): [number, number][] {
  return [...pairs].map((p) => [p[0], p[1]] as [number, number]).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

describe('TopKCollector', () => {
  it('keeps the k best by (score desc, id asc) whatever the arrival order, with many ties', () => {
    const random = createRandom(11);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(random() * 60);
      const capacity = 1 + Math.floor(random() * 12);
      // Scores from a small set so ties are common; ids shuffled so they arrive out of order.
      const ids = Array.from({ length: n }, (_, i) => i * 3 + 1);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      }
      const pairs = ids.map((id) => [id, Math.floor(random() * 5) / 4] as const);
      const collector = new TopKCollector(capacity);
      for (const [id, score] of pairs) collector.push(id, score);
      const expected = sortedPairs(pairs).slice(0, capacity);
      const outIds = new Int32Array(capacity + 2).fill(-1);
      const outScores = new Float32Array(capacity + 2).fill(Number.NEGATIVE_INFINITY);
      expect(collector.drainInto(outIds, outScores, 2)).toBe(expected.length);
      expect(Array.from(outIds.subarray(2, 2 + expected.length))).toEqual(expected.map((p) => p[0]));
      expect(Array.from(outScores.subarray(2, 2 + expected.length))).toEqual(expected.map((p) => p[1]));
      expect(Array.from(outIds.subarray(0, 2))).toEqual([-1, -1]);
      expect(collector.size).toBe(0);
    }
  });

  it('raises the threshold to the worst kept score once full', () => {
    const collector = new TopKCollector(2);
    collector.push(5, 0.3);
    expect(collector.threshold).toBe(Number.NEGATIVE_INFINITY);
    collector.push(6, 0.1);
    expect(collector.threshold).toBeCloseTo(0.1);
    collector.push(7, 0.2);
    expect(collector.threshold).toBeCloseTo(0.2);
    // An equal score with a lower id replaces the root; with a higher id it is rejected.
    collector.push(9, 0.2);
    collector.push(1, 0.2);
    const ids = new Int32Array(2);
    collector.drainInto(ids, new Float32Array(2), 0);
    expect(Array.from(ids)).toEqual([5, 1]);
  });
});

describe('topK', () => {
  it('matches a full sort, skipping NaN and excluded indices', () => {
    const random = createRandom(3);
    const scores = Float64Array.from({ length: 500 }, () => Math.round(random() * 40) / 40);
    scores[17] = Number.NaN;
    const exclude = new Set([1, 2, 3, 250]);
    const { indices, scores: selected } = topK({ scores, k: 30, exclude });
    const expected = sortedPairs(
      Array.from(scores, (score, i) => [i, score] as const).filter(
        ([i, score]) => !Number.isNaN(score) && !exclude.has(i),
      ),
    ).slice(0, 30);
    expect(Array.from(indices)).toEqual(expected.map((p) => p[0]));
    expect(Array.from(selected)).toEqual(expected.map((p) => Math.fround(p[1])));
  });

  it('names k when it is not a positive integer', () => {
    expect(() => topK({ scores: new Float32Array(2), k: 0 })).toThrow('k: must be a positive integer, got 0');
    expect(() => topK({ scores: [1, 2] as unknown as Float32Array, k: 1 })).toThrow(InvalidArgumentError);
  });
});
