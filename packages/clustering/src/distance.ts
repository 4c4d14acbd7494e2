// Hot loops. Distances are ||x||^2 - 2 x.c + ||c||^2 over contiguous row-major Float32Arrays, with the
// dot products register-blocked (two points x four centroids) so each loaded value serves several products.
// No allocation happens inside the loops.

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
 * For each selected point, finds the nearest centroid and its squared L2 distance. Points are taken
 * two at a time against four centroids at a time (8 accumulators), which measured 1.3-2x faster than
 * one point against four centroids on V8.
 */
export function nearestCentroids(input: NearestInput): void {
  const {
    data,
    dataNorms,
    dim,
    rows,
    start,
    end,
    centroids: c,
    centroidNorms: cn,
    k,
    labels,
    distances,
  } = input;
  const k4 = k - (k % 4);
  let out = input.outOffset;
  let i = start;
  for (; i + 1 < end; i += 2, out += 2) {
    const p = rows === null ? i : rows[i]!;
    const q = rows === null ? i + 1 : rows[i + 1]!;
    const xo = p * dim;
    const yo = q * dim;
    let bestX = Number.POSITIVE_INFINITY;
    let bestY = Number.POSITIVE_INFINITY;
    let jx = 0;
    let jy = 0;
    let j = 0;
    for (; j < k4; j += 4) {
      const o0 = j * dim;
      const o1 = o0 + dim;
      const o2 = o1 + dim;
      const o3 = o2 + dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let d = 0; d < dim; d++) {
        const x = data[xo + d]!;
        const y = data[yo + d]!;
        const c0 = c[o0 + d]!;
        const c1 = c[o1 + d]!;
        const c2 = c[o2 + d]!;
        const c3 = c[o3 + d]!;
        s0 += x * c0;
        s1 += x * c1;
        s2 += x * c2;
        s3 += x * c3;
        t0 += y * c0;
        t1 += y * c1;
        t2 += y * c2;
        t3 += y * c3;
      }
      const n0 = cn[j]!;
      const n1 = cn[j + 1]!;
      const n2 = cn[j + 2]!;
      const n3 = cn[j + 3]!;
      let v = n0 - 2 * s0;
      if (v < bestX) {
        bestX = v;
        jx = j;
      }
      v = n1 - 2 * s1;
      if (v < bestX) {
        bestX = v;
        jx = j + 1;
      }
      v = n2 - 2 * s2;
      if (v < bestX) {
        bestX = v;
        jx = j + 2;
      }
      v = n3 - 2 * s3;
      if (v < bestX) {
        bestX = v;
        jx = j + 3;
      }
      v = n0 - 2 * t0;
      if (v < bestY) {
        bestY = v;
        jy = j;
      }
      v = n1 - 2 * t1;
      if (v < bestY) {
        bestY = v;
        jy = j + 1;
      }
      v = n2 - 2 * t2;
      if (v < bestY) {
        bestY = v;
        jy = j + 2;
      }
      v = n3 - 2 * t3;
      if (v < bestY) {
        bestY = v;
        jy = j + 3;
      }
    }
    for (; j < k; j++) {
      const o0 = j * dim;
      let s0 = 0;
      let t0 = 0;
      for (let d = 0; d < dim; d++) {
        const c0 = c[o0 + d]!;
        s0 += data[xo + d]! * c0;
        t0 += data[yo + d]! * c0;
      }
      let v = cn[j]! - 2 * s0;
      if (v < bestX) {
        bestX = v;
        jx = j;
      }
      v = cn[j]! - 2 * t0;
      if (v < bestY) {
        bestY = v;
        jy = j;
      }
    }
    labels[out] = jx;
    labels[out + 1] = jy;
    const dx = dataNorms[p]! + bestX;
    const dy = dataNorms[q]! + bestY;
    distances[out] = Math.max(dx, 0);
    distances[out + 1] = Math.max(dy, 0);
  }
  if (i < end) {
    // Odd count: the last point alone.
    const p = rows === null ? i : rows[i]!;
    const xo = p * dim;
    let best = Number.POSITIVE_INFINITY;
    let bestJ = 0;
    for (let j = 0; j < k; j++) {
      const o0 = j * dim;
      let s0 = 0;
      for (let d = 0; d < dim; d++) s0 += data[xo + d]! * c[o0 + d]!;
      const v = cn[j]! - 2 * s0;
      if (v < best) {
        best = v;
        bestJ = j;
      }
    }
    labels[out] = bestJ;
    const dist = dataNorms[p]! + best;
    distances[out] = Math.max(dist, 0);
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
  const xo = p * dim;
  for (let j = 0; j < k; j++) {
    const o = j * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[xo + d]! * centroids[o + d]!;
    const dist = pointNorm - 2 * s + centroidNorms[j]!;
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
