import { InvalidArgumentError, InvalidDatasetError, ShapeMismatchError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { buildClusterTree } from './build-cluster-tree';
import { createRandom } from './random';
import { gaussian, plantedClusters, purity } from './test-fixtures';

/** 6 well-separated groups, each made of 4 tighter sub-groups of 60 points: 1,440 x 16. */
function hierarchical(seed: number) {
  const random = createRandom(seed);
  const dim = 16;
  const data = new Float32Array(6 * 4 * 60 * dim);
  const top = new Int32Array(6 * 4 * 60);
  const sub = new Int32Array(6 * 4 * 60);
  let row = 0;
  for (let g = 0; g < 6; g++) {
    const center = Array.from({ length: dim }, () => 20 * gaussian(random));
    for (let s = 0; s < 4; s++) {
      const subCenter = center.map((v) => v + 3 * gaussian(random));
      for (let t = 0; t < 60; t++, row++) {
        top[row] = g;
        sub[row] = g * 4 + s;
        for (let d = 0; d < dim; d++) data[row * dim + d] = subCenter[d]! + 0.2 * gaussian(random);
      }
    }
  }
  return { data, dim, top, sub };
}

function column(paths: Int32Array, levels: number, level: number): Int32Array {
  return Int32Array.from({ length: paths.length / levels }, (_, i) => paths[i * levels + level]!);
}

describe('buildClusterTree', () => {
  const planted = hierarchical(1);

  it('recovers both levels of a planted hierarchy', () => {
    const tree = buildClusterTree({ data: planted.data, dim: 16, branching: [6, 4], seed: 2 });
    expect(tree.levels).toBe(2);
    expect(tree.nodesPerLevel).toEqual([6, 24]);
    expect(tree.paths.length).toBe(1440 * 2);
    expect(purity(column(tree.paths, 2, 0), planted.top)).toBe(1);
    expect(purity(column(tree.paths, 2, 1), planted.sub)).toBeGreaterThan(0.98);
    // A level-1 id is a child of the level-0 id on the same path: parent = floor(id / 4).
    const parents = tree.parentsAt(1);
    for (let i = 0; i < 1440; i++) expect(parents[tree.paths[i * 2 + 1]!]).toBe(tree.paths[i * 2]);
    expect(tree.centroidsAt(1).length).toBe(24 * 16);
  });

  it('assign() and assignMany() reproduce the training paths', () => {
    const tree = buildClusterTree({
      data: planted.data,
      dim: 16,
      branching: 4,
      depth: 3,
      seed: 5,
      sampleSize: 200,
    });
    expect(tree.nodesPerLevel).toEqual([4, 16, 64]);
    let same = 0;
    for (let i = 0; i < 1440; i++) {
      const path = tree.assign(planted.data.subarray(i * 16, (i + 1) * 16));
      if (path.every((id, l) => id === tree.paths[i * 3 + l])) same++;
    }
    expect(same).toBe(1440); // unbalanced: training assignment is plain nearest, as in descent
    expect(tree.assignMany({ data: planted.data })).toEqual(tree.paths);
    const rows = Int32Array.from([5, 1000, 5]);
    expect(Array.from(tree.assignMany({ data: planted.data, rows }))).toEqual([
      ...tree.paths.subarray(15, 18),
      ...tree.paths.subarray(3000, 3003),
      ...tree.paths.subarray(15, 18),
    ]);
  });

  it('is deterministic for a seed', () => {
    const a = buildClusterTree({ data: planted.data, dim: 16, branching: [5, 5], seed: 7, sampleSize: 300 });
    const b = buildClusterTree({ data: planted.data, dim: 16, branching: [5, 5], seed: 7, sampleSize: 300 });
    expect(b.paths).toEqual(a.paths);
    expect(b.centroidsAt(1)).toEqual(a.centroidsAt(1));
    const c = buildClusterTree({ data: planted.data, dim: 16, branching: [5, 5], seed: 8, sampleSize: 300 });
    expect(c.centroidsAt(1)).not.toEqual(a.centroidsAt(1));
  });

  it('picks branching from leafCount', () => {
    const tree = buildClusterTree({ data: planted.data, dim: 16, leafCount: 12, depth: 2 });
    expect(tree.nodesPerLevel).toEqual([3, 12]);
    const big = buildClusterTree({ data: planted.data, dim: 16, leafCount: 1000, maxIterations: 2 });
    expect(big.nodesPerLevel).toEqual([32, 1024]);
  });

  it('respects the balanced cap on every leaf and level', () => {
    const skewed = plantedClusters({ sizes: [1200, 100, 100, 100], dim: 8, spread: 1, seed: 3 });
    const leafSizes = (paths: Int32Array, leaves: number) => {
      const sizes = new Int32Array(leaves);
      for (let i = 0; i < paths.length / 2; i++) sizes[paths[i * 2 + 1]!]! += 1;
      return sizes;
    };
    const free = buildClusterTree({ data: skewed.data, dim: 8, branching: [4, 4], seed: 1 });
    const freeLevel0 = new Int32Array(4);
    for (let i = 0; i < 1500; i++) freeLevel0[free.paths[i * 2]!]! += 1;
    expect(Math.max(...freeLevel0)).toBe(1200);
    const capped = buildClusterTree({
      data: skewed.data,
      dim: 8,
      branching: [4, 4],
      seed: 1,
      balanced: { maxClusterSize: 120 },
    });
    const sizes = leafSizes(capped.paths, 16);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(120);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1500);
    const level0 = new Int32Array(4);
    for (let i = 0; i < 1500; i++) level0[capped.paths[i * 2]!]! += 1;
    expect(Math.max(...level0)).toBeLessThanOrEqual(480);
    // Descent ignores the caps, so paths of displaced points may differ; most stay identical.
    const assigned = capped.assignMany({ data: skewed.data });
    let same = 0;
    for (let i = 0; i < 1500; i++) if (assigned[i * 2 + 1] === capped.paths[i * 2 + 1]) same++;
    expect(same / 1500).toBeGreaterThan(0.6);

    const factor = buildClusterTree({ data: skewed.data, dim: 8, branching: [4, 4], seed: 1, balanced: {} });
    const factorSizes = leafSizes(factor.paths, 16);
    // factor 2: level 0 cap ceil(2 * 1500 / 4) = 750; each child of m members caps at ceil(m / 2).
    expect(Math.max(...factorSizes)).toBeLessThanOrEqual(375);
  });

  it('handles nodes with fewer members than children', () => {
    const data = new Float32Array([0, 0, 0, 1, 10, 10, 10, 11, 50, 50]);
    const tree = buildClusterTree({ data, dim: 2, branching: [2, 4], seed: 1 });
    expect(tree.nodesPerLevel).toEqual([2, 8]);
    const leaves = new Set<number>();
    for (let i = 0; i < 5; i++) {
      expect(tree.assign(data.subarray(i * 2, i * 2 + 2))).toEqual(tree.paths.subarray(i * 2, i * 2 + 2));
      leaves.add(tree.paths[i * 2 + 1]!);
    }
    expect(leaves.size).toBe(5); // each point gets its own leaf
  });

  it('cosine: unit centroids and scale-invariant assignment', () => {
    const tree = buildClusterTree({
      data: planted.data,
      dim: 16,
      branching: [6, 4],
      metric: 'cosine',
      seed: 3,
    });
    const centroids = tree.centroidsAt(1);
    for (let j = 0; j < 24; j++) {
      let s = 0;
      for (let d = 0; d < 16; d++) s += centroids[j * 16 + d]! ** 2;
      expect(Math.sqrt(s)).toBeCloseTo(1, 5);
    }
    const v = planted.data.slice(160, 176);
    expect(tree.assign(v.map((x) => x * 7))).toEqual(tree.assign(v));
    expect(purity(column(tree.paths, 2, 0), planted.top)).toBeGreaterThan(0.95);
  });

  it('reports progress per node and supports mini-batch', () => {
    const calls: string[] = [];
    buildClusterTree({
      data: planted.data,
      dim: 16,
      branching: [3, 2],
      variant: 'minibatch',
      batchSize: 64,
      onProgress: (p) => calls.push(`${p.level}:${p.nodesDone}/${p.nodesTotal}`),
    });
    expect(calls).toEqual(['0:1/1', '1:1/3', '1:2/3', '1:3/3']);
  });

  it('rejects bad input', () => {
    const tree = buildClusterTree({ data: planted.data, dim: 16, branching: 2, depth: 1 });
    expect(() => tree.assign(new Float32Array(15))).toThrow(ShapeMismatchError);
    const nan = new Float32Array(16);
    nan[4] = Number.NaN;
    expect(() => tree.assign(nan)).toThrow(
      expect.objectContaining({ file: 'vector', field: 'column 4', kind: 'nan' }),
    );
    expect(() => tree.assignMany({ data: planted.data, rows: Int32Array.from([1440]) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => tree.centroidsAt(1)).toThrow(/level/);
    const bad = planted.data.slice();
    bad[33 * 16 + 2] = Number.NEGATIVE_INFINITY;
    expect(() => buildClusterTree({ data: bad, dim: 16, branching: 2, source: 'audio' })).toThrow(
      expect.objectContaining({ file: 'audio', line: 34, field: 'column 2' }),
    );
    expect(() => buildClusterTree({ data: bad, dim: 16, branching: 2 })).toThrow(InvalidDatasetError);
    expect(() => buildClusterTree({ data: planted.data, dim: 7, branching: 2 })).toThrow(ShapeMismatchError);
    expect(() => buildClusterTree({ data: planted.data, dim: 16 })).toThrow(/branching or leafCount/);
    expect(() => buildClusterTree({ data: planted.data, dim: 16, branching: 1 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => buildClusterTree({ data: planted.data, dim: 16, branching: [4, 4], depth: 3 })).toThrow(
      /depth/,
    );
    expect(() =>
      buildClusterTree({ data: planted.data, dim: 16, branching: [4, 4], balanced: { maxClusterSize: 89 } }),
    ).toThrow(/cannot hold 1440 rows/);
  });
});
