import { checkNonNegativeInteger, checkPositiveInteger } from '@mmrecall/errors';
import { innerProducts, TopKCollector } from '@mmrecall/kernels';

import { readIndexSnapshot, writeIndexSnapshot } from './index-snapshot';
import type {
  RecallIndex,
  RecallMetric,
  RecallSearchResult,
  RemoveOptions,
  SaveOptions,
  SearchBatchOptions,
  SearchOptions,
  UpsertOptions,
} from './types';
import {
  checkBatchExclude,
  checkKey,
  checkKeys,
  checkMatrix,
  checkMetric,
  disposedError,
  toExcludeSet,
} from './validate';

/** Options of {@link createExactIndex}. */
export interface CreateExactIndexOptions {
  /** Vector dimension, a positive integer. */
  dim: number;
  /** `ip` (inner product) or `cosine` (rows and queries are L2-normalised, then inner product). */
  metric: RecallMetric;
  /** Rows to allocate up front; storage doubles when full. Default 1024. */
  capacity?: number;
}

/** Options of {@link loadExactIndex}. */
export interface LoadExactIndexOptions {
  /** File written by `save` of an exact index. */
  path: string;
}

interface ExactState {
  dim: number;
  metric: RecallMetric;
  /** Row-major `capacity x dim`; rows `[0, size)` are live. */
  data: Float32Array;
  /** Key of each live slot. */
  keys: Int32Array;
  slotOfKey: Map<number, number>;
  size: number;
}

/**
 * Creates the reference exact index: rows live in one contiguous `Float32Array` with a key -> slot
 * map (deletes move the last row into the hole), and searches scan every row, in row blocks shared
 * by up to four queries at a time, keeping the best `k` in a bounded heap. Results are exact.
 */
export function createExactIndex(options: CreateExactIndexOptions): RecallIndex {
  const dim = checkPositiveInteger({ argument: 'dim', value: options.dim });
  const metric = checkMetric(options.metric);
  const capacity =
    options.capacity === undefined
      ? 1024
      : checkNonNegativeInteger({ argument: 'capacity', value: options.capacity });
  return wrapExactState({
    dim,
    metric,
    data: new Float32Array(Math.max(capacity, 1) * dim),
    keys: new Int32Array(Math.max(capacity, 1)),
    slotOfKey: new Map(),
    size: 0,
  });
}

/**
 * Loads an exact index written by `save`. Throws `MissingArtifactError` when the file is missing,
 * truncated or not an exact-index file.
 */
export async function loadExactIndex(options: LoadExactIndexOptions): Promise<RecallIndex> {
  const { dim, metric, keys, vectors } = await readIndexSnapshot({ path: options.path });
  const slotOfKey = new Map<number, number>();
  keys.forEach((key, slot) => {
    slotOfKey.set(key, slot);
  });
  return wrapExactState({ dim, metric, data: vectors, keys, slotOfKey, size: keys.length });
}

function wrapExactState(initial: ExactState): RecallIndex {
  let state: ExactState | undefined = initial;
  const { dim, metric } = initial;
  const live = (): ExactState => {
    if (state === undefined) throw disposedError();
    return state;
  };

  /** Validated copy of queries, L2-normalised for cosine. */
  const prepareQueries = (values: unknown, rows: number, argument: string): Float32Array => {
    const norms = checkMatrix({ values, rows, dim, metric, argument });
    const queries = Float32Array.from(values as Float32Array);
    if (metric === 'cosine') normaliseRows(queries, norms, dim);
    return queries;
  };

  return {
    dim,
    metric,
    get size() {
      return live().size;
    },
    upsert(options: UpsertOptions): void {
      const s = live();
      const keys = checkKeys(options.keys);
      const norms = checkMatrix({
        values: options.vectors,
        rows: keys.length,
        dim,
        metric,
        argument: 'vectors',
      });
      const vectors = options.vectors;
      let added = 0;
      for (let i = 0; i < keys.length; i++) if (!s.slotOfKey.has(keys[i] as number)) added++;
      ensureCapacity(s, s.size + added);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as number;
        let slot = s.slotOfKey.get(key);
        if (slot === undefined) {
          slot = s.size++;
          s.slotOfKey.set(key, slot);
          s.keys[slot] = key;
        }
        const scale = metric === 'cosine' ? 1 / Math.sqrt(norms[i] as number) : 1;
        const from = i * dim;
        const to = slot * dim;
        for (let d = 0; d < dim; d++) s.data[to + d] = (vectors[from + d] as number) * scale;
      }
    },
    remove(options: RemoveOptions): number {
      const s = live();
      const keys = checkKeys(options.keys);
      let removed = 0;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as number;
        const slot = s.slotOfKey.get(key);
        if (slot === undefined) continue;
        const last = s.size - 1;
        if (slot !== last) {
          const movedKey = s.keys[last] as number;
          s.data.copyWithin(slot * dim, last * dim, (last + 1) * dim);
          s.keys[slot] = movedKey;
          s.slotOfKey.set(movedKey, slot);
        }
        s.slotOfKey.delete(key);
        s.size = last;
        removed++;
      }
      return removed;
    },
    has(key: number): boolean {
      return live().slotOfKey.has(checkKey(key));
    },
    search(options: SearchOptions): RecallSearchResult {
      const s = live();
      const k = checkPositiveInteger({ argument: 'k', value: options.k });
      const query = prepareQueries(options.query, 1, 'query');
      const exclude = toExcludeSet(options.exclude, 'exclude');
      const collector = new TopKCollector(Math.min(k, Math.max(s.size, 1)));
      scanRows(s, query, 1, [collector], [exclude]);
      const keys = new Int32Array(collector.size);
      const scores = new Float32Array(collector.size);
      collector.drainInto(keys, scores, 0);
      return { keys, scores };
    },
    searchBatch(options: SearchBatchOptions): RecallSearchResult {
      const s = live();
      const count = checkNonNegativeInteger({ argument: 'count', value: options.count });
      const k = checkPositiveInteger({ argument: 'k', value: options.k });
      const queries = prepareQueries(options.queries, count, 'queries');
      const excludes = checkBatchExclude(options.exclude, count);
      const keys = new Int32Array(count * k).fill(-1);
      const scores = new Float32Array(count * k).fill(Number.NEGATIVE_INFINITY);
      // At most 256 queries share one pass over the rows, so the heaps stay small.
      const group = Math.min(count, 256);
      const collectors = Array.from(
        { length: group },
        () => new TopKCollector(Math.min(k, Math.max(s.size, 1))),
      );
      for (let first = 0; first < count; first += group) {
        const n = Math.min(group, count - first);
        const groupExcludes = Array.from({ length: n }, (_, i) => {
          const entry = excludes?.[first + i];
          return entry === undefined || entry.size === 0 ? undefined : entry;
        });
        scanRows(s, queries.subarray(first * dim, (first + n) * dim), n, collectors, groupExcludes);
        for (let i = 0; i < n; i++) (collectors[i] as TopKCollector).drainInto(keys, scores, (first + i) * k);
      }
      return { keys, scores };
    },
    async save(options: SaveOptions): Promise<void> {
      const s = live();
      await writeIndexSnapshot({
        path: options.path,
        dim,
        metric,
        keys: s.keys.subarray(0, s.size),
        vectors: s.data.subarray(0, s.size * dim),
      });
    },
    dispose(): void {
      state = undefined;
    },
  };
}

function normaliseRows(values: Float32Array, squaredNorms: Float64Array, dim: number): void {
  for (let r = 0; r < squaredNorms.length; r++) {
    const scale = 1 / Math.sqrt(squaredNorms[r] as number);
    for (let d = r * dim; d < (r + 1) * dim; d++) values[d] = (values[d] as number) * scale;
  }
}

function ensureCapacity(s: ExactState, rows: number): void {
  const capacity = s.keys.length;
  if (rows <= capacity) return;
  const next = Math.max(rows, capacity * 2);
  const data = new Float32Array(next * s.dim);
  data.set(s.data.subarray(0, s.size * s.dim));
  const keys = new Int32Array(next);
  keys.set(s.keys.subarray(0, s.size));
  s.data = data;
  s.keys = keys;
}

/** Rows per block: a block (~128 KiB) stays in cache while every query of the group scans it. */
function rowBlock(dim: number): number {
  return Math.max(16, Math.floor(32768 / dim));
}

/** Queries scored against one row block per kernel call (their scores, 4 x block doubles, stay in cache). */
const QUERY_CHUNK = 4;

/** Rows per kernel call for a single query (32 KiB of scores). */
const SINGLE_QUERY_BLOCK = 4096;

/**
 * Scores every live row against `count` queries and offers each score to that query's collector.
 * The products come from `innerProducts` of `@mmrecall/kernels`, which sums each one in the same
 * order (d = 0..dim-1, in float64) whatever the block shape, so batched and single searches give
 * identical scores.
 */
function scanRows(
  s: ExactState,
  queries: Float32Array,
  count: number,
  collectors: readonly TopKCollector[],
  excludes: readonly (Set<number> | undefined)[],
): void {
  const { data, keys, dim, size } = s;
  // One query reuses nothing across rows: longer blocks mean fewer kernel calls.
  const block = count === 1 ? SINGLE_QUERY_BLOCK : rowBlock(dim);
  const chunk = Math.min(count, QUERY_CHUNK);
  const out = new Float64Array(chunk * Math.min(block, size));
  for (let start = 0; start < size; start += block) {
    const end = Math.min(size, start + block);
    const width = end - start;
    for (let q0 = 0; q0 < count; q0 += chunk) {
      const q1 = Math.min(count, q0 + chunk);
      innerProducts({
        left: queries,
        leftStart: q0,
        leftEnd: q1,
        right: data,
        rightStart: start,
        rightEnd: end,
        dim,
        out,
      });
      for (let q = q0; q < q1; q++) {
        const collector = collectors[q] as TopKCollector;
        const exclude = excludes[q];
        const row = (q - q0) * width - start;
        for (let r = start; r < end; r++) {
          const score = out[row + r] as number;
          if (score < collector.threshold) continue;
          const key = keys[r] as number;
          if (exclude?.has(key)) continue;
          collector.push(key, score);
        }
      }
    }
  }
}
