import type { AsyncRecallIndex, RecallIndex } from './types';

/**
 * Presents an in-process index through the promise-returning interface, so code written for
 * `AsyncRecallIndex` (a database-backed catalog) also runs over the exact and HNSW indexes. A call
 * that throws becomes a rejected promise; the work itself still runs synchronously.
 */
export function toAsyncRecallIndex(index: RecallIndex): AsyncRecallIndex {
  return {
    dim: index.dim,
    metric: index.metric,
    size: async () => index.size,
    upsert: async (options) => index.upsert(options),
    remove: async (options) => index.remove(options),
    has: async (key) => index.has(key),
    search: async (options) => index.search(options),
    searchBatch: async (options) => index.searchBatch(options),
    save: (options) => index.save(options),
    dispose: async () => index.dispose(),
  };
}
