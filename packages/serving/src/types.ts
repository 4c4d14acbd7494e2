/** Similarity used by an index. `ip` = inner product, `cosine` = cosine similarity. Higher is better. */
export type RecallMetric = 'ip' | 'cosine';

/** Non-negative integer keys (at most 2^31 - 1, so they fit an `Int32Array`). */
export type RecallKeys = Int32Array | readonly number[];

/** Options of {@link RecallIndex.upsert}. */
export interface UpsertOptions {
  /** Keys of the rows, one per vector. A key already in the index is replaced; within one call the last occurrence wins. */
  keys: RecallKeys;
  /** Row-major `keys.length x dim` matrix. Every value must be finite; for `cosine` no row may be all zeros. */
  vectors: Float32Array;
}

/** Options of {@link RecallIndex.remove}. */
export interface RemoveOptions {
  /** Keys to delete. Keys that are not in the index are ignored. */
  keys: RecallKeys;
}

/** Options of {@link RecallIndex.search}. */
export interface SearchOptions {
  /** Query vector of length `dim`, finite values (non-zero for `cosine`). */
  query: Float32Array;
  /** Number of results wanted, a positive integer. */
  k: number;
  /** Keys that must not be returned (e.g. items the user has already seen). */
  exclude?: Iterable<number> | Set<number>;
}

/** Options of {@link RecallIndex.searchBatch}. */
export interface SearchBatchOptions {
  /** Row-major `count x dim` matrix of queries. */
  queries: Float32Array;
  /** Number of queries in `queries`. */
  count: number;
  /** Number of results per query, a positive integer. */
  k: number;
  /** Per query, keys that must not be returned; `exclude[i]` applies to query `i`. Length `count` when given. */
  exclude?: readonly (Set<number> | undefined)[];
}

/** Options of {@link RecallIndex.save}. */
export interface SaveOptions {
  /** File to write. Written to a temporary sibling first and renamed, so readers never see a partial file. */
  path: string;
}

/**
 * Search results, best first. From `search`: `min(k, available)` entries. From `searchBatch`:
 * `count * k` entries, query `i` at `[i * k, (i + 1) * k)`, padded with key `-1` and score `-Infinity`.
 */
export interface RecallSearchResult {
  /** Keys of the matches. */
  keys: Int32Array;
  /** Similarity of each match (`ip`: inner product, `cosine`: cosine similarity). */
  scores: Float32Array;
}

/**
 * A mutable top-k similarity index over integer keys. All calls are synchronous and block the
 * event loop except `save`. After `dispose()` every call throws `IndexStateError`.
 */
export interface RecallIndex {
  /** Vector dimension. */
  readonly dim: number;
  /** Similarity used to rank. */
  readonly metric: RecallMetric;
  /** Number of keys currently in the index. */
  readonly size: number;
  /** Inserts rows, replacing rows whose key is already present. Validates everything before changing anything. */
  upsert(options: UpsertOptions): void;
  /** Deletes rows; returns how many keys were present and removed. */
  remove(options: RemoveOptions): number;
  /** Whether `key` is in the index. */
  has(key: number): boolean;
  /** The `k` best keys for one query, never a key in `exclude`; fewer only when the index holds fewer eligible keys. */
  search(options: SearchOptions): RecallSearchResult;
  /** The `k` best keys for each of `count` queries (padded, see {@link RecallSearchResult}). Same results as repeated `search`. */
  searchBatch(options: SearchBatchOptions): RecallSearchResult;
  /** Writes the index to `path` atomically (temporary file + rename). */
  save(options: SaveOptions): Promise<void>;
  /** Releases the index's memory (the native memory of an HNSW index is freed when garbage-collected). */
  dispose(): void;
}

/**
 * The promise-returning form of {@link RecallIndex}, for an index that lives outside the process (a
 * database): every call may wait on I/O. Same contract otherwise: results, padding, validation before
 * any change, `IndexStateError` after `dispose()`. `toAsyncRecallIndex` turns any `RecallIndex` into one.
 */
export interface AsyncRecallIndex {
  /** Vector dimension. */
  readonly dim: number;
  /** Similarity used to rank. */
  readonly metric: RecallMetric;
  /** Number of keys currently in the index. */
  size(): Promise<number>;
  /** Inserts rows, replacing rows whose key is already present. Validates everything before changing anything. */
  upsert(options: UpsertOptions): Promise<void>;
  /** Deletes rows; resolves to how many keys were present and removed. */
  remove(options: RemoveOptions): Promise<number>;
  /** Whether `key` is in the index. */
  has(key: number): Promise<boolean>;
  /** The `k` best keys for one query, never a key in `exclude`; fewer only when the index holds fewer eligible keys. */
  search(options: SearchOptions): Promise<RecallSearchResult>;
  /** The `k` best keys for each of `count` queries (padded, see {@link RecallSearchResult}). Same results as repeated `search`. */
  searchBatch(options: SearchBatchOptions): Promise<RecallSearchResult>;
  /** Writes a snapshot of the index to `path` atomically (temporary file + rename). */
  save(options: SaveOptions): Promise<void>;
  /** Releases what the index holds (memory, connections); later calls reject with `IndexStateError`. */
  dispose(): Promise<void>;
}
