import {
  checkInteger,
  checkNonNegativeInteger,
  InvalidArgumentError,
  ShapeMismatchError,
} from '@mmrecall/errors';
import { innerProducts, TopKCollector } from '@mmrecall/kernels';

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
 * computed in blocks of queries x items by `innerProducts` of `@mmrecall/kernels` and each query keeps
 * a bounded heap of size `k` (its `TopKCollector`). Ties are broken by the lower item index; results are sorted by
 * descending score. Items with a NaN score are never returned.
 */
export function topKInnerProduct(options: TopKInnerProductOptions): TopKResult {
  const { queries, numQueries, items, numItems, dim, k, exclude, candidateMask } = options;
  for (const [argument, value] of [
    ['numQueries', numQueries],
    ['numItems', numItems],
    ['dim', dim],
  ] as const) {
    checkNonNegativeInteger({ argument, value });
  }
  checkInteger({ argument: 'k', value: k, min: 1 });
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

  const result = emptyResult(numQueries, k);
  const collectors = createCollectors(Math.min(QUERY_BLOCK, numQueries), k);
  const block = new Float64Array(QUERY_BLOCK * ITEM_BLOCK);
  const skip = new Uint8Array(QUERY_BLOCK * ITEM_BLOCK);

  for (let q0 = 0; q0 < numQueries; q0 += QUERY_BLOCK) {
    const q1 = Math.min(numQueries, q0 + QUERY_BLOCK);
    for (let i0 = 0; i0 < numItems; i0 += ITEM_BLOCK) {
      const i1 = Math.min(numItems, i0 + ITEM_BLOCK);
      const width = i1 - i0;
      innerProducts({
        left: queries,
        leftStart: q0,
        leftEnd: q1,
        right: items,
        rightStart: i0,
        rightEnd: i1,
        dim,
        out: block,
      });
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
        offerRow(
          collectors[q - q0]!,
          block,
          (q - q0) * width,
          width,
          i0,
          exclude === undefined ? undefined : skip,
          candidateMask,
        );
      }
    }
    drainCollectors(collectors, q0, q1, result);
    options.onProgress?.(q1, numQueries);
  }
  return result;
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
  for (const [argument, value] of [
    ['numQueries', numQueries],
    ['numItems', numItems],
  ] as const) {
    checkNonNegativeInteger({ argument, value });
  }
  for (const [argument, value] of [
    ['k', k],
    ['blockSize', blockSize],
  ] as const) {
    checkInteger({ argument, value, min: 1 });
  }
  checkMasks(exclude, candidateMask, numQueries, numItems);
  const result = emptyResult(numQueries, k);
  const collectors = createCollectors(Math.min(blockSize, numQueries), k);
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
      offerRow(collectors[q - q0]!, out, row, numItems, 0, undefined, candidateMask);
    }
    drainCollectors(collectors, q0, q1, result);
    options.onProgress?.(q1, numQueries);
  }
  return result;
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

/** Result rows padded with -1 / -Infinity; drained collectors fill them best first. */
function emptyResult(numQueries: number, k: number): TopKResult {
  return {
    indices: new Int32Array(numQueries * k).fill(-1),
    scores: new Float32Array(numQueries * k).fill(Number.NEGATIVE_INFINITY),
  };
}

/** One bounded heap per query of a block; the shared tie rule (equal score: lower item first) picks the list. */
function createCollectors(count: number, k: number): TopKCollector[] {
  return Array.from({ length: count }, () => new TopKCollector(k));
}

/** Moves the lists of queries `q0 .. q1 - 1` into `result` and empties their collectors for the next block. */
function drainCollectors(
  collectors: readonly TopKCollector[],
  q0: number,
  q1: number,
  result: TopKResult,
): void {
  for (let q = q0; q < q1; q++) {
    const k = collectors[q - q0]!.capacity;
    collectors[q - q0]!.drainInto(result.indices, result.scores, q * k);
  }
}

/**
 * Offers items `i0 .. i0 + width` with scores `block[row ..]` to one query's collector, skipping NaN
 * scores, items flagged in `skip[row ..]` and items outside `candidateMask`.
 */
function offerRow(
  collector: TopKCollector,
  block: ArrayLike<number>,
  row: number,
  width: number,
  i0: number,
  skip: Uint8Array | undefined,
  candidateMask: Uint8Array | undefined,
): void {
  for (let j = 0; j < width; j++) {
    const score = block[row + j]!;
    // Below the worst kept score (or NaN): rejected without touching the masks.
    if (!(score >= collector.threshold)) continue;
    if (skip !== undefined && skip[row + j] === 1) continue;
    const item = i0 + j;
    if (candidateMask !== undefined && candidateMask[item] === 0) continue;
    collector.push(item, score);
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
