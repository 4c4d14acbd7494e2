import { innerProducts } from '@mmrecall/kernels';

// Hot loops. Distances are ||x||^2 - 2 x.c + ||c||^2 over contiguous row-major Float32Arrays; the dot
// products come from the register-blocked `innerProducts` of @mmrecall/kernels (float64 sums in a
// fixed order, so labels do not depend on how points are chunked). No allocation inside the loops.

/** Squared L2 norm of each row (`rows` x `dim`), written to `out` (allocated when absent). */
export function squaredNorms(data: Float32Array, dim: number, out?: Float32Array): Float32Array {
  const rows = data.length / dim;
  const norms = out ?? new Float32Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += dim) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const v = data[o + d]!;
      s += v * v;
    }
    norms[r] = s;
  }
  return norms;
}

/** Scales every row to unit L2 length in place; all-zero rows stay zero. */
export function normalizeRows(data: Float32Array, dim: number): void {
  const rows = data.length / dim;
  for (let r = 0, o = 0; r < rows; r++, o += dim) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const v = data[o + d]!;
      s += v * v;
    }
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let d = 0; d < dim; d++) data[o + d]! *= inv;
    }
  }
}

/** Inputs of {@link nearestCentroids}. */
export interface NearestInput {
  /** Row-major points. */
  data: Float32Array;
  /** Squared norms of the points, indexed like the rows of `data`. */
  dataNorms: Float32Array;
  dim: number;
  /** Point indices to process (`rows[start..end)`); when null, points `start..end` directly. */
  rows: Int32Array | null;
  start: number;
  end: number;
  /** Row-major centroids, `k` x `dim`. */
  centroids: Float32Array;
  /** Squared norms of the centroids. */
  centroidNorms: Float32Array;
  k: number;
  /** Output: nearest centroid, written at `outOffset + (i - start)`. */
  labels: Int32Array;
  /** Output: squared distance to it (clamped at 0). */
  distances: Float32Array;
  outOffset: number;
}

/**
 * Scratch products per kernel call: 8 KiB of doubles, small enough that the centroids stay in L1
 * beside them (64 KiB of scratch measured 1.1-1.4x slower at k = 100).
 */
const SCRATCH_VALUES = 1024;

/**
 * For each selected point, finds the nearest centroid and its squared L2 distance (ties: the lower
 * centroid index). Points go to `innerProducts` in chunks against all centroids; its four points x
 * two centroids blocking serves each loaded value to several products.
 */
export function nearestCentroids(input: NearestInput): void {
  const {
    data,
    dataNorms,
    dim,
    rows,
    start,
    end,
    centroids,
    centroidNorms: cn,
    k,
    labels,
    distances,
  } = input;
  // An even chunk keeps every point on the two-row path of the kernel.
  const chunk = Math.max(2, Math.floor(SCRATCH_VALUES / Math.max(k, 1) / 2) * 2);
  const products = new Float64Array(Math.min(chunk, Math.max(end - start, 0)) * k);
  let out = input.outOffset;
  for (let c0 = start; c0 < end; c0 += chunk) {
    const c1 = Math.min(end, c0 + chunk);
    innerProducts({
      left: data,
      leftRows: rows ?? undefined,
      leftStart: c0,
      leftEnd: c1,
      right: centroids,
      rightStart: 0,
      rightEnd: k,
      dim,
      out: products,
    });
    for (let i = c0; i < c1; i++, out++) {
      const p = rows === null ? i : rows[i]!;
      const base = (i - c0) * k;
      let best = Number.POSITIVE_INFINITY;
      let bestJ = 0;
      for (let j = 0; j < k; j++) {
        const v = cn[j]! - 2 * products[base + j]!;
        if (v < best) {
          best = v;
          bestJ = j;
        }
      }
      labels[out] = bestJ;
      distances[out] = Math.max(dataNorms[p]! + best, 0);
    }
  }
}

/** Squared L2 distances from point `p` of `data` to every centroid, written to `out` (length k). */
export function distancesToAll(
  data: Float32Array,
  pointNorm: number,
  p: number,
  dim: number,
  centroids: Float32Array,
  centroidNorms: Float32Array,
  k: number,
  out: Float64Array,
): void {
  innerProducts({
    left: data,
    leftStart: p,
    leftEnd: p + 1,
    right: centroids,
    rightStart: 0,
    rightEnd: k,
    dim,
    out,
  });
  for (let j = 0; j < k; j++) {
    const dist = pointNorm - 2 * out[j]! + centroidNorms[j]!;
    out[j] = Math.max(dist, 0);
  }
}

/** Squared L2 distance between row `a` of `x` and row `b` of `y`. */
export function squaredDistance(x: Float32Array, a: number, y: Float32Array, b: number, dim: number): number {
  const xo = a * dim;
  const yo = b * dim;
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const t = x[xo + d]! - y[yo + d]!;
    s += t * t;
  }
  return s;
}
