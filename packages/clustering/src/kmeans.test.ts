import { InvalidArgumentError, InvalidDatasetError, ShapeMismatchError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { kmeans, repairEmptyClusters } from './kmeans';
import { plantedClusters, purity } from './test-fixtures';

describe('kmeans (lloyd)', () => {
  const planted = plantedClusters({ sizes: [300, 300, 300, 300, 300], dim: 16, spread: 0.3, seed: 1 });

  it('recovers well-separated planted clusters', () => {
    const result = kmeans({ data: planted.data, dim: 16, k: 5, seed: 3 });
    expect(purity(result.assignments, planted.labels)).toBe(1);
    expect(Array.from(result.sizes).sort()).toEqual([300, 300, 300, 300, 300]);
    expect(result.converged).toBe(true);
    // Expected inertia ~ n * dim * spread^2 = 1500 * 16 * 0.09 = 2160.
    expect(result.inertia).toBeGreaterThan(2160 * 0.9);
    expect(result.inertia).toBeLessThan(2160 * 1.1);
    // Each centroid sits on a planted centre.
    for (let j = 0; j < 5; j++) {
      const label = planted.labels[result.assignments.indexOf(j)]!;
      let err = 0;
      for (let d = 0; d < 16; d++)
        err = Math.max(err, Math.abs(result.centroids[j * 16 + d]! - planted.centers[label * 16 + d]!));
      expect(err).toBeLessThan(0.1);
    }
  });

  it('is deterministic for a seed', () => {
    const a = kmeans({ data: planted.data, dim: 16, k: 7, seed: 42, maxIterations: 5 });
    const b = kmeans({ data: planted.data, dim: 16, k: 7, seed: 42, maxIterations: 5 });
    expect(b.centroids).toEqual(a.centroids);
    expect(b.assignments).toEqual(a.assignments);
    expect(b.inertia).toBe(a.inertia);
    const c = kmeans({ data: planted.data, dim: 16, k: 7, seed: 43, maxIterations: 5 });
    expect(c.centroids).not.toEqual(a.centroids);
  });

  it('never increases the inertia between Lloyd iterations', () => {
    const overlapping = plantedClusters({ sizes: new Array(10).fill(200), dim: 8, spread: 8, seed: 5 });
    const history: number[] = [];
    const result = kmeans({
      data: overlapping.data,
      dim: 8,
      k: 10,
      seed: 1,
      init: 'random',
      tolerance: 0,
      maxIterations: 40,
      onProgress: (p) => history.push(p.inertia),
    });
    expect(history.length).toBeGreaterThan(5);
    for (let t = 1; t < history.length; t++)
      expect(history[t]!).toBeLessThanOrEqual(history[t - 1]! * (1 + 1e-6));
    expect(history[history.length - 1]!).toBeLessThan(history[0]! * 0.95);
    expect(result.inertia).toBeCloseTo(history[history.length - 1]!, 3);
    expect(result.iterations).toBe(history.length - 1);
  });

  it('re-seeds an empty cluster from the farthest point', () => {
    const init = new Float32Array(5 * 16);
    for (let j = 0; j < 4; j++) init.set(planted.centers.subarray(j * 16, (j + 1) * 16), j * 16);
    init.fill(1000, 4 * 16); // nothing is near this centroid: it is empty after the first assignment
    const result = kmeans({ data: planted.data, dim: 16, k: 5, init });
    expect(result.repairs).toBeGreaterThanOrEqual(1);
    expect(Math.min(...result.sizes)).toBeGreaterThan(0);
    expect(purity(result.assignments, planted.labels)).toBe(1);
  });

  it('repairEmptyClusters moves the farthest point of a multi-member cluster', () => {
    const data = new Float32Array([0, 0, 1, 0, 5, 0, 9, 9]);
    const centroids = new Float32Array([0, 0, 9, 9, 100, 100]);
    const labels = new Int32Array([0, 0, 0, 1]);
    const distances = new Float32Array([0, 1, 25, 0]);
    const sizes = new Int32Array([3, 1, 0]);
    expect(repairEmptyClusters(data, 2, centroids, labels, distances, sizes)).toBe(1);
    expect(Array.from(centroids.subarray(4))).toEqual([5, 0]);
    expect(Array.from(labels)).toEqual([0, 0, 2, 1]);
    expect(Array.from(sizes)).toEqual([2, 1, 1]);
  });

  it('caps cluster sizes with maxClusterSize', () => {
    const skewed = plantedClusters({ sizes: [600, 100, 100, 100], dim: 8, spread: 0.5, seed: 9 });
    const free = kmeans({ data: skewed.data, dim: 8, k: 4, seed: 2 });
    expect(Math.max(...free.sizes)).toBe(600);
    const capped = kmeans({ data: skewed.data, dim: 8, k: 4, seed: 2, maxClusterSize: 300 });
    expect(Math.max(...capped.sizes)).toBeLessThanOrEqual(300);
    expect(capped.sizes.reduce((a, b) => a + b, 0)).toBe(900);
    const counted = new Int32Array(4);
    for (const a of capped.assignments) counted[a]! += 1;
    expect(counted).toEqual(capped.sizes);
  });
});

describe('kmeans (minibatch)', () => {
  it('reaches an inertia close to Lloyd', () => {
    const planted = plantedClusters({ sizes: new Array(8).fill(600), dim: 16, spread: 2, seed: 11 });
    const lloyd = kmeans({ data: planted.data, dim: 16, k: 8, seed: 4 });
    const mini = kmeans({
      data: planted.data,
      dim: 16,
      k: 8,
      seed: 4,
      variant: 'minibatch',
      batchSize: 256,
      maxIterations: 200,
    });
    expect(mini.inertia).toBeLessThan(lloyd.inertia * 1.05);
    expect(mini.inertia).toBeGreaterThanOrEqual(lloyd.inertia * 0.999);
    expect(purity(mini.assignments, planted.labels)).toBeGreaterThan(0.99);
    expect(mini.sizes.reduce((a, b) => a + b, 0)).toBe(4800);
  });
});

describe('kmeans (cosine)', () => {
  it('clusters by direction whatever the length, with unit centroids', () => {
    const planted = plantedClusters({ sizes: [200, 200, 200], dim: 12, spread: 0.5, seed: 21 });
    const scaled = planted.data.slice();
    for (let r = 0; r < 600; r++) {
      const scale = 0.1 + (r % 7) * 3;
      for (let d = 0; d < 12; d++) scaled[r * 12 + d]! *= scale;
    }
    const result = kmeans({ data: scaled, dim: 12, k: 3, metric: 'cosine', seed: 1 });
    expect(purity(result.assignments, planted.labels)).toBe(1);
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let d = 0; d < 12; d++) s += result.centroids[j * 12 + d]! ** 2;
      expect(Math.sqrt(s)).toBeCloseTo(1, 5);
    }
    // Inertia is measured between unit vectors: 2 - 2 cos, so at most 4 per point.
    expect(result.inertia).toBeGreaterThan(0);
    expect(result.inertia).toBeLessThan(600 * 0.1);
    expect(scaled).not.toEqual(planted.data); // input untouched: still scaled
  });
});

describe('kmeans bad input', () => {
  const data = new Float32Array(40).map((_, i) => i);

  it('names row and column of a NaN or Infinity', () => {
    const bad = data.slice();
    bad[7 * 4 + 3] = Number.NaN;
    const error = (() => {
      try {
        kmeans({ data: bad, dim: 4, k: 2 });
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidDatasetError.isInstance(error)).toBe(true);
    const dataset = error as InvalidDatasetError;
    expect(dataset.file).toBe('input');
    expect(dataset.line).toBe(8);
    expect(dataset.field).toBe('column 3');
    expect(dataset.kind).toBe('nan');
    expect(dataset.message).toContain('row 7 (0-based), column 3');
    bad[7 * 4 + 3] = Number.POSITIVE_INFINITY;
    expect(() => kmeans({ data: bad, dim: 4, k: 2, source: 'image' })).toThrow(
      expect.objectContaining({ file: 'image', kind: 'infinity', line: 8 }),
    );
  });

  it('rejects a length that is not a multiple of dim', () => {
    expect(() => kmeans({ data, dim: 3, k: 2 })).toThrow(ShapeMismatchError);
  });

  it('rejects k > n, k < 1 and unknown options', () => {
    expect(() => kmeans({ data, dim: 4, k: 11 })).toThrow(/k: k = 11 exceeds the number of points \(10\)/);
    expect(() => kmeans({ data, dim: 4, k: 0 })).toThrow(InvalidArgumentError);
    expect(() => kmeans({ data, dim: 4, k: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => kmeans({ data, dim: 4, k: 2, metric: 'manhattan' as 'l2' })).toThrow(/metric/);
    expect(() => kmeans({ data, dim: 0, k: 2 })).toThrow(/dim/);
    expect(() => kmeans({ data, dim: 4, k: 2, maxClusterSize: 4 })).toThrow(/cannot hold 10 points/);
    expect(() => kmeans({ data, dim: 4, k: 2, init: new Float32Array(4) })).toThrow(ShapeMismatchError);
  });
});
