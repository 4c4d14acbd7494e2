import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';

/** Options of {@link invertSymmetricPositiveDefinite}. */
export interface InvertSymmetricOptions {
  /**
   * `size x size` row-major; only the lower triangle (column <= row) is read. Overwritten: on return
   * its lower triangle holds the lower triangle of the inverse (the upper triangle is scratch).
   */
  matrix: Float64Array;
  /** Rows (= columns). */
  size: number;
  /** Columns swept per block. Default 64. */
  blockSize?: number;
}

/**
 * In-place inverse of a symmetric positive definite matrix by block sweeps (Goodnight's sweep operator
 * applied to `blockSize` pivots at a time, which is Gauss-Jordan elimination without pivoting, safe for
 * SPD input). Every block costs one `size x size x blockSize` rank-`blockSize` update of the lower
 * triangle, computed as dot products of contiguous panel rows, so the whole inverse is `size^3`
 * multiply-adds at cache speed instead of the memory-bound rank-1 updates of the textbook loop.
 * Throws when a pivot is not positive (the input is not positive definite).
 */
export function invertSymmetricPositiveDefinite(options: InvertSymmetricOptions): void {
  const { matrix: a, size: n } = options;
  const nb = options.blockSize ?? 64;
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError({ argument: 'size', message: `must be a non-negative integer, got ${n}` });
  if (!Number.isInteger(nb) || nb < 1)
    throw new InvalidArgumentError({ argument: 'blockSize', message: `must be an integer >= 1, got ${nb}` });
  if (a.length !== n * n)
    throw new ShapeMismatchError({
      message: 'matrix length must be size * size',
      expected: [n * n],
      actual: [a.length],
    });

  const panel = new Float64Array(n * nb); // rows r: A(r, K), zero for r in K
  const scaled = new Float64Array(n * nb); // rows r: A(r, K) A(K, K)^-1, zero for r in K
  const pivot = new Float64Array(nb * nb);
  const lower = (i: number, j: number): number => (i >= j ? a[i * n + j]! : a[j * n + i]!);

  for (let k0 = 0; k0 < n; k0 += nb) {
    const k1 = Math.min(n, k0 + nb);
    const w = k1 - k0;
    for (let s = 0; s < w; s++) for (let t = 0; t < w; t++) pivot[s * w + t] = lower(k0 + s, k0 + t);
    invertSmall(pivot, w, k0);
    panel.fill(0);
    scaled.fill(0);
    for (let r = 0; r < n; r++) {
      if (r >= k0 && r < k1) continue;
      const p = r * nb;
      for (let t = 0; t < w; t++) panel[p + t] = lower(r, k0 + t);
      for (let t = 0; t < w; t++) {
        let s = 0;
        for (let c = 0; c < w; c++) s += panel[p + c]! * pivot[c * w + t]!;
        scaled[p + t] = s;
      }
    }
    lowerRankUpdate(a, n, scaled, panel, nb);
    // The swept block: A(r, K) <- A(r, K) A(K, K)^-1, A(K, K) <- -A(K, K)^-1 (lower triangle only).
    for (let r = 0; r < n; r++) {
      if (r >= k0 && r < k1) continue;
      for (let t = 0; t < w; t++) {
        const c = k0 + t;
        if (r > c) a[r * n + c] = scaled[r * nb + t]!;
        else a[c * n + r] = scaled[r * nb + t]!;
      }
    }
    for (let s = 0; s < w; s++) for (let t = 0; t <= s; t++) a[(k0 + s) * n + k0 + t] = -pivot[s * w + t]!;
  }
  // Sweeping every pivot leaves -A^-1.
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = -a[i * n + j]!;
}

/** In-place inverse of a small dense SPD block (unblocked sweep); `offset` names its first row in errors. */
function invertSmall(m: Float64Array, w: number, offset: number): void {
  for (let k = 0; k < w; k++) {
    const d = m[k * w + k]!;
    if (!(d > 0))
      throw new InvalidArgumentError({
        argument: 'matrix',
        message: `is not positive definite (pivot ${d} at row ${offset + k})`,
      });
    const inv = 1 / d;
    for (let i = 0; i < w; i++) {
      if (i === k) continue;
      const f = m[i * w + k]! * inv;
      if (f === 0) continue;
      for (let j = 0; j < w; j++) if (j !== k) m[i * w + j]! -= f * m[k * w + j]!;
    }
    for (let i = 0; i < w; i++) {
      if (i === k) continue;
      m[i * w + k]! *= inv;
      m[k * w + i]! *= inv;
    }
    m[k * w + k] = -inv;
  }
  for (let i = 0; i < w * w; i++) m[i] = -m[i]!;
}

const TILE = 128;

/**
 * a[i][j] -= dot(left[i], right[j]) for j <= i (rows of `left`/`right` are `stride` long, the first
 * `stride` entries used). Tiles of TILE right-hand rows stay in cache while four left rows at a time
 * stream past; diagonal tiles also write above the diagonal, which the caller never reads.
 */
function lowerRankUpdate(
  a: Float64Array,
  n: number,
  left: Float64Array,
  right: Float64Array,
  stride: number,
): void {
  for (let j0 = 0; j0 < n; j0 += TILE) {
    const j1 = Math.min(n, j0 + TILE);
    let i = j0;
    for (; i + 4 <= n; i += 4) {
      const l0 = i * stride;
      const l1 = l0 + stride;
      const l2 = l1 + stride;
      const l3 = l2 + stride;
      const jEnd = Math.min(j1, i + 4);
      let j = j0;
      for (; j + 2 <= jEnd; j += 2) {
        const r0 = j * stride;
        const r1 = r0 + stride;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        let s20 = 0;
        let s21 = 0;
        let s30 = 0;
        let s31 = 0;
        for (let t = 0; t < stride; t++) {
          const x = right[r0 + t]!;
          const y = right[r1 + t]!;
          const v0 = left[l0 + t]!;
          const v1 = left[l1 + t]!;
          const v2 = left[l2 + t]!;
          const v3 = left[l3 + t]!;
          s00 += v0 * x;
          s01 += v0 * y;
          s10 += v1 * x;
          s11 += v1 * y;
          s20 += v2 * x;
          s21 += v2 * y;
          s30 += v3 * x;
          s31 += v3 * y;
        }
        const o = i * n + j;
        a[o]! -= s00;
        a[o + 1]! -= s01;
        a[o + n]! -= s10;
        a[o + n + 1]! -= s11;
        a[o + 2 * n]! -= s20;
        a[o + 2 * n + 1]! -= s21;
        a[o + 3 * n]! -= s30;
        a[o + 3 * n + 1]! -= s31;
      }
      for (; j < jEnd; j++) {
        for (let q = 0; q < 4; q++)
          a[(i + q) * n + j]! -= dot(left, (i + q) * stride, right, j * stride, stride);
      }
    }
    for (; i < n; i++) {
      const jEnd = Math.min(j1, i + 1);
      for (let j = j0; j < jEnd; j++) a[i * n + j]! -= dot(left, i * stride, right, j * stride, stride);
    }
  }
}

function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, length: number): number {
  let s = 0;
  for (let t = 0; t < length; t++) s += x[xo + t]! * y[yo + t]!;
  return s;
}
