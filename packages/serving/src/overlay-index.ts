import { checkNonNegativeInteger, checkPositiveInteger, InvalidArgumentError } from '@mmrecall/errors';

import { IndexStateError } from './errors';
import type {
  RecallIndex,
  RecallSearchResult,
  RemoveOptions,
  SearchBatchOptions,
  SearchOptions,
  UpsertOptions,
} from './types';
import { checkBatchExclude, checkKey, checkKeys, checkMatrix, disposedError, toExcludeSet } from './validate';

/** Options of {@link createOverlayIndex}. */
export interface CreateOverlayIndexOptions {
  /** Index of the artifacts' items, never modified (e.g. a memory-mapped prebuilt HNSW file). */
  base: RecallIndex;
  /** Empty mutable index with the same `dim` and `metric`, for rows upserted at run time. */
  overlay: RecallIndex;
}

interface Scored {
  key: number;
  score: number;
}

/**
 * One mutable index over a read-only base: upserts go to `overlay` (a base key that is upserted or
 * removed is hidden in the base), searches merge the base's visible matches with the overlay's.
 * Lets a server memory-map a prebuilt graph (instant start, identical answers after every restart)
 * and still take PUT/DELETE. `save` is refused: save the base and the overlay separately.
 */
export function createOverlayIndex(options: CreateOverlayIndexOptions): RecallIndex {
  const { base, overlay } = options;
  if (base.dim !== overlay.dim || base.metric !== overlay.metric) {
    throw new InvalidArgumentError({
      argument: 'overlay',
      message: `must have the base's dim ${base.dim} and metric ${base.metric}, got ${overlay.dim} and ${overlay.metric}`,
    });
  }
  const { dim, metric } = base;
  /** Base keys that were removed or replaced (the replacement lives in the overlay). */
  const hidden = new Set<number>();
  let disposed = false;
  const live = (): void => {
    if (disposed) throw disposedError();
  };

  /** The base's `k` best visible matches: asks for more while hidden keys crowd the answer. */
  const searchBase = (query: Float32Array, k: number, exclude: Set<number> | undefined): Scored[] => {
    const total = base.size;
    if (total === 0) return [];
    let want = Math.min(total, k + (exclude?.size ?? 0) + Math.min(hidden.size, k));
    for (;;) {
      const found = base.search({ query, k: want, ...(exclude === undefined ? {} : { exclude }) });
      const visible: Scored[] = [];
      for (let i = 0; i < found.keys.length && visible.length < k; i++) {
        const key = found.keys[i] as number;
        if (!hidden.has(key)) visible.push({ key, score: found.scores[i] as number });
      }
      if (visible.length >= k || want >= total) return visible;
      want = Math.min(total, want * 2);
    }
  };

  const searchOne = (query: Float32Array, k: number, exclude: Set<number> | undefined): Scored[] => {
    const merged = searchBase(query, k, exclude);
    if (overlay.size > 0) {
      const found = overlay.search({ query, k, ...(exclude === undefined ? {} : { exclude }) });
      for (let i = 0; i < found.keys.length; i++) {
        merged.push({ key: found.keys[i] as number, score: found.scores[i] as number });
      }
      merged.sort((a, b) => b.score - a.score || a.key - b.key);
    }
    return merged.length > k ? merged.slice(0, k) : merged;
  };

  return {
    dim,
    metric,
    get size() {
      live();
      return base.size - hidden.size + overlay.size;
    },
    upsert(upsert: UpsertOptions): void {
      live();
      const keys = checkKeys(upsert.keys);
      // The overlay validates everything before it changes anything; hide only after it succeeded.
      overlay.upsert({ keys, vectors: upsert.vectors });
      for (const key of keys) if (base.has(key)) hidden.add(key);
    },
    remove(remove: RemoveOptions): number {
      live();
      const keys = checkKeys(remove.keys);
      let removed = 0;
      for (const key of new Set(keys)) {
        if (overlay.has(key)) {
          overlay.remove({ keys: [key] });
          removed++;
        } else if (!hidden.has(key) && base.has(key)) {
          hidden.add(key);
          removed++;
        }
      }
      return removed;
    },
    has(key: number): boolean {
      live();
      checkKey(key);
      return overlay.has(key) || (!hidden.has(key) && base.has(key));
    },
    search(search: SearchOptions): RecallSearchResult {
      live();
      const k = checkPositiveInteger({ argument: 'k', value: search.k });
      checkMatrix({ values: search.query, rows: 1, dim, metric, argument: 'query' });
      const matches = searchOne(search.query, k, toExcludeSet(search.exclude, 'exclude'));
      return {
        keys: Int32Array.from(matches, (match) => match.key),
        scores: Float32Array.from(matches, (match) => match.score),
      };
    },
    searchBatch(search: SearchBatchOptions): RecallSearchResult {
      live();
      const count = checkNonNegativeInteger({ argument: 'count', value: search.count });
      const k = checkPositiveInteger({ argument: 'k', value: search.k });
      checkMatrix({ values: search.queries, rows: count, dim, metric, argument: 'queries' });
      const excludes = checkBatchExclude(search.exclude, count);
      const keys = new Int32Array(count * k).fill(-1);
      const scores = new Float32Array(count * k).fill(Number.NEGATIVE_INFINITY);
      for (let q = 0; q < count; q++) {
        const matches = searchOne(search.queries.subarray(q * dim, (q + 1) * dim), k, excludes?.[q]);
        matches.forEach((match, i) => {
          keys[q * k + i] = match.key;
          scores[q * k + i] = match.score;
        });
      }
      return { keys, scores };
    },
    async save(): Promise<void> {
      live();
      throw new IndexStateError({
        state: 'read-only',
        message: 'an overlay index is not saved as one file; save its base and overlay separately',
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      overlay.dispose();
      base.dispose();
    },
  };
}
