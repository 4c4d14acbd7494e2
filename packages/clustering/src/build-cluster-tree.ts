import { checkFiniteNumber, checkInteger, InvalidArgumentError } from '@mmrecall/errors';
import { saltSeed } from '@mmrecall/random';
import { assignWithCapacity } from './capacity-assign';
import type { TreeLevelData } from './cluster-tree-json';
import { type ClusterTree, createClusterTree } from './cluster-tree-model';
import { nearestCentroids, normalizeRows, squaredNorms } from './distance';
import { checkKmeansSettings, type KmeansVariant, type Metric, runKmeans } from './kmeans';
import { createRandom, sampleWithoutReplacement } from './random';
import { checkMatrix } from './validate';

/** Size caps of a balanced tree. With neither field set, `factor` is 2. */
export interface BalancedOptions {
  /** No leaf holds more than this many training rows (upper levels get the matching multiple). */
  maxClusterSize?: number;
  /** No child of a node with m members and b children gets more than ceil(factor * m / b) of them. */
  factor?: number;
}

/** Progress report of {@link buildClusterTree}, sent after each trained node. */
export interface ClusterTreeProgress {
  /** 0-based level being built. */
  level: number;
  /** Levels in total. */
  levels: number;
  /** Nodes of this level's parents done so far. */
  nodesDone: number;
  /** Parents at this level (1 at level 0). */
  nodesTotal: number;
}

/** Options of {@link buildClusterTree}. Give `branching`, or `leafCount` (with optional `depth`). */
export interface BuildClusterTreeOptions {
  /** Row-major vectors, `n x dim`. Not modified. */
  data: Float32Array;
  /** Vector length. */
  dim: number;
  /** Children per node: one number for every level, or one per level (then `depth` is its length). */
  branching?: number | number[];
  /** Levels below the root (default 2, or the length of a `branching` array). */
  depth?: number;
  /**
   * Alternative to `branching`: wanted leaf count. Upper levels get round(leafCount^(1/depth))
   * children, the last level enough to reach at least `leafCount` leaves.
   */
  leafCount?: number;
  /** `l2` (default) or `cosine` (rows and centroids L2-normalised). */
  metric?: Metric;
  /** Seed of every random choice (node seeds are derived from it). Default 0. */
  seed?: number;
  /** Caps cluster sizes so no leaf swallows the catalogue (greedy assignment with capacity). */
  balanced?: BalancedOptions;
  /** k-means variant used at each node (default `lloyd`). */
  variant?: KmeansVariant;
  /** Iteration budget of each node's k-means (default 25). */
  maxIterations?: number;
  /** Relative inertia tolerance of each node's k-means (default 1e-4). */
  tolerance?: number;
  /** Mini-batch size when `variant` is `minibatch` (default 1024). */
  batchSize?: number;
  /**
   * Each node's k-means is trained on a seeded sample of at most this many of its members; then all
   * members are assigned to the trained centroids. Default 256 x the level's branching.
   */
  sampleSize?: number;
  /** Called after each node is trained. */
  onProgress?: (progress: ClusterTreeProgress) => void;
  /** Name of the data used in error messages. Default `input`. */
  source?: string;
}

function resolveBranching(options: BuildClusterTreeOptions): number[] {
  const { branching, leafCount, depth } = options;
  if (branching !== undefined && leafCount !== undefined) {
    throw new InvalidArgumentError({
      argument: 'branching',
      message: 'give branching or leafCount, not both',
    });
  }
  if (Array.isArray(branching)) {
    if (branching.length === 0)
      throw new InvalidArgumentError({ argument: 'branching', message: 'must not be empty' });
    if (depth !== undefined && depth !== branching.length) {
      throw new InvalidArgumentError({
        argument: 'depth',
        message: `is ${depth} but branching has ${branching.length} levels`,
      });
    }
    return branching.map((b, l) => checkInteger({ argument: `branching[${l}]`, value: b, min: 2 }));
  }
  const levels = checkInteger({ argument: 'depth', value: depth ?? 2, min: 1 });
  if (branching !== undefined)
    return new Array<number>(levels).fill(checkInteger({ argument: 'branching', value: branching, min: 2 }));
  if (leafCount === undefined) {
    throw new InvalidArgumentError({ argument: 'branching', message: 'give branching or leafCount' });
  }
  const leaves = checkInteger({ argument: 'leafCount', value: leafCount, min: 2 });
  const upper = Math.max(2, Math.round(leaves ** (1 / levels)));
  const result = new Array<number>(levels).fill(upper);
  result[levels - 1] = Math.max(2, Math.ceil(leaves / upper ** (levels - 1)));
  return result;
}

/**
 * Hierarchical (tree) k-means: level 0 clusters all rows into `branching[0]` nodes, and every node is
 * split by a k-means trained on its own members. Returns the tree with the path of every row.
 */
export function buildClusterTree(options: BuildClusterTreeOptions): ClusterTree {
  const source = options.source ?? 'input';
  const n = checkMatrix({ data: options.data, dim: options.dim, source });
  const dim = options.dim;
  if (n === 0) throw new InvalidArgumentError({ argument: 'data', message: 'needs at least one row' });
  const branching = resolveBranching(options);
  const levels = branching.length;
  const { metric, variant, seed, maxIterations, tolerance, batchSize } = checkKmeansSettings(options, 25);
  const sampleSize =
    options.sampleSize === undefined
      ? undefined
      : checkInteger({ argument: 'sampleSize', value: options.sampleSize, min: 2 });
  let leafCap = Number.POSITIVE_INFINITY;
  let factor = Number.POSITIVE_INFINITY;
  if (options.balanced !== undefined) {
    const { maxClusterSize, factor: balanceFactor } = options.balanced;
    if (maxClusterSize !== undefined)
      leafCap = checkInteger({ argument: 'balanced.maxClusterSize', value: maxClusterSize, min: 1 });
    if (balanceFactor !== undefined)
      factor = checkFiniteNumber({ argument: 'balanced.factor', value: balanceFactor, min: 1 });
    if (maxClusterSize === undefined && balanceFactor === undefined) factor = 2;
    const leaves = branching.reduce((a, b) => a * b, 1);
    if (leafCap * leaves < n) {
      throw new InvalidArgumentError({
        argument: 'balanced.maxClusterSize',
        message: `${leafCap} x ${leaves} leaves cannot hold ${n} rows`,
      });
    }
  }

  let data = options.data;
  if (metric === 'cosine') {
    data = data.slice();
    normalizeRows(data, dim);
  }
  const norms = squaredNorms(data, dim);
  const paths = new Int32Array(n * levels);
  const node = new Int32Array(n); // node of each row at the previous level (root = 0)
  const sorted = new Int32Array(n);
  const labels = new Int32Array(n);
  const distances = new Float32Array(n);
  const treeLevels: TreeLevelData[] = [];
  let parentCount = 1;
  let parentCentroids: Float32Array = meanRow(data, n, dim, metric);

  for (let l = 0; l < levels; l++) {
    const b = branching[l]!;
    const count = parentCount * b;
    const centroids = new Float32Array(count * dim);
    const parents = new Int32Array(count);
    const belowLeaves = branching.slice(l + 1).reduce((a, c) => a * c, 1);
    const offsets = new Int32Array(parentCount + 1);
    for (let i = 0; i < n; i++) offsets[node[i]! + 1]! += 1;
    for (let p = 0; p < parentCount; p++) offsets[p + 1]! += offsets[p]!;
    const cursor = offsets.slice(0, parentCount);
    for (let i = 0; i < n; i++) sorted[cursor[node[i]!]!++] = i;

    for (let p = 0; p < parentCount; p++) {
      const first = p * b;
      parents.fill(l === 0 ? -1 : p, first, first + b);
      const start = offsets[p]!;
      const end = offsets[p + 1]!;
      const m = end - start;
      const kEff = Math.min(b, m);
      const childCentroids = centroids.subarray(first * dim, (first + b) * dim);
      if (m <= b) {
        // Too few members to cluster: one member per child.
        for (let s = start; s < end; s++) {
          const row = sorted[s]!;
          childCentroids.set(data.subarray(row * dim, (row + 1) * dim), (s - start) * dim);
          labels[s] = s - start;
        }
      } else {
        const cap = Math.min(leafCap * belowLeaves, Math.ceil((factor * m) / kEff));
        const random = createRandom(saltSeed(saltSeed(seed, l + 1), p));
        const perNode = sampleSize ?? 256 * b;
        const pool = sorted.subarray(start, end);
        const picks =
          m <= perNode ? pool : sampleWithoutReplacement({ poolSize: m, count: perNode, random, pool });
        const s = picks.length;
        const sample = new Float32Array(s * dim);
        for (let t = 0; t < s; t++)
          sample.set(data.subarray(picks[t]! * dim, (picks[t]! + 1) * dim), t * dim);
        const sampleCap = Number.isFinite(cap)
          ? Math.max(Math.ceil(s / kEff), Math.ceil((cap * s) / m))
          : undefined;
        const trained = runKmeans({
          data: sample,
          dataNorms: squaredNorms(sample, dim),
          n: s,
          dim,
          k: kEff,
          metric,
          random,
          variant,
          maxIterations,
          tolerance,
          batchSize: Math.min(batchSize, s),
          init: 'kmeans++',
          initSampleSize: Math.max(4096, 16 * kEff),
          maxClusterSize: sampleCap,
          onProgress: undefined,
        });
        childCentroids.set(trained.centroids);
        const assignInput = {
          data,
          dataNorms: norms,
          dim,
          rows: sorted,
          start,
          end,
          centroids: trained.centroids,
          centroidNorms: squaredNorms(trained.centroids, dim),
          k: kEff,
          labels,
          distances,
          outOffset: start,
        };
        if (Number.isFinite(cap))
          assignWithCapacity({ ...assignInput, capacity: cap, sizes: new Int32Array(kEff) });
        else nearestCentroids(assignInput);
      }
      // Unused children (m < b) repeat the first child's centroid, so descending never picks them.
      const template =
        m === 0 ? parentCentroids.subarray(p * dim, (p + 1) * dim) : childCentroids.subarray(0, dim);
      for (let c = Math.max(kEff, 0); c < b; c++) childCentroids.set(template, c * dim);
      for (let s = start; s < end; s++) {
        const row = sorted[s]!;
        const id = first + labels[s]!;
        node[row] = id;
        paths[row * levels + l] = id;
      }
      options.onProgress?.({ level: l, levels, nodesDone: p + 1, nodesTotal: parentCount });
    }
    treeLevels.push({ centroids, parents });
    parentCount = count;
    parentCentroids = centroids;
  }
  return createClusterTree({ metric, dim, levels: treeLevels, paths });
}

function meanRow(data: Float32Array, n: number, dim: number, metric: Metric): Float32Array {
  const sums = new Float64Array(dim);
  for (let i = 0, o = 0; i < n; i++, o += dim) for (let d = 0; d < dim; d++) sums[d]! += data[o + d]!;
  const mean = Float32Array.from(sums, (v) => v / n);
  if (metric === 'cosine') normalizeRows(mean, dim);
  return mean;
}
