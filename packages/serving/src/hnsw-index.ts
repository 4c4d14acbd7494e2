import { open } from 'node:fs/promises';
import { replaceFileAtomic } from '@mmrecall/atomic-write';
import {
  checkNonNegativeInteger,
  checkPositiveInteger,
  InvalidArgumentError,
  MissingArtifactError,
  MmrecallError,
} from '@mmrecall/errors';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { IndexStateError } from './errors';
import { existingFileSize, readExactly } from './file-io';
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

/** Options of {@link createHnswIndex}. */
export interface CreateHnswIndexOptions {
  /** Vector dimension, a positive integer. */
  dim: number;
  /** `ip` (inner product) or `cosine`. */
  metric: RecallMetric;
  /** Graph degree (HNSW `M`): more edges, better recall, more memory and slower inserts. Default 16. */
  connectivity?: number;
  /** Candidate list size while inserting (HNSW `efConstruction`). Default 128. */
  expansionAdd?: number;
  /** Candidate list size while searching (HNSW `ef`); usearch uses `max(expansionSearch, k)`. Default 64. */
  expansionSearch?: number;
  /** Threads for batch `upsert` and `searchBatch`; 0 = one per core. Single `search` always uses 1. Default 0. */
  threads?: number;
}

/** Options of {@link loadHnswIndex}. */
export interface LoadHnswIndexOptions {
  /** File written by `save` of an HNSW index (a plain usearch index file). */
  path: string;
  /** Memory-map the file instead of reading it into RAM. The index is then read-only: `upsert`/`remove` throw `IndexStateError`. Default false. */
  view?: boolean;
  /** Candidate list size while inserting; not stored in the file. Default 128. */
  expansionAdd?: number;
  /** Candidate list size while searching; not stored in the file. Default 64. */
  expansionSearch?: number;
  /** Threads for batch `upsert` and `searchBatch`; 0 = one per core. Default 0. */
  threads?: number;
}

const METRIC_KINDS: Record<RecallMetric, MetricKind> = { ip: MetricKind.IP, cosine: MetricKind.Cos };

interface HnswSettings {
  dim: number;
  metric: RecallMetric;
  threads: number;
  readOnly: boolean;
}

/**
 * Creates an approximate index over usearch's HNSW graph (f32 vectors). `upsert` of a present key
 * removes it and adds it again; every vector and query is checked (dimension, finite values)
 * before it reaches the native index. Calls block the event loop while usearch works.
 */
export function createHnswIndex(options: CreateHnswIndexOptions): RecallIndex {
  const dim = checkPositiveInteger({ argument: 'dim', value: options.dim });
  const metric = checkMetric(options.metric);
  const connectivity =
    options.connectivity === undefined
      ? 16
      : checkPositiveInteger({ argument: 'connectivity', value: options.connectivity });
  if (connectivity < 2) {
    throw new InvalidArgumentError({
      argument: 'connectivity',
      message: `must be at least 2, got ${connectivity}`,
    });
  }
  const expansionAdd =
    options.expansionAdd === undefined
      ? 128
      : checkPositiveInteger({ argument: 'expansionAdd', value: options.expansionAdd });
  const expansionSearch =
    options.expansionSearch === undefined
      ? 64
      : checkPositiveInteger({ argument: 'expansionSearch', value: options.expansionSearch });
  const threads =
    options.threads === undefined
      ? 0
      : checkNonNegativeInteger({ argument: 'threads', value: options.threads });
  const native = new Index({
    dimensions: dim,
    metric: METRIC_KINDS[metric],
    quantization: ScalarKind.F32,
    connectivity,
    expansion_add: expansionAdd,
    expansion_search: expansionSearch,
    multi: false,
  });
  return wrapNativeIndex(native, { dim, metric, threads, readOnly: false });
}

/**
 * Loads (or, with `view`, memory-maps) an index written by `save` of an HNSW index. Dimension and
 * metric come from the file. Throws `MissingArtifactError` when the file is missing or unreadable.
 */
export async function loadHnswIndex(options: LoadHnswIndexOptions): Promise<RecallIndex> {
  const { path } = options;
  const view = options.view ?? false;
  const expansionAdd =
    options.expansionAdd === undefined
      ? 128
      : checkPositiveInteger({ argument: 'expansionAdd', value: options.expansionAdd });
  const expansionSearch =
    options.expansionSearch === undefined
      ? 64
      : checkPositiveInteger({ argument: 'expansionSearch', value: options.expansionSearch });
  const threads =
    options.threads === undefined
      ? 0
      : checkNonNegativeInteger({ argument: 'threads', value: options.threads });
  const { dim, metric } = await readUsearchHeader(path);
  const native = new Index({
    dimensions: dim,
    metric: METRIC_KINDS[metric],
    quantization: ScalarKind.F32,
    connectivity: 0,
    expansion_add: expansionAdd,
    expansion_search: expansionSearch,
    multi: false,
  });
  try {
    if (view) native.view(path);
    else native.load(path);
  } catch (error) {
    throw new MissingArtifactError({
      path,
      message: `usearch could not ${view ? 'map' : 'load'} the index`,
      cause: error,
    });
  }
  if (native.dimensions() !== dim) {
    throw new MissingArtifactError({
      path,
      message: `header says dimension ${dim}, usearch loaded ${native.dimensions()}`,
    });
  }
  return wrapNativeIndex(native, { dim, metric, threads, readOnly: view });
}

/**
 * Reads dimension and metric from a usearch 2.x index file: `[rows u32][bytes per row u32]`, the
 * vectors, then a 64-byte header (magic "usearch", version, metric byte at +13, dimensions u64 at +33).
 */
async function readUsearchHeader(path: string): Promise<{ dim: number; metric: RecallMetric }> {
  const fileSize = await existingFileSize(path);
  const corrupt = (message: string, cause?: unknown): MissingArtifactError =>
    new MissingArtifactError({ path, message: `not a usearch index file: ${message}`, cause });
  if (fileSize < 8 + 64) throw corrupt(`${fileSize} bytes is too short`);
  const handle = await open(path, 'r');
  try {
    const matrix = new Uint8Array(8);
    await readExactly({ handle, target: matrix, position: 0 });
    const matrixView = new DataView(matrix.buffer);
    const headerOffset = 8 + matrixView.getUint32(0, true) * matrixView.getUint32(4, true);
    if (headerOffset + 64 > fileSize) throw corrupt('the vector block runs past the end of the file');
    const header = new Uint8Array(64);
    await readExactly({ handle, target: header, position: headerOffset });
    const magic = new TextDecoder().decode(header.subarray(0, 7));
    if (magic !== 'usearch') throw corrupt(`bad magic ${JSON.stringify(magic)}`);
    const metricByte = String.fromCharCode(header[13] as number);
    const metric = metricByte === 'i' ? 'ip' : metricByte === 'c' ? 'cosine' : undefined;
    if (metric === undefined)
      throw corrupt(`metric ${JSON.stringify(metricByte)} is neither inner product nor cosine`);
    const dim = Number(new DataView(header.buffer).getBigUint64(33, true));
    if (!Number.isSafeInteger(dim) || dim <= 0) throw corrupt(`invalid dimension ${dim}`);
    return { dim, metric };
  } catch (error) {
    if (MmrecallError.isInstance(error)) throw error;
    throw corrupt('read failed', error);
  } finally {
    await handle.close();
  }
}

/** Raw usearch results for `count` queries, `stride` slots per query. */
interface NativeMatches {
  keys: BigUint64Array;
  distances: Float32Array;
  counts: ArrayLike<number | bigint>;
  stride: number;
}

function wrapNativeIndex(initial: Index, settings: HnswSettings): RecallIndex {
  let native: Index | undefined = initial;
  const { dim, metric, threads, readOnly } = settings;
  const live = (): Index => {
    if (native === undefined) throw disposedError();
    return native;
  };
  const writable = (): Index => {
    const index = live();
    if (readOnly) {
      throw new IndexStateError({
        state: 'read-only',
        message: 'the index is a memory-mapped view; load it without `view` to modify it',
      });
    }
    return index;
  };
  const nativeSearch = (
    index: Index,
    queries: Float32Array,
    count: number,
    want: number,
    searchThreads: number,
  ): NativeMatches => {
    try {
      if (count === 1) {
        const matches = index.search(queries, want, searchThreads);
        return {
          keys: matches.keys,
          distances: matches.distances,
          counts: [matches.keys.length],
          stride: want,
        };
      }
      const batch = index.search(queries as unknown as Float32Array[], want, searchThreads) as unknown as {
        keys: BigUint64Array;
        distances: Float32Array;
        counts: BigUint64Array;
      };
      return { keys: batch.keys, distances: batch.distances, counts: batch.counts, stride: want };
    } catch (error) {
      throw new MmrecallError('NATIVE_INDEX', { message: 'usearch search failed', cause: error });
    }
  };

  /**
   * Copies query `q`'s matches minus `exclude` (at most `k`) into the output at `offset`; returns
   * how many were written.
   */
  const collect = (
    matches: NativeMatches,
    q: number,
    k: number,
    exclude: Set<number> | undefined,
    outKeys: Int32Array,
    outScores: Float32Array,
    offset: number,
  ): number => {
    const start = q * matches.stride;
    const found = Number(matches.counts[q]);
    let written = 0;
    for (let j = 0; j < found && written < k; j++) {
      const key = Number(matches.keys[start + j]);
      if (exclude?.has(key)) continue;
      outKeys[offset + written] = key;
      // usearch distances: ip -> 1 - dot, cos -> 1 - cosine.
      outScores[offset + written] = 1 - (matches.distances[start + j] as number);
      written++;
    }
    return written;
  };

  /**
   * One query: over-fetch `k + |exclude|`; when exclusions still leave fewer than `k`, double the
   * request until it covers the whole index (a search with `k = size` visits every reachable node).
   */
  const searchOne = (
    index: Index,
    query: Float32Array,
    k: number,
    exclude: Set<number> | undefined,
    outKeys: Int32Array,
    outScores: Float32Array,
    offset: number,
    initialWant?: number,
  ): number => {
    const size = index.size();
    if (size === 0) return 0;
    let want = Math.min(size, initialWant ?? k + (exclude?.size ?? 0));
    for (;;) {
      const matches = nativeSearch(index, query, 1, want, 1);
      const written = collect(matches, 0, k, exclude, outKeys, outScores, offset);
      if (written >= k || want >= size) return written;
      want = Math.min(size, want * 2);
    }
  };

  return {
    dim,
    metric,
    get size() {
      return live().size();
    },
    upsert(options: UpsertOptions): void {
      const index = writable();
      let keys = checkKeys(options.keys);
      let vectors = options.vectors;
      checkMatrix({ values: vectors, rows: keys.length, dim, metric, argument: 'vectors' });
      if (keys.length === 0) return;
      // Within one call the last occurrence of a key wins.
      const lastRow = new Map<number, number>();
      for (let i = 0; i < keys.length; i++) lastRow.set(keys[i] as number, i);
      if (lastRow.size < keys.length) {
        const rows = [...lastRow.values()].sort((a, b) => a - b);
        const compactKeys = new Int32Array(rows.length);
        const compactVectors = new Float32Array(rows.length * dim);
        rows.forEach((row, i) => {
          compactKeys[i] = keys[row] as number;
          compactVectors.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim);
        });
        keys = compactKeys;
        vectors = compactVectors;
      }
      const bigKeys = BigUint64Array.from(keys, (key) => BigInt(key));
      try {
        const present = index.contains(bigKeys) as boolean[];
        const replaced = bigKeys.filter((_, i) => present[i] === true);
        if (replaced.length > 0) index.remove(replaced);
        index.add(bigKeys, vectors, threads);
      } catch (error) {
        throw new MmrecallError('NATIVE_INDEX', { message: 'usearch insertion failed', cause: error });
      }
    },
    remove(options: RemoveOptions): number {
      const index = writable();
      const keys = checkKeys(options.keys);
      if (keys.length === 0) return 0;
      const unique = [...new Set(keys)];
      const removed = index.remove(BigUint64Array.from(unique, (key) => BigInt(key))) as number[];
      let total = 0;
      for (const n of removed) total += Number(n);
      return total;
    },
    has(key: number): boolean {
      return live().contains(BigInt(checkKey(key))) as boolean;
    },
    search(options: SearchOptions): RecallSearchResult {
      const index = live();
      const k = checkPositiveInteger({ argument: 'k', value: options.k });
      checkMatrix({ values: options.query, rows: 1, dim, metric, argument: 'query' });
      const exclude = toExcludeSet(options.exclude, 'exclude');
      const keys = new Int32Array(k);
      const scores = new Float32Array(k);
      const written = searchOne(index, options.query, k, exclude, keys, scores, 0);
      return { keys: keys.slice(0, written), scores: scores.slice(0, written) };
    },
    searchBatch(options: SearchBatchOptions): RecallSearchResult {
      const index = live();
      const count = checkNonNegativeInteger({ argument: 'count', value: options.count });
      const k = checkPositiveInteger({ argument: 'k', value: options.k });
      checkMatrix({ values: options.queries, rows: count, dim, metric, argument: 'queries' });
      const excludes = checkBatchExclude(options.exclude, count);
      const keys = new Int32Array(count * k).fill(-1);
      const scores = new Float32Array(count * k).fill(Number.NEGATIVE_INFINITY);
      const size = index.size();
      if (count === 0 || size === 0) return { keys, scores };
      let maxExclude = 0;
      for (const entry of excludes ?? []) maxExclude = Math.max(maxExclude, entry?.size ?? 0);
      const want = Math.min(size, k + maxExclude);
      const matches = nativeSearch(index, options.queries, count, want, threads);
      for (let q = 0; q < count; q++) {
        const exclude = excludes?.[q];
        const written = collect(matches, q, k, exclude, keys, scores, q * k);
        if (written < k && want < size) {
          // Too many exclusions in this query's candidates: redo it alone with a growing request.
          const query = options.queries.subarray(q * dim, (q + 1) * dim);
          const refilled = searchOne(index, query, k, exclude, keys, scores, q * k, Math.min(size, want * 2));
          keys.fill(-1, q * k + refilled, (q + 1) * k);
          scores.fill(Number.NEGATIVE_INFINITY, q * k + refilled, (q + 1) * k);
        }
      }
      return { keys, scores };
    },
    async save(options: SaveOptions): Promise<void> {
      const index = live();
      await replaceFileAtomic({ path: options.path, write: (tmpPath) => index.save(tmpPath) });
    },
    dispose(): void {
      native = undefined;
    },
  };
}
