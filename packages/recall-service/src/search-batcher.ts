import type { AsyncRecallIndex } from '@mmrecall/serving';

import { SearchCancelledError } from './errors';

/** One search request. */
export interface BatchedSearch {
  /** Query vector (`index.dim` values). */
  query: Float32Array;
  /** Results wanted. */
  k: number;
  /** Keys that must not be returned. */
  exclude?: Set<number>;
  /** Checked when the batch runs: a cancelled search (e.g. its client hung up) is skipped and rejected. */
  cancelled?: () => boolean;
}

/** Result of one search, best first (only real matches, no padding). */
export interface BatchedSearchResult {
  keys: Int32Array;
  scores: Float32Array;
}

/** Collects searches that arrive in the same event-loop turn and runs them as one `searchBatch`. */
export interface SearchBatcher {
  search(request: BatchedSearch): Promise<BatchedSearchResult>;
}

/** Options of {@link createSearchBatcher}. */
export interface CreateSearchBatcherOptions {
  /** The index to search. */
  index: AsyncRecallIndex;
  /** Most queries per `searchBatch` call; more wait for the next turn. Default 16. */
  maxBatch?: number;
}

interface Pending extends BatchedSearch {
  resolve(result: BatchedSearchResult): void;
  reject(error: unknown): void;
}

/**
 * In-process index calls are synchronous and block the event loop (the exact index scans every row,
 * usearch walks its graph on this thread or its own pool). Requests that arrive together are therefore
 * answered by one `searchBatch`: the exact index reads each row once for the whole group, usearch
 * spreads the group over its threads, a database index sends the group at once over its pool. The batch is flushed in `setImmediate`, after the current I/O
 * callbacks, so a lone request waits no longer than one turn.
 */
export function createSearchBatcher(options: CreateSearchBatcherOptions): SearchBatcher {
  const { index } = options;
  const maxBatch = options.maxBatch ?? 16;
  const queue: Pending[] = [];
  let scheduled = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    const batch: Pending[] = [];
    while (batch.length < maxBatch && queue.length > 0) {
      const entry = queue.shift() as Pending;
      if (entry.cancelled?.() === true) entry.reject(new SearchCancelledError());
      else batch.push(entry);
    }
    if (queue.length > 0) schedule();
    if (batch.length === 0) return;
    try {
      if (batch.length === 1) {
        const only = batch[0] as Pending;
        const result = await index.search({
          query: only.query,
          k: only.k,
          ...(only.exclude ? { exclude: only.exclude } : {}),
        });
        only.resolve({ keys: result.keys, scores: result.scores });
        return;
      }
      const dim = index.dim;
      const k = batch.reduce((most, entry) => Math.max(most, entry.k), 1);
      const queries = new Float32Array(batch.length * dim);
      batch.forEach((entry, i) => {
        queries.set(entry.query, i * dim);
      });
      const result = await index.searchBatch({
        queries,
        count: batch.length,
        k,
        exclude: batch.map((entry) => entry.exclude),
      });
      batch.forEach((entry, i) => {
        let n = 0;
        while (n < entry.k && (result.keys[i * k + n] as number) >= 0) n++;
        entry.resolve({
          keys: result.keys.slice(i * k, i * k + n),
          scores: result.scores.slice(i * k, i * k + n),
        });
      });
    } catch {
      // One bad query must not fail its neighbours: answer each alone.
      for (const entry of batch) {
        try {
          const result = await index.search({
            query: entry.query,
            k: entry.k,
            ...(entry.exclude ? { exclude: entry.exclude } : {}),
          });
          entry.resolve({ keys: result.keys, scores: result.scores });
        } catch (error) {
          entry.reject(error);
        }
      }
    }
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      void flush();
    });
  };

  return {
    search: (request) =>
      new Promise<BatchedSearchResult>((resolve, reject) => {
        if (request.query.length !== index.dim) {
          reject(
            new RangeError(`query has ${request.query.length} values, the index has dimension ${index.dim}`),
          );
          return;
        }
        queue.push({ ...request, resolve, reject });
        schedule();
      }),
  };
}
