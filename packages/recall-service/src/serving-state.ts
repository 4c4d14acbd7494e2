import {
  type AsyncRecallIndex,
  type CallWatchdog,
  createExactIndex,
  createHnswIndex,
  guardAsyncRecallIndex,
  openPrebuiltHnswIndex,
  PREBUILT_EXPANSION_SEARCH,
  toAsyncRecallIndex,
} from '@mmrecall/serving';

import { createItemCatalog, type ItemCatalog } from './item-catalog';
import { createSearchBatcher, type SearchBatcher } from './search-batcher';
import type { NewItemContent, ServingModel } from './serving-model';

/** Which index serves recall: `exact` (full scan, exact) or `hnsw` (usearch graph, approximate). */
export type IndexKind = 'exact' | 'hnsw';

/**
 * An index outside the process (e.g. a pgvector table, see `@mmrecall/serving-pgvector`): every
 * loaded state gets a new, empty one, filled from the artifacts, and disposes it when retired.
 */
export interface ExternalIndex<T extends AsyncRecallIndex = AsyncRecallIndex> {
  /** Name reported as the index kind (e.g. `pgvector`). */
  kind: string;
  /** A new, empty inner-product index of `dim` dimensions; its `dispose()` releases it (e.g. drops the table). */
  create(options: { dim: number }): Promise<T>;
  /** Called once the artifacts' rows are in, before the state serves (e.g. to build the vector index). */
  filled?(index: T): Promise<void>;
}

/**
 * Everything one loaded artifacts folder serves: model, index, id maps. Requests take a reference
 * (`acquire`) and work on that state until they finish; a reload builds a new state beside it and
 * swaps the server's single reference. The old state is disposed when its last request releases it.
 */
export interface ServingState {
  readonly model: ServingModel;
  /** `exact`, `hnsw` or the external index's kind. */
  readonly indexKind: string;
  readonly index: AsyncRecallIndex;
  readonly catalog: ItemCatalog;
  /** User id -> row of the user embeddings / user id table. */
  readonly userRows: ReadonlyMap<string, number>;
  readonly batcher: SearchBatcher;
  /** ISO time the state finished loading. */
  readonly loadedAt: string;
  /** Takes a reference; call the returned function exactly once when done. */
  acquire(): () => void;
  /** Marks the state replaced; it is disposed once no request holds it. */
  retire(): void;
  /** Resolves once the state is disposed (an external index has released what it holds, e.g. dropped its table). */
  whenDisposed(): Promise<void>;
}

/** Build and search settings of the HNSW index (see @mmrecall/serving createHnswIndex). */
export interface HnswSettings {
  /** Graph degree. Default 16. */
  connectivity?: number;
  /** Candidate list size while inserting: higher = better graph, slower build. Default 128. */
  expansionAdd?: number;
  /**
   * Candidate list size while searching: higher = better recall, slower search. Default 128
   * (`PREBUILT_EXPANSION_SEARCH`: recall@20 0.970 against brute force at 1M x 64, 0.936 with 64).
   */
  expansionSearch?: number;
}

/** Options of {@link buildServingState}. */
export interface BuildServingStateOptions {
  /** Loaded model and embeddings; the state owns it from now on (disposed with the state). */
  model: ServingModel;
  /** Index kind, or an index outside the process. */
  index: IndexKind | ExternalIndex;
  /** HNSW settings (index `hnsw` only). */
  hnsw?: HnswSettings;
  /**
   * Target wall time of one insertion step in milliseconds; the event loop runs between steps, so a
   * reload slows requests down but never stalls them for long. The step size adapts to it. Default 50.
   */
  stepMs?: number;
  /** Called after each insertion step with the rows inserted so far and the total. */
  onProgress?: (options: { done: number; total: number }) => void;
  /** Checked between insertion steps: an aborted build frees its index and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Every index call (build steps included) runs under this watchdog's budget, labelled `items.<call>`. */
  watchdog?: CallWatchdog;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Builds the index over the model's item embeddings (inner product) and the id maps. */
export async function buildServingState(options: BuildServingStateOptions): Promise<ServingState> {
  const { model } = options;
  const stepMs = options.stepMs ?? 50;
  const numItems = model.itemIds.length;
  const dim = model.dim;
  options.signal?.throwIfAborted();
  const external = typeof options.index === 'object' ? options.index : undefined;
  // A prebuilt graph in the artifacts is memory-mapped: no build, the same graph after every start.
  const prebuilt = options.index === 'hnsw' ? model.prebuiltIndex : undefined;
  const expansionSearch = options.hnsw?.expansionSearch;
  const unguarded: AsyncRecallIndex =
    external !== undefined
      ? await external.create({ dim })
      : toAsyncRecallIndex(
          prebuilt !== undefined
            ? await openPrebuiltHnswIndex({
                ...prebuilt,
                ...(expansionSearch === undefined ? {} : { expansionSearch }),
              })
            : options.index === 'hnsw'
              ? createHnswIndex({
                  dim,
                  metric: 'ip',
                  expansionSearch: PREBUILT_EXPANSION_SEARCH,
                  ...options.hnsw,
                })
              : createExactIndex({ dim, metric: 'ip', capacity: numItems + 1024 }),
        );
  const index =
    options.watchdog === undefined
      ? unguarded
      : guardAsyncRecallIndex({ index: unguarded, watchdog: options.watchdog, name: 'items' });
  // Disposal of an external index is I/O (dropping its table); a failure there must not fail the swap.
  let markDisposed: () => void = () => undefined;
  const disposedPromise = new Promise<void>((resolve) => {
    markDisposed = resolve;
  });
  const release = (): void => {
    index
      .dispose()
      .catch(() => undefined)
      .then(markDisposed);
  };
  try {
    let rows = 1000;
    for (let start = prebuilt === undefined ? 0 : numItems; start < numItems; ) {
      const end = Math.min(numItems, start + rows);
      const keys = new Int32Array(end - start);
      for (let i = 0; i < keys.length; i++) keys[i] = start + i;
      const began = performance.now();
      await index.upsert({ keys, vectors: model.itemEmbeddings.subarray(start * dim, end * dim) });
      const elapsed = Math.max(performance.now() - began, 0.1);
      // Aim the next step at stepMs (at most 4x growth per step, at least 100 rows).
      rows = Math.max(100, Math.min(rows * 4, Math.round((keys.length * stepMs) / elapsed)));
      start = end;
      options.onProgress?.({ done: start, total: numItems });
      if (start < numItems) await yieldToEventLoop();
      options.signal?.throwIfAborted();
    }
    await external?.filled?.(index);
  } catch (error) {
    release();
    throw error;
  }
  const catalog = createItemCatalog({
    itemIds: model.itemIds,
    embeddings: model.itemEmbeddings,
    dim,
    ...(model.itemRows === undefined ? {} : { trainedRows: model.itemRows }),
  });
  const userRows = new Map<string, number>();
  model.userIds.forEach((id, row) => {
    userRows.set(id, row);
  });
  let references = 0;
  let retired = false;
  let disposed = false;
  const disposeWhenIdle = (): void => {
    if (!retired || references > 0 || disposed) return;
    disposed = true;
    release();
    model.dispose();
  };
  return {
    model,
    indexKind: external?.kind ?? (options.index as IndexKind),
    index,
    catalog,
    userRows,
    batcher: createSearchBatcher({ index }),
    loadedAt: new Date().toISOString(),
    acquire: () => {
      references++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        references--;
        disposeWhenIdle();
      };
    },
    retire: () => {
      retired = true;
      disposeWhenIdle();
    },
    whenDisposed: () => disposedPromise,
  };
}

/** Result of {@link putItems}. */
export interface PutItemResult {
  id: string;
  key: number;
  created: boolean;
  /** Gate value (gated kinds), else null. */
  gate: number | null;
  /** Tags the model does not know (ignored). */
  unknownTags: string[];
}

/** A new item embedded by a state's content tower, not yet in its index. */
export interface EmbeddedItem {
  id: string;
  vector: Float32Array;
  gate: number | null;
  unknownTags: string[];
}

/**
 * Embeds validated new items with the content tower; changes nothing. Throws when the tower
 * returns the wrong size or a non-finite value.
 */
export async function embedItems(options: {
  /** State whose model embeds. */
  state: ServingState;
  /** Items with validated content. */
  items: readonly { id: string; content: NewItemContent }[];
}): Promise<EmbeddedItem[]> {
  const { state, items } = options;
  if (items.length === 0) return [];
  const dim = state.model.dim;
  const embedded = await state.model.embedNewItems({ items: items.map((item) => item.content) });
  if (embedded.embeddings.length !== items.length * dim) {
    throw new Error(
      `embedNewItems returned ${embedded.embeddings.length} values for ${items.length} items of dim ${dim}`,
    );
  }
  for (let i = 0; i < embedded.embeddings.length; i++) {
    if (!Number.isFinite(embedded.embeddings[i]))
      throw new Error('the content tower produced a non-finite embedding');
  }
  return items.map((item, i) => {
    const gate = embedded.gates?.[i];
    return {
      id: item.id,
      vector: embedded.embeddings.slice(i * dim, (i + 1) * dim),
      gate: gate === undefined ? null : gate,
      unknownTags: embedded.unknownTags[i] ?? [],
    };
  });
}

/** Puts embedded items into catalog and index (keys are assigned here). */
export async function applyItems(options: {
  /** State to change (the one that embedded the items). */
  state: ServingState;
  /** Items from {@link embedItems}. */
  items: readonly EmbeddedItem[];
}): Promise<PutItemResult[]> {
  const { state, items } = options;
  if (items.length === 0) return [];
  const dim = state.model.dim;
  const keys = new Int32Array(items.length);
  const packed = new Float32Array(items.length * dim);
  const results = items.map((item, i) => {
    const { key, created } = state.catalog.put({ id: item.id, vector: item.vector });
    keys[i] = key;
    packed.set(item.vector, i * dim);
    return { id: item.id, key, created, gate: item.gate, unknownTags: item.unknownTags };
  });
  await state.index.upsert({ keys, vectors: packed });
  return results;
}

/**
 * Embeds validated new items with the content tower and upserts them into index and catalog.
 * Embedding happens first: if it throws, neither index nor catalog has changed.
 */
export async function putItems(options: {
  /** State to change. */
  state: ServingState;
  /** Items with validated content. */
  items: readonly { id: string; content: NewItemContent }[];
}): Promise<PutItemResult[]> {
  return applyItems({ state: options.state, items: await embedItems(options) });
}

/** Removes an item from index and catalog; false when it was not live. */
export async function removeItem(options: {
  /** State to change. */
  state: ServingState;
  /** Item id. */
  id: string;
}): Promise<boolean> {
  const key = options.state.catalog.remove({ id: options.id });
  if (key === undefined) return false;
  await options.state.index.remove({ keys: [key] });
  return true;
}
