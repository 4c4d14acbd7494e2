import path from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@mmrecall/errors';
import type { CallWatchdog } from '@mmrecall/serving';

import { InvalidItemError, ServiceUnavailableError } from './errors';
import {
  type EventJournal,
  eventsCsvChunks,
  exportEventsCsv,
  type ItemEvent,
  openEventJournal,
} from './event-journal';
import { checkItemContent } from './item-content';
import { applyRecord, type ItemJournal, type JournalState, openItemJournal } from './item-journal';
import { createLiveStatistics, type LiveStatistics } from './live-statistics';
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
  /** Exposure and click events (the live loop). */
  events?: EventOptions;
  /**
   * Runs every index call (searches, upserts, removals, build steps) under this watchdog's time
   * budget (`createCallWatchdog` of `@mmrecall/serving`), labelled `items.search` and so on: a call
   * over budget turns `watchdog.healthy` false, one that never returns ends the process.
   */
  watchdog?: CallWatchdog;
}

/** Settings of the live loop ({@link RecallService.recordEvents}). */
export interface EventOptions {
  /**
   * Journal file of accepted events (fsynced before a batch is acknowledged, replayed at start and
   * after each reload). Without it, events live only as long as the process.
   */
  journal?: string;
  /** Half-life of exposures and clicks in days. Default: no decay (the training rule). */
  halfLifeDays?: number;
  /** Items recomputed per model batch. Default 256. */
  batchSize?: number;
  /** Most events per call. Default 10,000. */
  maxEvents?: number;
  /** How far in the future (seconds, against this machine's clock) an event's `at` may be. Default 300. */
  futureToleranceSeconds?: number;
  /**
   * Compaction bound: when more events than this are kept, the ones at or before the served model's
   * reference time (its training period: they no longer change any statistics) are dropped from the
   * journal and from memory. The same happens after every load. Default 1,000,000.
   */
  maxKeptEvents?: number;
  /** Called after each batch of items is in the index, with each item's seconds from its first unapplied event's arrival. */
  onApplied?: (options: { seconds: number[] }) => void;
}

/** One event as a client sends it. */
export interface EventInput {
  /** A live item (trained or added at run time). */
  itemId: string;
  /** The user who saw or clicked it (kept for the next training run). */
  userId?: string;
  /** `click` = an exposure that was clicked (one exposure and one click); `exposure` = shown, not clicked. */
  type: 'exposure' | 'click';
  /** Unix seconds. Default: when the server received it. */
  at?: number;
}

/** Outcome of {@link RecallService.recordEvents}. */
export interface RecordEventsOutcome {
  /** Events journaled and counted. */
  accepted: number;
  /** Whether the served model updates embeddings from them (gated kinds with live-loop artifacts). */
  live: boolean;
  /** Items waiting for their gate and embedding to be recomputed. */
  pendingItems: number;
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
   * Validates a batch of events (all or nothing: `InvalidArgumentError` naming the event and field),
   * journals it, counts it into the items' statistics; gates and embeddings of touched warm items are
   * recomputed and upserted in bounded batches after this resolves.
   */
  recordEvents(options: { events: readonly EventInput[] }): Promise<RecordEventsOutcome>;
  /**
   * Resolves once every event accepted so far is in the index (no touched item waits for its gate
   * and embedding); rejects with the error of a failed update.
   */
  eventsApplied(): Promise<void>;
  /** Writes every accepted event as an interactions CSV for the next training run; resolves to the count. */
  exportEvents(options: { file: string }): Promise<number>;
  /**
   * The same CSV as {@link exportEvents}, in chunks (header first), over the events accepted when it
   * is called; later events are not in it.
   */
  eventsCsv(): { events: number; chunks: Iterable<string> };
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
  const eventOptions = options.events ?? {};
  const maxEvents = eventOptions.maxEvents ?? 10_000;
  const futureTolerance = eventOptions.futureToleranceSeconds ?? 300;
  const maxKeptEvents = eventOptions.maxKeptEvents ?? 1_000_000;
  if (!Number.isInteger(maxKeptEvents) || maxKeptEvents < 1) {
    throw new InvalidArgumentError({
      argument: 'events.maxKeptEvents',
      message: `must be an integer >= 1, got ${maxKeptEvents}`,
    });
  }
  /** Kept events above which the next append compacts (raised when a compaction cannot get below the bound). */
  let compactAbove = maxKeptEvents;
  let eventJournal: EventJournal | undefined;
  /** Every accepted event (the event journal's content), replayed into each new state's statistics. */
  let acceptedEvents: ItemEvent[] = [];
  /** The serving state's live statistics, and when each pending row's first unapplied event arrived. */
  let live: { state: ServingState; statistics: LiveStatistics; arrived: Map<number, number> } | undefined;
  let draining = false;
  /** Why the last update batch failed (cleared by the next one that succeeds). */
  let drainError: unknown;
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
        ...(options.watchdog ? { watchdog: options.watchdog } : {}),
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
        live = liveFor(next);
        firstLoadError = undefined;
        previous?.retire();
        for (const id of replay.forget) changes.puts.delete(id);
        changes.artifacts = identity;
        pendingIds = new Set(replay.pendingIds);
        journalHasGarbage = false;
        await compactEvents('load').catch((error: unknown) => {
          log.error({ err: error }, 'event journal: compaction failed (the journal is unchanged)');
        });
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

  /** Live statistics of a state: its training counts plus the accepted events after its training period. */
  const liveFor = (state: ServingState): typeof live => {
    const model = state.model.live;
    if (model === undefined) return undefined;
    const statistics = createLiveStatistics({
      model,
      ...(eventOptions.halfLifeDays === undefined ? {} : { halfLifeDays: eventOptions.halfLifeDays }),
      ...(eventOptions.batchSize === undefined ? {} : { batchSize: eventOptions.batchSize }),
    });
    const reference = model.trained.referenceTime;
    const rows = [];
    for (const event of acceptedEvents) {
      const row = state.catalog.trainedRow(event.itemId);
      // Events up to the reference time are taken to be part of the training data.
      if (row !== undefined && !(event.at <= reference)) rows.push({ row, type: event.type, at: event.at });
    }
    statistics.record(rows);
    const arrived = new Map<number, number>();
    const started = performance.now();
    for (const { row } of rows) arrived.set(row, started);
    const result = { state, statistics, arrived };
    setImmediate(scheduleDrain);
    return result;
  };

  /**
   * Drops the events at or before the serving model's reference time (its training data; the live
   * statistics skip them) from memory and the journal. Runs in the mutation queue.
   */
  const compactEvents = async (reason: 'load' | 'bound'): Promise<void> => {
    const reference = current?.model.live?.trained.referenceTime ?? Number.NaN;
    const kept = acceptedEvents.filter((event) => !(event.at <= reference));
    const dropped = acceptedEvents.length - kept.length;
    if (dropped > 0) {
      await eventJournal?.rewrite(kept);
      acceptedEvents = kept;
      log.info(
        { reason, dropped, kept: kept.length, referenceTime: reference },
        "event journal compacted: events of the model's training period dropped",
      );
    }
    compactAbove = Math.max(maxKeptEvents, 2 * kept.length);
    if (reason === 'bound' && kept.length > maxKeptEvents) {
      log.warn(
        { kept: kept.length, maxKeptEvents, next: compactAbove },
        'event journal: more events after the training period than maxKeptEvents; retrain and reload to compact it',
      );
    }
  };

  /** Recomputes one batch of pending items and upserts them; runs in the mutation queue, then again while items are pending. */
  const scheduleDrain = (): void => {
    if (draining || closed || live === undefined || live.statistics.pending === 0) return;
    draining = true;
    mutate(async () => {
      const target = live;
      if (target === undefined || target.state !== current) return;
      const update = await target.statistics.nextUpdate();
      if (update === undefined) return;
      const { state } = target;
      const dim = state.model.dim;
      const keys: number[] = [];
      const vectors: Float32Array[] = [];
      const seconds: number[] = [];
      const now = performance.now();
      update.rows.forEach((row, n) => {
        const id = state.model.itemIds[row] as string;
        const arrived = target.arrived.get(row);
        target.arrived.delete(row);
        // Deleted items and trained items replaced by a PUT keep what they have.
        if (changes.puts.has(id) || state.catalog.keyOf(id) !== row) return;
        const vector = update.embeddings.slice(n * dim, (n + 1) * dim);
        state.catalog.put({ id, vector });
        keys.push(row);
        vectors.push(vector);
        if (arrived !== undefined) seconds.push((now - arrived) / 1000);
      });
      if (keys.length > 0) {
        const packed = new Float32Array(keys.length * dim);
        vectors.forEach((vector, i) => {
          packed.set(vector, i * dim);
        });
        await state.index.upsert({ keys: Int32Array.from(keys), vectors: packed });
      }
      eventOptions.onApplied?.({ seconds: seconds.map((value) => value + (performance.now() - now) / 1000) });
    }).then(
      () => {
        draining = false;
        drainError = undefined;
        scheduleDrain();
      },
      (error: unknown) => {
        draining = false;
        drainError = error;
        log.error({ err: error }, 'live statistics: updating items failed');
      },
    );
  };

  const recordEvents = async ({
    events,
  }: {
    events: readonly EventInput[];
  }): Promise<RecordEventsOutcome> => {
    if (!Array.isArray(events) || events.length === 0 || events.length > maxEvents) {
      throw new InvalidArgumentError({
        argument: 'events',
        message: `must be an array of 1 to ${maxEvents} events, got ${Array.isArray(events) ? events.length : typeof events}`,
      });
    }
    requireState();
    const received = Date.now() / 1000;
    const checked: ItemEvent[] = events.map((event, i) => checkEvent(event, i, received, futureTolerance));
    return mutate(async () => {
      const state = requireState();
      checked.forEach((event, i) => {
        if (state.catalog.keyOf(event.itemId) === undefined && !pendingIds.has(event.itemId)) {
          throw new InvalidArgumentError({
            argument: `events[${i}].itemId`,
            message: `unknown item "${event.itemId}"`,
          });
        }
      });
      await eventJournal?.append(checked);
      acceptedEvents.push(...checked);
      if (acceptedEvents.length > compactAbove) {
        await compactEvents('bound').catch((error: unknown) => {
          log.error({ err: error }, 'event journal: compaction failed (the journal is unchanged)');
        });
      }
      const target = live?.state === state ? live : undefined;
      if (target !== undefined) {
        const reference = target.state.model.live?.trained.referenceTime ?? Number.NaN;
        const rows = [];
        for (const event of checked) {
          const row = state.catalog.trainedRow(event.itemId);
          // The same rule as the replay at load: events up to the reference time count as training data.
          if (row !== undefined && !(event.at <= reference))
            rows.push({ row, type: event.type, at: event.at });
        }
        target.statistics.record(rows);
        const arrived = performance.now();
        for (const { row } of rows) if (!target.arrived.has(row)) target.arrived.set(row, arrived);
        setImmediate(scheduleDrain);
      }
      return {
        accepted: checked.length,
        live: target !== undefined,
        pendingItems: target?.statistics.pending ?? 0,
      };
    });
  };

  const eventsApplied = async (): Promise<void> => {
    for (;;) {
      requireState();
      // Runs after every update batch queued so far.
      await mutate(async () => undefined);
      if (live === undefined || live.state !== current || live.statistics.pending === 0) return;
      if (!draining && drainError !== undefined) throw drainError;
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const exportEvents = async ({ file }: { file: string }): Promise<number> =>
    mutate(async () => {
      const events = acceptedEvents;
      await exportEventsCsv({ file, events });
      return events.length;
    });

  const eventsCsv = (): { events: number; chunks: Iterable<string> } => {
    requireState();
    // A copy: events accepted while the chunks are read are not in them.
    const events = acceptedEvents.slice();
    return { events: events.length, chunks: eventsCsvChunks({ events }) };
  };

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
    if (eventOptions.journal !== undefined) {
      const opened = await openEventJournal({ file: eventOptions.journal });
      eventJournal = opened.journal;
      acceptedEvents = opened.events;
      if (opened.truncatedBytes > 0) {
        log.warn(
          { journal: opened.journal.file, bytes: opened.truncatedBytes },
          'event journal: cut off an incomplete last record (never acknowledged)',
        );
      }
      log.info({ journal: opened.journal.file, events: acceptedEvents.length }, 'event journal read');
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
    live = undefined;
    state?.retire();
    await state?.whenDisposed();
    await journal?.close();
    await eventJournal?.close();
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
    recordEvents,
    eventsApplied,
    exportEvents,
    eventsCsv,
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

function checkEvent(event: EventInput, index: number, received: number, futureTolerance: number): ItemEvent {
  const fail = (field: string, message: string): never => {
    throw new InvalidArgumentError({ argument: `events[${index}]${field ? `.${field}` : ''}`, message });
  };
  if (typeof event !== 'object' || event === null) fail('', 'must be an object');
  const { itemId, userId, type, at } = event;
  if (typeof itemId !== 'string' || itemId.length === 0 || itemId.length > 256) {
    fail('itemId', 'must be a string of 1 to 256 characters');
  }
  if (userId !== undefined && (typeof userId !== 'string' || userId.length === 0 || userId.length > 256)) {
    fail('userId', 'must be a string of 1 to 256 characters');
  }
  if (type !== 'exposure' && type !== 'click')
    fail('type', `must be "exposure" or "click", got ${JSON.stringify(type)}`);
  if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at) || at < 0)) {
    fail('at', `must be a unix time in seconds, got ${String(at)}`);
  }
  if (at !== undefined && at > received + futureTolerance) {
    fail('at', `${at} is in the future (more than ${futureTolerance} s after ${Math.floor(received)})`);
  }
  return { itemId, ...(userId === undefined ? {} : { userId }), type, at: at ?? received };
}
