import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import {
  type CentroidEncoding,
  type ClusterTreeJson,
  encodeClusterTree,
  type TreeLevelData,
} from './cluster-tree-json';
import { nearestCentroids, normalizeRows, squaredNorms } from './distance';
import type { Metric } from './kmeans';
import { checkFinite, checkMatrix } from './validate';

/** Options of {@link ClusterTree.assignMany}. */
export interface AssignManyOptions {
  /** Row-major vectors, `n x dim`. */
  data: Float32Array;
  /** Only these rows (0-based indices into `data`), in this order. Default: every row. */
  rows?: Int32Array;
  /** Name of the data used in error messages. Default `input`. */
  source?: string;
}

/** Options of {@link ClusterTree.toJSON}. */
export interface ClusterTreeToJsonOptions {
  /** Centroid encoding, `base64-f32le` (default, compact and exact) or `array`. */
  encoding?: CentroidEncoding;
}

/** A hierarchical k-means tree: each level's nodes are the virtual ids of the vectors under them. */
export interface ClusterTree {
  /** Distance used to build and descend the tree. */
  readonly metric: Metric;
  /** Vector length. */
  readonly dim: number;
  /** Levels below the root. */
  readonly levels: number;
  /** Global node count per level; node ids are 0-based within their level. */
  readonly nodesPerLevel: readonly number[];
  /**
   * Training paths, `n x levels` row-major: the global node id of each training row at each level.
   * Empty for a tree loaded from JSON (use `assignMany`).
   */
  readonly paths: Int32Array;
  /** Descends the tree with one vector; returns its node id at each level. */
  assign(vector: Float32Array): Int32Array;
  /** Descends the tree with many vectors; returns `count x levels` node ids. */
  assignMany(options: AssignManyOptions): Int32Array;
  /** Centroids of a level, `nodesPerLevel[level] x dim` row-major (a copy). */
  centroidsAt(level: number): Float32Array;
  /** Parent ids of a level's nodes (-1 at level 0), a copy. */
  parentsAt(level: number): Int32Array;
  /** The JSON document (see README for the format). */
  toJSON(options?: ClusterTreeToJsonOptions): ClusterTreeJson;
}

interface LevelIndex {
  centroids: Float32Array;
  centroidNorms: Float32Array;
  parents: Int32Array;
  /** children of parent p at this level are ids childStart[p]..childStart[p + 1]. */
  childStart: Int32Array;
}

/**
 * Creates a tree from its levels (validated by the caller: children of a parent contiguous, parents
 * non-decreasing, every parent has a child).
 */
export function createClusterTree(options: {
  metric: Metric;
  dim: number;
  levels: readonly TreeLevelData[];
  paths: Int32Array;
}): ClusterTree {
  const { metric, dim, paths } = options;
  const index: LevelIndex[] = options.levels.map((level, l) => {
    const parentCount = l === 0 ? 1 : options.levels[l - 1]!.parents.length;
    const childStart = new Int32Array(parentCount + 1);
    for (const parent of level.parents) childStart[Math.max(parent, 0) + 1]! += 1;
    for (let p = 0; p < parentCount; p++) childStart[p + 1]! += childStart[p]!;
    return {
      centroids: level.centroids,
      centroidNorms: squaredNorms(level.centroids, dim),
      parents: level.parents,
      childStart,
    };
  });
  const levels = index.length;
  const nodesPerLevel = index.map((level) => level.parents.length);

  const checkLevel = (level: number): LevelIndex => {
    const found = Number.isInteger(level) ? index[level] : undefined;
    if (!found) throw new InvalidArgumentError({ argument: 'level', message: `must be in 0..${levels - 1}` });
    return found;
  };

  const assignMany = (assignOptions: AssignManyOptions): Int32Array => {
    const source = assignOptions.source ?? 'input';
    const n = checkMatrix({ data: assignOptions.data, dim, source });
    const rows = assignOptions.rows;
    let data = assignOptions.data;
    let count = n;
    if (rows !== undefined) {
      if (!(rows instanceof Int32Array)) {
        throw new InvalidArgumentError({ argument: 'rows', message: 'must be an Int32Array of row indices' });
      }
      count = rows.length;
      data = new Float32Array(count * dim);
      for (let t = 0; t < count; t++) {
        const r = rows[t]!;
        if (r < 0 || r >= n) {
          throw new InvalidArgumentError({ argument: `rows[${t}]`, message: `${r} is outside 0..${n - 1}` });
        }
        data.set(assignOptions.data.subarray(r * dim, (r + 1) * dim), t * dim);
      }
    } else if (metric === 'cosine') {
      data = data.slice();
    }
    if (metric === 'cosine') normalizeRows(data, dim);
    return descend(data, count);
  };

  const descend = (data: Float32Array, count: number): Int32Array => {
    const out = new Int32Array(count * levels);
    const norms = squaredNorms(data, dim);
    const node = new Int32Array(count); // current node per item, at the previous level
    const sorted = new Int32Array(count);
    const labels = new Int32Array(count);
    const distances = new Float32Array(count);
    for (let l = 0; l < levels; l++) {
      const level = index[l]!;
      const parentCount = level.childStart.length - 1;
      // Counting sort of the items by their current node.
      const offsets = new Int32Array(parentCount + 1);
      for (let t = 0; t < count; t++) offsets[node[t]! + 1]! += 1;
      for (let p = 0; p < parentCount; p++) offsets[p + 1]! += offsets[p]!;
      const cursor = offsets.slice(0, parentCount);
      for (let t = 0; t < count; t++) sorted[cursor[node[t]!]!++] = t;
      for (let p = 0; p < parentCount; p++) {
        const start = offsets[p]!;
        const end = offsets[p + 1]!;
        if (start === end) continue;
        const first = level.childStart[p]!;
        const last = level.childStart[p + 1]!;
        nearestCentroids({
          data,
          dataNorms: norms,
          dim,
          rows: sorted,
          start,
          end,
          centroids: level.centroids.subarray(first * dim, last * dim),
          centroidNorms: level.centroidNorms.subarray(first, last),
          k: last - first,
          labels,
          distances,
          outOffset: start,
        });
        for (let s = start; s < end; s++) {
          const t = sorted[s]!;
          const id = first + labels[s]!;
          node[t] = id;
          out[t * levels + l] = id;
        }
      }
    }
    return out;
  };

  return {
    metric,
    dim,
    levels,
    nodesPerLevel,
    paths,
    assign(vector: Float32Array): Int32Array {
      if (!(vector instanceof Float32Array)) {
        throw new InvalidArgumentError({ argument: 'vector', message: 'must be a Float32Array' });
      }
      if (vector.length !== dim) {
        throw new ShapeMismatchError({
          message: 'vector length does not match the tree',
          expected: [dim],
          actual: [vector.length],
        });
      }
      checkFinite(vector, dim, 'vector');
      const data = vector.slice();
      if (metric === 'cosine') normalizeRows(data, dim);
      return descend(data, 1);
    },
    assignMany,
    centroidsAt: (level) => checkLevel(level).centroids.slice(),
    parentsAt: (level) => checkLevel(level).parents.slice(),
    toJSON: (jsonOptions) =>
      encodeClusterTree({
        metric,
        dim,
        levels: options.levels,
        encoding: jsonOptions?.encoding ?? 'base64-f32le',
      }),
  };
}
