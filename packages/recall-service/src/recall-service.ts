import path from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@mmrecall/errors';

import { InvalidItemError, ServiceUnavailableError } from './errors';
import { checkItemContent } from './item-content';
import { applyRecord, type ItemJournal, type JournalState, openItemJournal } from './item-journal';
import { loadServingModel } from './load-serving-model';
import { loadState } from './load-state';
import {
  type I2iOptions,
  type RecallResult,
  recallForItem,
  recallForUser,
  type U2iOptions,
} from './recall-queries';
import { replayChanges } from './replay-changes';
import { createSerialQueue } from './serial-queue';
import type { LoadServingModel } from './serving-model';
import {
  applyItems,
  type ExternalIndex,
  embedItems,
  type HnswSettings,
  type IndexKind,
  removeItem,
  type ServingState,
} from './serving-state';

/** Structured log lines of the service (pino's `(details, message)` call shape). */
export interface RecallServiceLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** Options of {@link createRecallService}. */
export interface CreateRecallServiceOptions {
  /** Artifacts folder to serve (written by the trainer / `writeArtifacts`). Loading starts at once. */
  artifactsDir: string;
  /**
   * `exact` (full scan, exact results), `hnsw` (usearch graph, approximate, much faster on large
   * catalogs), or an index outside the process (a pgvector table: `@mmrecall/serving-pgvector`).
   */
  // biome-ignore lint/suspicious/noExplicitAny: any external index type (its create/filled pair agrees on it)
  index: IndexKind | ExternalIndex<any>;
  /** HNSW build/search settings (index `hnsw` only); defaults of `@mmrecall/serving`. */
  hnsw?: HnswSettings;
  /**
   * Journal file of item mutations. Every acknowledged `putItem`/`deleteItem` is appended and
   * fsynced before it resolves, replayed at start and after each reload, and compacted when the
   * artifacts change. Without it, run-time items live only as long as the process.
   */
  journal?: string;
  /**
   * Most time reading an artifacts folder may take, in milliseconds (the index build is not
   * counted). A read that takes longer fails the reload and the old state keeps serving. Default 120,000.
   */
  readTimeoutMs?: number;
  /** Log sink. Default: none. */
  log?: RecallServiceLog;
  /** Called after every load attempt (the first one included). */
  onReload?: (outcome: { ok: true; result: ReloadResult } | { ok: false; error: unknown }) => void;
  /** How to read an artifacts folder. Default: `loadServingModel` (through `@mmrecall/model`'s `readArtifacts`). */
  loadModel?: LoadServingModel;
}

/** Outcome of a successful (re)load. */
export interface ReloadResult {
  /** Folder now served. */
  artifactsDir: string;
  /** Model kind. */
  kind: string;
  /** Items in the new index. */
  items: number;
  /** Users with a precomputed embedding. */
  users: number;
  /** Run-time items (PUT) re-embedded into the new state. */
  replayed: number;
  /**
   * Run-time items the new model cannot embed (no content tower, vectors it does not take). They
   * stay in the journal and come back with a model that can embed them.
   */
  pending: number;
  /** ISO time of the swap. */
  loadedAt: string;
  /** Wall time of the reload. */
  durationMs: number;
}

/** What the service is doing. */
export type RecallServiceStatus =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'closed' }
  | {
      status: 'ready';
      artifactsDir: string;
      kind: string;
      mode: string;
      /** `exact`, `hnsw` or the external index's kind (e.g. `pgvector`). */
      index: string;
      items: number;
      users: number;
      /** Run-time items the loaded model cannot embed (kept for a later model). */
      pending: number;
      loadedAt: string;
    };

/** Options of {@link RecallService.putItem}. */
export interface PutItemOptions {
  /** Item id (1 to 256 characters). A trained id is replaced; a new id is added. */
  id: string;
  /** Content tag names (unknown tags are ignored and reported). */
  tags?: readonly string[];
  /** Named dense vectors; every vector the content tower reads is required. */
  vectors: Record<string, ArrayLike<number>>;
}

/** Outcome of {@link RecallService.putItem}. */
export interface PutItemOutcome {
  id: string;
  /** False when an existing item was replaced. */
  created: boolean;
  /** Gate value of gated kinds (zero posterior statistics), else null. */
  gate: number | null;
  /** Tags the model does not know (ignored). */
  unknownTags: string[];
}

/** Options of {@link RecallService.reload}. */
export interface ReloadOptions {
  /** Folder to load. Default: the folder served now. */
  artifactsDir?: string;
  /** Cancels the reload (the old state keeps serving). */
  signal?: AbortSignal;
}

/** In-process recall over an artifacts folder, with run-time items and atomic reloads. */
export interface RecallService {
  /** Resolves once the first artifacts folder is loaded (rejects when that load fails). */
  readonly ready: Promise<void>;
  /** Current state, cheap enough for every health probe. */
  status(): RecallServiceStatus;
  /** Items for a user: by stored embedding (`userId`) or through the user tower (`features`). */
  u2i(options: U2iOptions): Promise<RecallResult>;
  /** Items similar to a live item. */
  i2i(options: I2iOptions): Promise<RecallResult>;
  /** Embeds an item through the content tower (gate at zero statistics) and puts it into the index. */
  putItem(options: PutItemOptions): Promise<PutItemOutcome>;
  /** Removes a live or pending item; `NotFoundError` when it is neither. */
  deleteItem(options: { id: string }): Promise<void>;
  /**
   * Loads a folder beside the serving state and swaps it in atomically; rejects (old state kept)
   * on failure. Reloads run one at a time.
   */
  reload(options?: ReloadOptions): Promise<ReloadResult>;
  /** Aborts a running reload, waits for running mutations, frees model and index, closes the journal. */
  dispose(): Promise<void>;
}

const silent: RecallServiceLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

const artifactsIdentity = (state: ServingState): string => `${state.model.dir}@${state.model.createdAt}`;

/**
 * Creates the recall service over an artifacts folder. The first load starts immediately; calls
 * made before it completes reject with `ServiceUnavailableError`. TensorFlow.js must already have a
 * backend (the application selects one, never this library).
 */
export function createRecallService(options: CreateRecallServiceOptions): RecallService {
  const external = typeof options.index === 'object' && options.index !== null ? options.index : undefined;
  if (
    external !== undefined
      ? typeof external.create !== 'function'
      : options.index !== 'exact' && options.index !== 'hnsw'
  ) {
    throw new InvalidArgumentError({
      argument: 'index',
      message: `expected "exact", "hnsw" or an external index { kind, create }, got ${String(options.index)}`,
    });
  }
  const readTimeoutMs = options.readTimeoutMs ?? 120_000;
  if (!Number.isFinite(readTimeoutMs) || readTimeoutMs <= 0) {
    throw new InvalidArgumentError({
      argument: 'readTimeoutMs',
      message: `must be > 0, got ${readTimeoutMs}`,
    });
  }
  const indexKind = options.index;
  const loadModel = options.loadModel ?? loadServingModel;
  const log = options.log ?? silent;

  let current: ServingState | undefined;
  let firstLoadError: string | undefined;
  let closed = false;
  let journal: ItemJournal | undefined;
  /** Acknowledged run-time changes (the journal's content), applied to every new state. */
  let changes: JournalState = { artifacts: undefined, puts: new Map(), deletes: new Set() };
  /** Set at start when the journal holds superseded records: the first load compacts it. */
  let journalHasGarbage = false;
  /** Run-time items the serving model cannot embed (kept in `changes` for a later model). */
  let pendingIds = new Set<string>();
  const mutate = createSerialQueue();
  const reloadQueue = createSerialQueue();
  const closing = new AbortController();

  const requireState = (): ServingState => {
    if (current !== undefined) return current;
    if (closed)
      throw new ServiceUnavailableError({ reason: 'closed', message: 'the recall service is closed' });
    if (firstLoadError !== undefined) {
      throw new ServiceUnavailableError({
        reason: 'failed',
        message: `no artifacts loaded: ${firstLoadError}`,
      });
    }
    throw new ServiceUnavailableError({ reason: 'loading', message: 'artifacts are still loading' });
  };

  /** Runs `task` on the serving state, holding a reference so a reload cannot free it meanwhile. */
  const withState = async <T>(task: (state: ServingState) => Promise<T>): Promise<T> => {
    const state = requireState();
    const release = state.acquire();
    try {
      return await task(state);
    } finally {
      release();
    }
  };

  const reloadOnce = (reloadOptions: ReloadOptions): Promise<ReloadResult> =>
    reloadQueue(async () => {
      if (closed)
        throw new ServiceUnavailableError({ reason: 'closed', message: 'the recall service is closed' });
      const signal = AbortSignal.any(
        reloadOptions.signal ? [closing.signal, reloadOptions.signal] : [closing.signal],
      );
      const target = path.resolve(reloadOptions.artifactsDir ?? current?.model.dir ?? options.artifactsDir);
      const started = performance.now();
      let nextReport = 0.1;
      const next = await loadState({
        dir: target,
        loadModel,
        index: indexKind,
        ...(options.hnsw ? { hnsw: options.hnsw } : {}),
        readTimeoutMs,
        signal,
        onProgress: ({ done, total }) => {
          // Large HNSW builds take minutes: report every 10%.
          if (total >= 100_000 && done / total >= nextReport) {
            nextReport += 0.1;
            log.info(
              {
                artifactsDir: target,
                index: typeof indexKind === 'string' ? indexKind : indexKind.kind,
                done,
                total,
                seconds: Math.round((performance.now() - started) / 1000),
              },
              'building the index',
            );
          }
        },
      });
      return mutate(async () => {
        const identity = artifactsIdentity(next);
        let replay: Awaited<ReturnType<typeof replayChanges>>;
        try {
          replay = await replayChanges({
            state: next,
            changes,
            // Puts that replace trained items keep their vector until the artifacts change.
            artifactsChanged: changes.artifacts !== identity,
            signal,
            log,
          });
          signal.throwIfAborted();
          // Compaction first: if the journal cannot be rewritten, nothing is swapped.
          if (
            journal !== undefined &&
            (journalHasGarbage || replay.forget.length > 0 || changes.artifacts !== identity)
          ) {
            const compacted: JournalState = {
              artifacts: identity,
              puts: new Map(changes.puts),
              deletes: changes.deletes,
            };
            for (const id of replay.forget) compacted.puts.delete(id);
            await journal.rewrite(compacted);
          }
        } catch (error) {
          next.retire();
          throw error;
        }
        const previous = current;
        current = next;
        firstLoadError = undefined;
        previous?.retire();
        for (const id of replay.forget) changes.puts.delete(id);
        changes.artifacts = identity;
        pendingIds = new Set(replay.pendingIds);
        journalHasGarbage = false;
        const result: ReloadResult = {
          artifactsDir: next.model.dir,
          kind: next.model.kind,
          items: next.catalog.size,
          users: next.model.userIds.length,
          replayed: replay.replayed,
          pending: replay.pendingIds.length,
          loadedAt: next.loadedAt,
          durationMs: Math.round(performance.now() - started),
        };
        log.info({ ...result }, 'artifacts loaded');
        return result;
      });
    });

  const reload = (reloadOptions: ReloadOptions = {}): Promise<ReloadResult> =>
    reloadOnce(reloadOptions).then(
      (result) => {
        options.onReload?.({ ok: true, result });
        return result;
      },
      (error: unknown) => {
        options.onReload?.({ ok: false, error });
        throw error;
      },
    );

  const start = async (): Promise<void> => {
    if (options.journal !== undefined) {
      const opened = await openItemJournal({ file: options.journal });
      journal = opened.journal;
      changes = opened.state;
      // Records beyond one per live put, deletion and the artifacts line were superseded.
      journalHasGarbage = opened.records > changes.puts.size + changes.deletes.size + 1;
      if (opened.truncatedBytes > 0) {
        log.warn(
          { journal: opened.journal.file, bytes: opened.truncatedBytes },
          'item journal: cut off an incomplete last record (a write the process did not finish; it was never acknowledged)',
        );
      }
      log.info(
        {
          journal: opened.journal.file,
          records: opened.records,
          puts: changes.puts.size,
          deletes: changes.deletes.size,
        },
        'item journal read',
      );
    }
    await reload({ artifactsDir: options.artifactsDir });
  };

  const ready = start().catch((error: unknown) => {
    firstLoadError = error instanceof Error ? error.message : String(error);
    log.error({ err: error }, 'loading the artifacts failed');
    throw error;
  });
  // The caller may never await `ready`; the failure is logged and shown by status().
  ready.catch(() => undefined);

  const putItem = async (put: PutItemOptions): Promise<PutItemOutcome> => {
    checkItemId(put.id);
    requireState();
    return mutate(async () => {
      // Read the state inside the queue: a reload may have swapped it while this call waited.
      return withState(async (state) => {
        if (!state.model.canEmbedNewItems) {
          throw new InvalidArgumentError({
            argument: 'vectors',
            message: `the ${state.model.kind} model has no content tower: new items cannot be embedded`,
          });
        }
        const checked = checkItemContent({ body: put, vectorSpecs: state.model.vectorSpecs });
        if (!checked.ok)
          throw new InvalidItemError({ field: checked.problem.field, reason: checked.problem.message });
        const [embedded] = await embedItems({ state, items: [{ id: put.id, content: checked.content }] });
        // On disk before it is visible, so nothing acknowledged or seen can be lost.
        await journal?.append({ op: 'put', id: put.id, content: checked.content });
        const [result] = await applyItems({ state, items: embedded ? [embedded] : [] });
        applyRecord(changes, { op: 'put', id: put.id, content: checked.content });
        pendingIds.delete(put.id);
        const outcome = result as NonNullable<typeof result>;
        return {
          id: outcome.id,
          created: outcome.created,
          gate: outcome.gate,
          unknownTags: outcome.unknownTags,
        };
      });
    });
  };

  const deleteItem = async ({ id }: { id: string }): Promise<void> => {
    checkItemId(id);
    requireState();
    await mutate(async () => {
      const state = requireState();
      // A pending item (kept for a model that can embed it) is not in the index but can be deleted.
      if (state.catalog.keyOf(id) === undefined && !pendingIds.has(id)) {
        throw new NotFoundError({ id, message: `unknown item "${id}": not in the index` });
      }
      await journal?.append({ op: 'delete', id });
      await removeItem({ state, id });
      pendingIds.delete(id);
      applyRecord(changes, { op: 'delete', id });
    });
  };

  const dispose = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    closing.abort(
      new ServiceUnavailableError({ reason: 'closed', message: 'the recall service is closing' }),
    );
    await ready.catch(() => undefined);
    // The running reload gives up at once (its read is not waited for); mutations are short.
    await reloadQueue(async () => undefined);
    await mutate(async () => undefined);
    const state = current;
    current = undefined;
    state?.retire();
    await state?.whenDisposed();
    await journal?.close();
  };

  return {
    ready,
    status: () => {
      if (current !== undefined) {
        return {
          status: 'ready',
          artifactsDir: current.model.dir,
          kind: current.model.kind,
          mode: current.model.mode,
          index: current.indexKind,
          items: current.catalog.size,
          users: current.model.userIds.length,
          pending: pendingIds.size,
          loadedAt: current.loadedAt,
        };
      }
      if (closed) return { status: 'closed' };
      return firstLoadError === undefined
        ? { status: 'loading' }
        : { status: 'failed', message: firstLoadError };
    },
    u2i: (query) => withState((state) => recallForUser(state, query)),
    i2i: (query) => withState((state) => recallForItem(state, query)),
    putItem,
    deleteItem,
    reload,
    dispose,
  };
}

function checkItemId(id: unknown): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
    throw new InvalidArgumentError({
      argument: 'id',
      message: `must be a string of 1 to 256 characters, got ${typeof id === 'string' ? `${id.length} characters` : typeof id}`,
    });
  }
}
