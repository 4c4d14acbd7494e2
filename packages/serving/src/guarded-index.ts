import type { CallWatchdog } from './call-watchdog';
import type {
  AsyncRecallIndex,
  RecallIndex,
  RemoveOptions,
  SaveOptions,
  SearchBatchOptions,
  SearchOptions,
  UpsertOptions,
} from './types';

/** Options of {@link guardRecallIndex}. */
export interface GuardRecallIndexOptions {
  /** The index to guard (any `RecallIndex`). */
  index: RecallIndex;
  /** Watchdog whose budget every call runs under. */
  watchdog: CallWatchdog;
  /** Prefix of the labels the watchdog reports, e.g. `items` gives `items.search`. Default `index`. */
  name?: string;
}

/**
 * Wraps an index so that every synchronous call (`size`, `has`, `upsert`, `remove`, `search`,
 * `searchBatch`, and the synchronous part of `save`, where usearch writes the file) runs under the
 * watchdog's budget. Same behaviour and results as the wrapped index otherwise.
 */
export function guardRecallIndex(options: GuardRecallIndexOptions): RecallIndex {
  const { index, watchdog } = options;
  const name = options.name ?? 'index';
  return {
    dim: index.dim,
    metric: index.metric,
    get size() {
      return watchdog.run(`${name}.size`, () => index.size);
    },
    upsert: (upsert: UpsertOptions) => watchdog.run(`${name}.upsert`, () => index.upsert(upsert)),
    remove: (remove: RemoveOptions) => watchdog.run(`${name}.remove`, () => index.remove(remove)),
    has: (key: number) => watchdog.run(`${name}.has`, () => index.has(key)),
    search: (search: SearchOptions) => watchdog.run(`${name}.search`, () => index.search(search)),
    searchBatch: (search: SearchBatchOptions) =>
      watchdog.run(`${name}.searchBatch`, () => index.searchBatch(search)),
    save: (save: SaveOptions) => watchdog.run(`${name}.save`, () => index.save(save)),
    dispose: () => index.dispose(),
  };
}

/** Options of {@link guardAsyncRecallIndex}: those of {@link guardRecallIndex} over a promise-returning index. */
export interface GuardAsyncRecallIndexOptions extends Omit<GuardRecallIndexOptions, 'index'> {
  /** The index to guard: an in-process index through `toAsyncRecallIndex`, or one outside the process. */
  index: AsyncRecallIndex;
}

/**
 * Wraps a promise-returning index so that every call (`size`, `has`, `upsert`, `remove`, `search`,
 * `searchBatch`) runs under the watchdog's budget with `runAsync`: the synchronous part of the call
 * (all the work of an in-process index, where a stuck native call ends the process) and the wait
 * for its promise (a database that never answers). `save` and `dispose` are not guarded.
 */
export function guardAsyncRecallIndex(options: GuardAsyncRecallIndexOptions): AsyncRecallIndex {
  const { index, watchdog } = options;
  const name = options.name ?? 'index';
  return {
    dim: index.dim,
    metric: index.metric,
    size: () => watchdog.runAsync(`${name}.size`, () => index.size()),
    upsert: (upsert) => watchdog.runAsync(`${name}.upsert`, () => index.upsert(upsert)),
    remove: (remove) => watchdog.runAsync(`${name}.remove`, () => index.remove(remove)),
    has: (key) => watchdog.runAsync(`${name}.has`, () => index.has(key)),
    search: (search) => watchdog.runAsync(`${name}.search`, () => index.search(search)),
    searchBatch: (search) => watchdog.runAsync(`${name}.searchBatch`, () => index.searchBatch(search)),
    save: (save) => index.save(save),
    dispose: () => index.dispose(),
  };
}
