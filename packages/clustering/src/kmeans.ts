import {
  checkFiniteNumber,
  checkInteger,
  checkOneOf,
  InvalidArgumentError,
  ShapeMismatchError,
} from '@mmrecall/errors';
import { assignWithCapacity } from './capacity-assign';
import { nearestCentroids, normalizeRows, squaredDistance, squaredNorms } from './distance';
import { createRandom, type Random, sampleWithoutReplacement } from './random';
import { checkFinite, checkMatrix } from './validate';

/** Distance used for clustering. `cosine` normalises inputs and centroids (spherical k-means). */
export type Metric = 'l2' | 'cosine';
/** `lloyd`: full-batch iterations; `minibatch`: Sculley's mini-batch updates, then one full assignment. */
export type KmeansVariant = 'lloyd' | 'minibatch';

/** Progress report of {@link kmeans}, sent once per iteration (Lloyd) or per batch (mini-batch). */
export interface KmeansProgress {
  /** 0-based iteration (Lloyd: assignment step; mini-batch: batch number). */
  iteration: number;
  /** The configured iteration budget. */
  maxIterations: number;
  /** Lloyd: inertia of this assignment; mini-batch: smoothed mean squared distance of the batches. */
  inertia: number;
}

/** Options of {@link kmeans}. */
export interface KmeansOptions {
  /** Row-major vectors, `n x dim`. Not modified. */
  data: Float32Array;
  /** Length of each vector. */
  dim: number;
  /** Number of clusters, 1 <= k <= n. */
  k: number;
  /** `l2` (default) or `cosine` (spherical k-means: rows and centroids are L2-normalised). */
  metric?: Metric;
  /** Seed of every random choice; the same seed and input give bit-identical results. Default 0. */
  seed?: number;
  /** `lloyd` (default) or `minibatch`. */
  variant?: KmeansVariant;
  /** Lloyd: maximum number of centroid updates (default 100). Mini-batch: number of batches (default 100). */
  maxIterations?: number;
  /**
   * Lloyd stops when the inertia improves by less than `tolerance` times its previous value; mini-batch
   * counts a batch as an improvement only when the smoothed batch inertia drops by more than this
   * fraction and stops after 10 batches without one. Default 1e-4.
   */
  tolerance?: number;
  /** Mini-batch size (default 1024, capped at n). */
  batchSize?: number;
  /**
   * Initial centroids: `kmeans++` (default, seeded; greedy with 2 + ln k candidates per step when
   * k <= 128, plain above), `random` (k distinct random points) or explicit centroids (`k x dim`
   * Float32Array; normalised for cosine).
   */
  init?: 'kmeans++' | 'random' | Float32Array;
  /** k-means++ runs on a seeded sample of at most this many points (default max(4096, 16 k)). */
  initSampleSize?: number;
  /**
   * Balanced clustering: no cluster gets more than this many points (greedy-by-distance assignment
   * with capacity, see README). Needs `maxClusterSize * k >= n`. Lloyd applies it at every
   * iteration, mini-batch in its final assignment.
   */
  maxClusterSize?: number;
  /** Called after each iteration or batch. */
  onProgress?: (progress: KmeansProgress) => void;
  /** Name of the data used in error messages (InvalidDatasetError.file). Default `input`. */
  source?: string;
}

/** Result of {@link kmeans}. */
export interface KmeansResult {
  /** `k x dim` row-major centroids (unit length for cosine). */
  centroids: Float32Array;
  /** Cluster of each input row. */
  assignments: Int32Array;
  /** Sum of squared L2 distances from each row to its centroid (for cosine: between normalised rows, = 2 - 2 cos). */
  inertia: number;
  /** Lloyd: centroid updates performed; mini-batch: batches processed. */
  iterations: number;
  /** Members per cluster. */
  sizes: Int32Array;
  /** Whether the stopping rule fired before the iteration budget ran out. */
  converged: boolean;
  /** How many empty clusters were re-seeded from a far point. */
  repairs: number;
}

/** Internal, validated form shared with the tree builder. `data` is already normalised for cosine. */
export interface KmeansCore {
  data: Float32Array;
  dataNorms: Float32Array;
  n: number;
  dim: number;
  k: number;
  metric: Metric;
  random: Random;
  variant: KmeansVariant;
  maxIterations: number;
  tolerance: number;
  batchSize: number;
  init: 'kmeans++' | 'random' | Float32Array;
  initSampleSize: number;
  maxClusterSize: number | undefined;
  onProgress: ((progress: KmeansProgress) => void) | undefined;
}

/** The k-means settings `kmeans` and `buildClusterTree` share, checked, with their defaults. */
export function checkKmeansSettings(
  options: {
    metric?: Metric;
    variant?: KmeansVariant;
    seed?: number;
    maxIterations?: number;
    tolerance?: number;
    batchSize?: number;
  },
  defaultMaxIterations: number,
): {
  metric: Metric;
  variant: KmeansVariant;
  seed: number;
  maxIterations: number;
  tolerance: number;
  batchSize: number;
} {
  return {
    metric: checkOneOf({
      argument: 'metric',
      value: options.metric ?? 'l2',
      allowed: ['l2', 'cosine'] as const,
    }),
    variant: checkOneOf({
      argument: 'variant',
      value: options.variant ?? 'lloyd',
      allowed: ['lloyd', 'minibatch'] as const,
    }),
    seed: checkFiniteNumber({ argument: 'seed', value: options.seed ?? 0, min: Number.NEGATIVE_INFINITY }),
    maxIterations: checkInteger({
      argument: 'maxIterations',
      value: options.maxIterations ?? defaultMaxIterations,
      min: 0,
    }),
    tolerance: checkFiniteNumber({ argument: 'tolerance', value: options.tolerance ?? 1e-4, min: 0 }),
    batchSize: checkInteger({ argument: 'batchSize', value: options.batchSize ?? 1024, min: 1 }),
  };
}

/**
 * k-means clustering of `n` row-major vectors (pure TypeScript). Seeded and reproducible; empty
 * clusters are re-seeded from the point farthest from its centroid.
 */
export function kmeans(options: KmeansOptions): KmeansResult {
  const source = options.source ?? 'input';
  const n = checkMatrix({ data: options.data, dim: options.dim, source });
  const dim = options.dim;
  const k = checkInteger({ argument: 'k', value: options.k, min: 1 });
  if (k > n) {
    throw new InvalidArgumentError({
      argument: 'k',
      message: `k = ${k} exceeds the number of points (${n})`,
    });
  }
  const settings = checkKmeansSettings(options, 100);
  const { metric, variant, seed, maxIterations, tolerance } = settings;
  const batchSize = Math.min(n, settings.batchSize);
  const initSampleSize = checkInteger({
    argument: 'initSampleSize',
    value: options.initSampleSize ?? Math.max(4096, 16 * k),
    min: k,
  });
  const maxClusterSize =
    options.maxClusterSize === undefined
      ? undefined
      : checkInteger({ argument: 'maxClusterSize', value: options.maxClusterSize, min: 1 });
  if (maxClusterSize !== undefined && maxClusterSize * k < n) {
    throw new InvalidArgumentError({
      argument: 'maxClusterSize',
      message: `${maxClusterSize} x k = ${maxClusterSize * k} cannot hold ${n} points`,
    });
  }
  let init = options.init ?? 'kmeans++';
  if (init instanceof Float32Array) {
    if (init.length !== k * dim) {
      throw new ShapeMismatchError({ message: 'init centroids', expected: [k, dim], actual: [init.length] });
    }
    checkFinite(init, dim, 'init');
    init = init.slice();
    if (metric === 'cosine') normalizeRows(init, dim);
  } else {
    init = checkOneOf({ argument: 'init', value: init, allowed: ['kmeans++', 'random'] as const });
  }
  let data = options.data;
  if (metric === 'cosine') {
    data = data.slice();
    normalizeRows(data, dim);
  }
  return runKmeans({
    data,
    dataNorms: squaredNorms(data, dim),
    n,
    dim,
    k,
    metric,
    random: createRandom(seed),
    variant,
    maxIterations,
    tolerance,
    batchSize,
    init,
    initSampleSize,
    maxClusterSize,
    onProgress: options.onProgress,
  });
}

/** Runs k-means on validated input (no checks). */
export function runKmeans(core: KmeansCore): KmeansResult {
  const centroids = initialCentroids(core);
  return core.variant === 'lloyd' ? lloyd(core, centroids) : miniBatch(core, centroids);
}

function initialCentroids(core: KmeansCore): Float32Array {
  const { data, n, dim, k, random, init } = core;
  if (init instanceof Float32Array) return init.slice();
  const centroids = new Float32Array(k * dim);
  if (init === 'random') {
    const picks = sampleWithoutReplacement({ poolSize: n, count: k, random });
    for (let j = 0; j < k; j++) centroids.set(data.subarray(picks[j]! * dim, (picks[j]! + 1) * dim), j * dim);
    return centroids;
  }
  // k-means++ (D^2 sampling) on a seeded sample when n is large. Up to k = 128 it is the greedy form
  // (best of 2 + ln k candidates per step, as in scikit-learn), which avoids splitting a heavy cluster
  // in two; above that the plain form keeps the O(trials x k x sample x dim) cost in check.
  const picks =
    n <= core.initSampleSize
      ? null
      : sampleWithoutReplacement({ poolSize: n, count: core.initSampleSize, random });
  // Sampled rows are copied into one contiguous block: scattered reads over a large matrix cost far
  // more than the arithmetic here.
  let points = data;
  if (picks !== null) {
    points = new Float32Array(picks.length * dim);
    for (let i = 0; i < picks.length; i++)
      points.set(data.subarray(picks[i]! * dim, (picks[i]! + 1) * dim), i * dim);
  }
  const s = points.length / dim;
  const trials = k <= 128 ? 2 + Math.floor(Math.log(k)) : 1;
  const minDist = new Float64Array(s);
  const candidateDist = new Float64Array(s);
  const bestDist = new Float64Array(s);
  const first = random.nextInt(s);
  centroids.set(points.subarray(first * dim, (first + 1) * dim), 0);
  let total = 0;
  for (let i = 0; i < s; i++) {
    minDist[i] = squaredDistance(points, i, centroids, 0, dim);
    total += minDist[i]!;
  }
  for (let j = 1; j < k; j++) {
    let bestRow = -1;
    let bestTotal = Number.POSITIVE_INFINITY;
    for (let t = 0; t < trials; t++) {
      let row: number;
      if (total > 0) {
        let r = random.next() * total;
        let pick = -1;
        for (let i = 0; i < s; i++) {
          if (minDist[i]! <= 0) continue;
          pick = i;
          r -= minDist[i]!;
          if (r < 0) break;
        }
        row = pick;
      } else {
        row = random.nextInt(s); // every sampled point coincides with a centroid
      }
      let candidateTotal = 0;
      for (let i = 0; i < s; i++) {
        const dist = Math.min(minDist[i]!, squaredDistance(points, i, points, row, dim));
        candidateDist[i] = dist;
        candidateTotal += dist;
      }
      if (candidateTotal < bestTotal) {
        bestTotal = candidateTotal;
        bestRow = row;
        bestDist.set(candidateDist);
      }
      if (trials === 1) break;
      if (total <= 0) break;
    }
    centroids.set(points.subarray(bestRow * dim, (bestRow + 1) * dim), j * dim);
    minDist.set(bestDist);
    total = bestTotal;
  }
  return centroids;
}

function assignAll(
  core: KmeansCore,
  centroids: Float32Array,
  centroidNorms: Float32Array,
  labels: Int32Array,
  distances: Float32Array,
  sizes: Int32Array,
): number {
  const input = {
    data: core.data,
    dataNorms: core.dataNorms,
    dim: core.dim,
    rows: null,
    start: 0,
    end: core.n,
    centroids,
    centroidNorms,
    k: core.k,
    labels,
    distances,
    outOffset: 0,
  };
  if (core.maxClusterSize !== undefined) {
    assignWithCapacity({ ...input, capacity: core.maxClusterSize, sizes });
  } else {
    nearestCentroids(input);
    sizes.fill(0);
    for (let i = 0; i < core.n; i++) sizes[labels[i]!]! += 1;
  }
  let inertia = 0;
  for (let i = 0; i < core.n; i++) inertia += distances[i]!;
  return inertia;
}

/**
 * Re-seeds each empty cluster with the point farthest from its centroid (taken from a cluster with
 * more than one member) and moves that point into it. Returns the number of clusters repaired.
 */
export function repairEmptyClusters(
  data: Float32Array,
  dim: number,
  centroids: Float32Array,
  labels: Int32Array,
  distances: Float32Array,
  sizes: Int32Array,
): number {
  let repairs = 0;
  for (let j = 0; j < sizes.length; j++) {
    if (sizes[j] !== 0) continue;
    let far = -1;
    let farDist = -1;
    for (let i = 0; i < labels.length; i++) {
      if (distances[i]! > farDist && sizes[labels[i]!]! > 1) {
        farDist = distances[i]!;
        far = i;
      }
    }
    if (far < 0) break;
    centroids.set(data.subarray(far * dim, (far + 1) * dim), j * dim);
    sizes[labels[far]!]! -= 1;
    labels[far] = j;
    sizes[j] = 1;
    distances[far] = 0;
    repairs++;
  }
  return repairs;
}

function lloyd(core: KmeansCore, centroids: Float32Array): KmeansResult {
  const { data, n, dim, k, metric, maxIterations, tolerance } = core;
  const labels = new Int32Array(n);
  const distances = new Float32Array(n);
  const sizes = new Int32Array(k);
  const sums = new Float64Array(k * dim);
  const centroidNorms = new Float32Array(k);
  let previous = Number.POSITIVE_INFINITY;
  let inertia = 0;
  let repairs = 0;
  let converged = false;
  let iteration = 0;
  for (; ; iteration++) {
    squaredNorms(centroids, dim, centroidNorms);
    inertia = assignAll(core, centroids, centroidNorms, labels, distances, sizes);
    core.onProgress?.({ iteration, maxIterations, inertia });
    if (iteration > 0 && (Math.abs(previous - inertia) <= tolerance * previous || inertia === 0)) {
      converged = true;
      break;
    }
    if (iteration === maxIterations) break;
    previous = inertia;
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const so = labels[i]! * dim;
      const xo = i * dim;
      for (let d = 0; d < dim; d++) sums[so + d]! += data[xo + d]!;
    }
    for (let j = 0; j < k; j++) {
      const size = sizes[j]!;
      if (size === 0) continue;
      const o = j * dim;
      const inv = 1 / size;
      for (let d = 0; d < dim; d++) centroids[o + d] = sums[o + d]! * inv;
    }
    repairs += repairEmptyClusters(data, dim, centroids, labels, distances, sizes);
    if (metric === 'cosine') normalizeRows(centroids, dim);
  }
  if (sizes.includes(0)) {
    repairs += repairEmptyClusters(data, dim, centroids, labels, distances, sizes);
    inertia = 0;
    for (let i = 0; i < n; i++) inertia += distances[i]!;
  }
  return { centroids, assignments: labels, inertia, iterations: iteration, sizes, converged, repairs };
}

function miniBatch(core: KmeansCore, centroids: Float32Array): KmeansResult {
  const { data, dataNorms, n, dim, k, metric, random, maxIterations, tolerance, batchSize } = core;
  const counts = new Float64Array(k);
  const batchRows = new Int32Array(batchSize);
  const batchLabels = new Int32Array(batchSize);
  const batchDistances = new Float32Array(batchSize);
  const centroidNorms = new Float32Array(k);
  const alpha = Math.min(1, (2 * batchSize) / (n + 1));
  let smoothed = Number.NaN;
  let best = Number.POSITIVE_INFINITY;
  let stale = 0;
  let repairs = 0;
  let converged = false;
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    for (let b = 0; b < batchSize; b++) batchRows[b] = random.nextInt(n);
    squaredNorms(centroids, dim, centroidNorms);
    nearestCentroids({
      data,
      dataNorms,
      dim,
      rows: batchRows,
      start: 0,
      end: batchSize,
      centroids,
      centroidNorms,
      k,
      labels: batchLabels,
      distances: batchDistances,
      outOffset: 0,
    });
    let batchInertia = 0;
    for (let b = 0; b < batchSize; b++) {
      batchInertia += batchDistances[b]!;
      const j = batchLabels[b]!;
      counts[j]! += 1;
      const eta = 1 / counts[j]!;
      const co = j * dim;
      const xo = batchRows[b]! * dim;
      for (let d = 0; d < dim; d++) centroids[co + d]! += eta * (data[xo + d]! - centroids[co + d]!);
    }
    if (metric === 'cosine') normalizeRows(centroids, dim);
    batchInertia /= batchSize;
    smoothed = Number.isNaN(smoothed) ? batchInertia : smoothed * (1 - alpha) + batchInertia * alpha;
    core.onProgress?.({ iteration, maxIterations, inertia: smoothed });
    // Centroids no batch point has reached after a few batches are re-seeded from far batch points.
    if ((iteration + 1) % 10 === 0) {
      for (let j = 0; j < k; j++) {
        if (counts[j] !== 0) continue;
        let far = -1;
        for (let b = 0; b < batchSize; b++) {
          if (far < 0 || batchDistances[b]! > batchDistances[far]!) far = b;
        }
        const row = batchRows[far]!;
        centroids.set(data.subarray(row * dim, (row + 1) * dim), j * dim);
        batchDistances[far] = 0;
        counts[j] = 1;
        repairs++;
      }
    }
    if (smoothed < best * (1 - tolerance)) {
      best = smoothed;
      stale = 0;
    } else if (++stale >= 10) {
      converged = true;
      iteration++;
      break;
    }
  }
  const labels = new Int32Array(n);
  const distances = new Float32Array(n);
  const sizes = new Int32Array(k);
  squaredNorms(centroids, dim, centroidNorms);
  let inertia = assignAll(core, centroids, centroidNorms, labels, distances, sizes);
  if (sizes.includes(0)) {
    repairs += repairEmptyClusters(data, dim, centroids, labels, distances, sizes);
    inertia = 0;
    for (let i = 0; i < n; i++) inertia += distances[i]!;
  }
  return { centroids, assignments: labels, inertia, iterations: iteration, sizes, converged, repairs };
}
