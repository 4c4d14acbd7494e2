import { describe, expect, it } from 'vitest';
import { assignWithCapacity } from './capacity-assign';
import { nearestCentroids, normalizeRows, squaredNorms } from './distance';
import { createRandom } from './random';
import { gaussian } from './test-fixtures';

function randomMatrix(rows: number, dim: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: rows * dim }, () => gaussian(random));
}

describe('nearestCentroids', () => {
  it('matches a brute-force search (odd point count, k not a multiple of 4, row indirection, offset)', () => {
    const dim = 13;
    const data = randomMatrix(50, dim, 1);
    const centroids = randomMatrix(7, dim, 2);
    const rows = Int32Array.from({ length: 50 }, (_, i) => (i * 17) % 50);
    const labels = new Int32Array(60).fill(-1);
    const distances = new Float32Array(60);
    nearestCentroids({
      data,
      dataNorms: squaredNorms(data, dim),
      dim,
      rows,
      start: 10,
      end: 49,
      centroids,
      centroidNorms: squaredNorms(centroids, dim),
      k: 7,
      labels,
      distances,
      outOffset: 20,
    });
    expect(Array.from(labels.subarray(0, 20))).toEqual(new Array(20).fill(-1));
    expect(labels[59]).toBe(-1);
    for (let i = 10; i < 49; i++) {
      const p = rows[i]!;
      let best = Number.POSITIVE_INFINITY;
      let bestJ = -1;
      for (let j = 0; j < 7; j++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += (data[p * dim + d]! - centroids[j * dim + d]!) ** 2;
        if (s < best) {
          best = s;
          bestJ = j;
        }
      }
      expect(labels[20 + i - 10]).toBe(bestJ);
      expect(distances[20 + i - 10]!).toBeCloseTo(best, 3);
    }
  });

  it('normalizeRows gives unit rows and leaves zero rows alone', () => {
    const data = new Float32Array([3, 4, 0, 0]);
    normalizeRows(data, 2);
    expect(Array.from(data)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0]);
  });
});

describe('assignWithCapacity', () => {
  const base = (data: Float32Array, centroids: Float32Array, capacity: number) => {
    const n = data.length;
    const labels = new Int32Array(n);
    const distances = new Float32Array(n);
    const sizes = new Int32Array(centroids.length);
    const displaced = assignWithCapacity({
      data,
      dataNorms: squaredNorms(data, 1),
      dim: 1,
      rows: null,
      start: 0,
      end: n,
      centroids,
      centroidNorms: squaredNorms(centroids, 1),
      k: centroids.length,
      labels,
      distances,
      outOffset: 0,
      capacity,
      sizes,
    });
    return { labels, distances, sizes, displaced };
  };

  it('equals nearest assignment when nothing overflows', () => {
    const result = base(new Float32Array([0, 1, 9, 10]), new Float32Array([0, 10]), 2);
    expect(Array.from(result.labels)).toEqual([0, 0, 1, 1]);
    expect(result.displaced).toBe(0);
  });

  it('moves the farthest members of a full cluster to their next-nearest centroid', () => {
    // Points 0, 1, 3, 2 are nearest to centroid 0, point 10 to centroid 1. Visiting by distance:
    // 0 -> c0, 10 -> c1, 1 -> c0 (now full), 2 -> c1 (now full), 3 -> c2 (last with room).
    const result = base(new Float32Array([0, 1, 3, 2, 10]), new Float32Array([0, 10, 20]), 2);
    expect(Array.from(result.labels)).toEqual([0, 0, 2, 1, 1]);
    expect(Array.from(result.sizes)).toEqual([2, 2, 1]);
    expect(result.displaced).toBe(2);
    expect(Array.from(result.distances)).toEqual([0, 1, 289, 64, 0]);
  });
});
