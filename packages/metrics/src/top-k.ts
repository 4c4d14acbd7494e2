import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';

/** Rows of a sparse per-query list in CSR form: query `q` owns `values[offsets[q] .. offsets[q + 1])`. */
export interface CsrLists {
  /** Row offsets, length `numQueries + 1`, non-decreasing, starting at 0. */
  offsets: Int32Array;
  /** Item indices. */
  values: Int32Array;
}

/** Options of {@link topKInnerProduct}. */
export interface TopKInnerProductOptions {
  /** Query vectors, row-major, `numQueries * dim` long. */
  queries: Float32Array;
  /** Number of query rows. */
  numQueries: number;
  /** Item vectors, row-major, `numItems * dim` long. */
  items: Float32Array;
  /** Number of item rows. */
  numItems: number;
  /** Vector dimension shared by queries and items. */
  dim: number;
  /** Number of items to return per query (>= 1). */
  k: number;
  /** Items never returned for a given query (CSR per query), e.g. the query user's training items. */
  exclude?: CsrLists;
  /** Items allowed for every query: 1 = candidate, 0 = never returned. Length `numItems`. */
  candidateMask?: Uint8Array;
  /** Called after each block of queries with the queries ranked so far and `numQueries`. */
  onProgress?: (done: number, total: number) => void;
}

/** Result of {@link topKInnerProduct}. */
export interface TopKResult {
  /** Item indices, `numQueries * k`, best first per query; -1 where fewer than `k` candidates exist. */
  indices: Int32Array;
  /** Inner products matching `indices`; `-Infinity` at padding slots. */
  scores: Float32Array;
}

const QUERY_BLOCK = 64;
const ITEM_BLOCK = 512;

/**
 * Exact top-k by inner product over all items for every query (full ranking). Dot products are
 * computed in blocks of queries x items (register-blocked four queries x two items at a time) and each query keeps
 * a bounded min-heap of size `k`. Ties are broken by the lower item index; results are sorted by
 * descending score. Items with a NaN score are never returned.
 */
export function topKInnerProduct(options: TopKInnerProductOptions): TopKResult {
  const { queries, numQueries, items, numItems, dim, k, exclude, candidateMask } = options;
  for (const [name, value] of [
    ['numQueries', numQueries],
    ['numItems', numItems],
    ['dim', dim],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidArgumentError({
        argument: name,
        message: `must be a non-negative integer, got ${value}`,
      });
    }
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError({ argument: 'k', message: `must be an integer >= 1, got ${k}` });
  }
  if (queries.length !== numQueries * dim) {
    throw new ShapeMismatchError({
      message: 'queries length must be numQueries * dim',
      expected: [numQueries * dim],
      actual: [queries.length],
    });
  }
  if (items.length !== numItems * dim) {
    throw new ShapeMismatchError({
      message: 'items length must be numItems * dim',
      expected: [numItems * dim],
      actual: [items.length],
    });
  }
  checkMasks(exclude, candidateMask, numQueries, numItems);

  const heaps = createHeaps(numQueries, k);
  const block = new Float64Array(QUERY_BLOCK * ITEM_BLOCK);
  const skip = new Uint8Array(QUERY_BLOCK * ITEM_BLOCK);

  for (let q0 = 0; q0 < numQueries; q0 += QUERY_BLOCK) {
    const q1 = Math.min(numQueries, q0 + QUERY_BLOCK);
    for (let i0 = 0; i0 < numItems; i0 += ITEM_BLOCK) {
      const i1 = Math.min(numItems, i0 + ITEM_BLOCK);
      const width = i1 - i0;
      scoreBlock(queries, items, dim, q0, q1, i0, i1, block);
      if (exclude !== undefined) {
        skip.fill(0);
        for (let q = q0; q < q1; q++) {
          const row = (q - q0) * width;
          const end = exclude.offsets[q + 1]!;
          for (let e = exclude.offsets[q]!; e < end; e++) {
            const item = exclude.values[e]!;
            if (item >= i0 && item < i1) skip[row + item - i0] = 1;
          }
        }
      }
      for (let q = q0; q < q1; q++) {
        pushRow(
          heaps,
          q,
          block,
          (q - q0) * width,
          width,
          i0,
          exclude === undefined ? undefined : skip,
          candidateMask,
        );
      }
    }
    options.onProgress?.(q1, numQueries);
  }
  return drainHeaps(heaps);
}

/** Options of {@link topKScores}. */
export interface TopKScoresOptions {
  /** Number of queries. */
  numQueries: number;
  /** Number of items scored per query. */
  numItems: number;
  /** Number of items to return per query (>= 1). */
  k: number;
  /**
   * Writes the scores of every item for queries `start .. end - 1` into `out`, row-major
   * (`(end - start) * numItems` entries). NaN scores are never returned. The buffer is reused.
   */
  score: (start: number, end: number, out: Float32Array) => void;
  /** Items never returned for a given query (CSR per query), e.g. the query user's training items. */
  exclude?: CsrLists;
  /** Items allowed for every query: 1 = candidate, 0 = never returned. Length `numItems`. */
  candidateMask?: Uint8Array;
  /** Queries per call of `score`. Default 64. */
  blockSize?: number;
  /** Called after each block of queries with the queries ranked so far and `numQueries`. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Exact top-k over every item for models that are not an inner product (EASE, ItemKNN, ...): the
 * caller scores blocks of queries against all items and the same heaps, tie-breaking (lower item index),
 * masking and padding as {@link topKInnerProduct} pick the list, so both rank identically.
 */
export function topKScores(options: TopKScoresOptions): TopKResult {
  const { numQueries, numItems, k, exclude, candidateMask } = options;
  const blockSize = options.blockSize ?? QUERY_BLOCK;
  for (const [name, value] of [
    ['numQueries', numQueries],
    ['numItems', numItems],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidArgumentError({
        argument: name,
        message: `must be a non-negative integer, got ${value}`,
      });
    }
  }
  for (const [name, value] of [
    ['k', k],
    ['blockSize', blockSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidArgumentError({ argument: name, message: `must be an integer >= 1, got ${value}` });
    }
  }
  checkMasks(exclude, candidateMask, numQueries, numItems);
  const heaps = createHeaps(numQueries, k);
  const block = new Float32Array(blockSize * numItems);
  for (let q0 = 0; q0 < numQueries; q0 += blockSize) {
    const q1 = Math.min(numQueries, q0 + blockSize);
    const out = block.subarray(0, (q1 - q0) * numItems);
    options.score(q0, q1, out);
    for (let q = q0; q < q1; q++) {
      const row = (q - q0) * numItems;
      if (exclude !== undefined) {
        for (let e = exclude.offsets[q]!; e < exclude.offsets[q + 1]!; e++)
          out[row + exclude.values[e]!] = Number.NaN;
      }
      pushRow(heaps, q, out, row, numItems, 0, undefined, candidateMask);
    }
    options.onProgress?.(q1, numQueries);
  }
  return drainHeaps(heaps);
}

/** Checks the optional per-query exclusions and the candidate mask against the query and item counts. */
function checkMasks(
  exclude: CsrLists | undefined,
  candidateMask: Uint8Array | undefined,
  numQueries: number,
  numItems: number,
): void {
  if (candidateMask !== undefined && candidateMask.length !== numItems) {
    throw new ShapeMismatchError({
      message: 'candidateMask length must be numItems',
      expected: [numItems],
      actual: [candidateMask.length],
    });
  }
  if (exclude !== undefined) validateCsr(exclude, numQueries, numItems, 'exclude');
}

/** One bounded min-heap of (score, item) per query, `k` slots each. */
interface Heaps {
  scores: Float64Array;
  items: Int32Array;
  sizes: Int32Array;
  k: number;
}

function createHeaps(numQueries: number, k: number): Heaps {
  return {
    scores: new Float64Array(numQueries * k),
    items: new Int32Array(numQueries * k),
    sizes: new Int32Array(numQueries),
    k,
  };
}

/**
 * Offers items `i0 .. i0 + width` with scores `block[row ..]` to query `q`'s heap, skipping NaN scores,
 * items flagged in `skip[row ..]` and items outside `candidateMask`.
 */
function pushRow(
  heaps: Heaps,
  q: number,
  block: ArrayLike<number>,
  row: number,
  width: number,
  i0: number,
  skip: Uint8Array | undefined,
  candidateMask: Uint8Array | undefined,
): void {
  const { scores: heapScores, items: heapItems, k } = heaps;
  const base = q * k;
  let size = heaps.sizes[q]!;
  for (let j = 0; j < width; j++) {
    const score = block[row + j]!;
    if (size === k && !(score > heapScores[base]!)) continue;
    if (Number.isNaN(score)) continue;
    if (skip !== undefined && skip[row + j] === 1) continue;
    const item = i0 + j;
    if (candidateMask !== undefined && candidateMask[item] === 0) continue;
    if (size < k) {
      siftUp(heapScores, heapItems, base, size, score, item);
      size++;
    } else {
      siftDown(heapScores, heapItems, base, k, score, item);
    }
  }
  heaps.sizes[q] = size;
}

/** Empties every heap into best-first rows; -1 / -Infinity pad rows with fewer than k items. */
function drainHeaps(heaps: Heaps): TopKResult {
  const { scores: heapScores, items: heapItems, sizes, k } = heaps;
  const numQueries = sizes.length;
  const indices = new Int32Array(numQueries * k).fill(-1);
  const scores = new Float32Array(numQueries * k).fill(Number.NEGATIVE_INFINITY);
  for (let q = 0; q < numQueries; q++) {
    const base = q * k;
    // Pop the worst element into the last free slot until the heap is empty: best ends first.
    for (let size = sizes[q]!; size > 0; size--) {
      indices[base + size - 1] = heapItems[base]!;
      scores[base + size - 1] = heapScores[base]!;
      const lastScore = heapScores[base + size - 1]!;
      const lastItem = heapItems[base + size - 1]!;
      if (size > 1) siftDown(heapScores, heapItems, base, size - 1, lastScore, lastItem);
    }
  }
  return { indices, scores };
}

/** `true` when (scoreA, itemA) ranks below (scoreB, itemB): lower score, or equal score and higher index. */
function worse(scoreA: number, itemA: number, scoreB: number, itemB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && itemA > itemB);
}

function siftUp(
  scores: Float64Array,
  itemsOut: Int32Array,
  base: number,
  size: number,
  score: number,
  item: number,
) {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const ps = scores[base + parent]!;
    const pi = itemsOut[base + parent]!;
    if (!worse(score, item, ps, pi)) break;
    scores[base + i] = ps;
    itemsOut[base + i] = pi;
    i = parent;
  }
  scores[base + i] = score;
  itemsOut[base + i] = item;
}

/** Replaces the root by (score, item) and restores the min-heap over the first `size` slots. */
function siftDown(
  scores: Float64Array,
  itemsOut: Int32Array,
  base: number,
  size: number,
  score: number,
  item: number,
) {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    let child = left;
    let cs = scores[base + left]!;
    let ci = itemsOut[base + left]!;
    const right = left + 1;
    if (right < size) {
      const rs = scores[base + right]!;
      const ri = itemsOut[base + right]!;
      if (worse(rs, ri, cs, ci)) {
        child = right;
        cs = rs;
        ci = ri;
      }
    }
    if (!worse(cs, ci, score, item)) break;
    scores[base + i] = cs;
    itemsOut[base + i] = ci;
    i = child;
  }
  scores[base + i] = score;
  itemsOut[base + i] = item;
}

/** Fills `out[(q - q0) * (i1 - i0) + (i - i0)]` with dot(query q, item i), 4 queries x 2 items at a time. */
function scoreBlock(
  queries: Float32Array,
  items: Float32Array,
  dim: number,
  q0: number,
  q1: number,
  i0: number,
  i1: number,
  out: Float64Array,
): void {
  const width = i1 - i0;
  let q = q0;
  for (; q + 4 <= q1; q += 4) {
    const a0 = q * dim;
    const a1 = a0 + dim;
    const a2 = a1 + dim;
    const a3 = a2 + dim;
    const r0 = (q - q0) * width;
    let i = i0;
    for (; i + 2 <= i1; i += 2) {
      const b = i * dim;
      const c = b + dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let u0 = 0;
      let u1 = 0;
      let u2 = 0;
      let u3 = 0;
      for (let t = 0; t < dim; t++) {
        const x = items[b + t]!;
        const y = items[c + t]!;
        const v0 = queries[a0 + t]!;
        const v1 = queries[a1 + t]!;
        const v2 = queries[a2 + t]!;
        const v3 = queries[a3 + t]!;
        s0 += v0 * x;
        s1 += v1 * x;
        s2 += v2 * x;
        s3 += v3 * x;
        u0 += v0 * y;
        u1 += v1 * y;
        u2 += v2 * y;
        u3 += v3 * y;
      }
      const j = r0 + i - i0;
      out[j] = s0;
      out[j + width] = s1;
      out[j + 2 * width] = s2;
      out[j + 3 * width] = s3;
      out[j + 1] = u0;
      out[j + 1 + width] = u1;
      out[j + 1 + 2 * width] = u2;
      out[j + 1 + 3 * width] = u3;
    }
    for (; i < i1; i++) {
      const b = i * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < dim; t++) {
        const x = items[b + t]!;
        s0 += queries[a0 + t]! * x;
        s1 += queries[a1 + t]! * x;
        s2 += queries[a2 + t]! * x;
        s3 += queries[a3 + t]! * x;
      }
      const j = r0 + i - i0;
      out[j] = s0;
      out[j + width] = s1;
      out[j + 2 * width] = s2;
      out[j + 3 * width] = s3;
    }
  }
  for (; q < q1; q++) {
    const a = q * dim;
    const r = (q - q0) * width;
    for (let i = i0; i < i1; i++) {
      const b = i * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) s += queries[a + t]! * items[b + t]!;
      out[r + i - i0] = s;
    }
  }
}

/** Checks a CSR structure: `rows + 1` non-decreasing offsets and values in `[0, numItems)`. */
export function validateCsr(csr: CsrLists, rows: number, numItems: number, argument: string): void {
  const { offsets, values } = csr;
  if (offsets.length !== rows + 1) {
    throw new ShapeMismatchError({
      message: `${argument}.offsets length must be rows + 1`,
      expected: [rows + 1],
      actual: [offsets.length],
    });
  }
  if (offsets[0] !== 0 || offsets[rows] !== values.length) {
    throw new InvalidArgumentError({
      argument: `${argument}.offsets`,
      message: `must start at 0 and end at values.length (${values.length})`,
    });
  }
  for (let r = 0; r < rows; r++) {
    if (offsets[r + 1]! < offsets[r]!) {
      throw new InvalidArgumentError({ argument: `${argument}.offsets`, message: `decreases at row ${r}` });
    }
  }
  for (let e = 0; e < values.length; e++) {
    const v = values[e]!;
    if (v < 0 || v >= numItems) {
      throw new InvalidArgumentError({
        argument: `${argument}.values`,
        message: `item ${v} at position ${e} is outside [0, ${numItems})`,
      });
    }
  }
}
