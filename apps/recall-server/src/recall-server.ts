import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { MmrecallError } from '@mmrecall/errors';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';

import { createAdminAuth } from './admin-auth';
import { checkItemContent } from './item-content';
import { loadServingModel } from './model-adapter';
import {
  deleteItemSchema,
  healthSchema,
  i2iSchema,
  putItemSchema,
  readySchema,
  reloadSchema,
  u2iSchema,
} from './schemas';
import { SearchCancelledError } from './search-batcher';
import { createServerMetrics } from './server-metrics';
import type { LoadServingModel, NewItemContent } from './serving-model';
import {
  buildServingState,
  type HnswSettings,
  type IndexKind,
  putItems,
  removeItem,
  type ServingState,
} from './serving-state';

/** Options of {@link createRecallServer}. */
export interface RecallServerOptions {
  /** Artifacts folder to serve (written by the trainer / `writeArtifacts`). Loading starts at once. */
  artifactsDir: string;
  /** `exact` (full scan, exact results) or `hnsw` (usearch graph, approximate, much faster on large catalogs). */
  index: IndexKind;
  /** HNSW build/search settings (index `hnsw` only); defaults of @mmrecall/serving. */
  hnsw?: HnswSettings;
  /**
   * Bearer token of the admin routes (PUT/DELETE items, reload). Undefined or empty disables them
   * (403). The CLI takes it from `MMRECALL_ADMIN_TOKEN`.
   */
  adminToken?: string;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Fastify logger setting: `false` (default) for none, `true` or pino options for JSON logs. */
  logger?: FastifyServerOptions['logger'];
  /** How to read an artifacts folder. Default: `loadServingModel` (through `@mmrecall/model`'s `readArtifacts`). */
  loadModel?: LoadServingModel;
}

/** Outcome of a successful reload. */
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
  /** Run-time items the new model could not take (vector names or dimensions changed). */
  dropped: number;
  /** ISO time of the swap. */
  loadedAt: string;
  /** Wall time of the reload. */
  durationMs: number;
}

/** A recall server: the fastify app plus its lifecycle. */
export interface RecallServer {
  /** The fastify instance; call `listen` to serve (or `inject` in tests). */
  readonly app: FastifyInstance;
  /** Resolves once the first artifacts folder is loaded (rejects when that load fails). */
  readonly ready: Promise<void>;
  /** Loads `dir` beside the serving state and swaps it in; throws (old state kept) on failure. */
  reload(dir?: string): Promise<ReloadResult>;
  /** Stops accepting connections, lets in-flight requests finish, then frees model and index. */
  close(): Promise<void>;
}

interface U2iBody {
  userId?: string;
  features?: { profile?: string[]; history?: string[] };
  k: number;
  exclude?: string[];
}

interface I2iBody {
  itemId: string;
  k: number;
  exclude?: string[];
}

interface PutItemBody {
  tags?: string[];
  vectors: Record<string, number[]>;
}

/** Thrown inside handlers to answer with a 4xx and a message. */
class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function sendError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).send({ statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message });
}

/** Runs tasks one at a time, in call order. */
function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Creates the HTTP recall service over an artifacts folder: u2i and i2i recall, run-time item
 * admission through the content tower, atomic reloads, health, readiness, Prometheus metrics and
 * an OpenAPI document (`/openapi.json`, UI at `/docs`). The first load starts immediately; `/readyz`
 * answers 503 until it completes. TensorFlow.js must already have a backend (the CLI selects one).
 */
export function createRecallServer(options: RecallServerOptions): RecallServer {
  if (options.index !== 'exact' && options.index !== 'hnsw') {
    throw new MmrecallError('INVALID_ARGUMENT', {
      message: `index: expected "exact" or "hnsw", got ${String(options.index)}`,
    });
  }
  const indexKind = options.index;
  const loadModel = options.loadModel ?? loadServingModel;
  const auth = createAdminAuth({ token: options.adminToken });

  let current: ServingState | undefined;
  let firstLoadError: string | undefined;
  let closed = false;
  /** Items added at run time (content kept so a reload can re-embed them) and deletions of trained items. */
  const liveItems = new Map<string, NewItemContent>();
  const deletedIds = new Set<string>();
  const mutate = createSerialQueue();
  const reloadQueue = createSerialQueue();

  const metrics = createServerMetrics({
    indexSize: () => current?.index.size,
    userCount: () => current?.model.userIds.length,
  });

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    // Item ids may be up to 256 characters (the schema says so with a clear 400); fastify's default is 100.
    routerOptions: { maxParamLength: 512 },
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
    },
  });

  /** Builds a state from `dir` and applies the run-time changes to it (under the mutation queue). */
  const loadState = async (dir: string): Promise<ServingState> => {
    const model = await loadModel({ dir });
    let state: ServingState;
    try {
      let nextReport = 0.1;
      const started = performance.now();
      state = await buildServingState({
        model,
        index: indexKind,
        ...(options.hnsw ? { hnsw: options.hnsw } : {}),
        onProgress: ({ done, total }) => {
          // Large HNSW builds take minutes: report every 10%.
          if (total >= 100_000 && done / total >= nextReport) {
            nextReport += 0.1;
            app.log.info(
              {
                artifactsDir: dir,
                index: indexKind,
                done,
                total,
                seconds: Math.round((performance.now() - started) / 1000),
              },
              'building the index',
            );
          }
        },
      });
    } catch (error) {
      model.dispose();
      throw error;
    }
    return state;
  };

  /**
   * Applies deletions and re-embeds run-time items into a fresh (not yet serving) state. Returns the
   * counts and the ids to forget once the swap has happened (taken over by the artifacts or dropped).
   */
  const replayLiveChanges = async (
    state: ServingState,
  ): Promise<{ replayed: number; dropped: number; forget: string[] }> => {
    for (const id of deletedIds) removeItem({ state, id });
    const pending: { id: string; content: NewItemContent }[] = [];
    const forget: string[] = [];
    let dropped = 0;
    for (const [id, content] of liveItems) {
      if (state.catalog.trainedRow(id) !== undefined) {
        // The new artifacts contain the item: their embedding wins.
        forget.push(id);
        continue;
      }
      const checked = state.model.canEmbedNewItems
        ? checkItemContent({
            body: { ...(content.tags ? { tags: content.tags } : {}), vectors: content.vectors },
            vectorSpecs: state.model.vectorSpecs,
          })
        : ({
            ok: false,
            problem: { field: 'model', message: `the ${state.model.kind} model has no content tower` },
          } as const);
      if (!checked.ok) {
        app.log.warn(
          { itemId: id, problem: checked.problem },
          'run-time item dropped: the new model cannot embed it',
        );
        forget.push(id);
        dropped++;
        continue;
      }
      pending.push({ id, content: checked.content });
    }
    for (let start = 0; start < pending.length; start += 256) {
      await putItems({ state, items: pending.slice(start, start + 256) });
    }
    return { replayed: pending.length, dropped, forget };
  };

  const reload = (dir?: string): Promise<ReloadResult> =>
    reloadOnce(dir).then(
      (result) => {
        metrics.observeReload({ ok: true });
        return result;
      },
      (error: unknown) => {
        metrics.observeReload({ ok: false });
        throw error;
      },
    );

  const reloadOnce = (dir?: string): Promise<ReloadResult> =>
    reloadQueue(async () => {
      if (closed) throw new MmrecallError('SERVER_CLOSED', { message: 'the server is closing' });
      const target = dir ?? current?.model.dir ?? options.artifactsDir;
      const started = performance.now();
      const next = await loadState(target);
      return mutate(async () => {
        let replay: Awaited<ReturnType<typeof replayLiveChanges>>;
        try {
          replay = await replayLiveChanges(next);
        } catch (error) {
          next.retire();
          throw error;
        }
        if (closed) {
          next.retire();
          throw new MmrecallError('SERVER_CLOSED', { message: 'the server is closing' });
        }
        const previous = current;
        current = next;
        firstLoadError = undefined;
        previous?.retire();
        for (const id of replay.forget) liveItems.delete(id);
        const result: ReloadResult = {
          artifactsDir: next.model.dir,
          kind: next.model.kind,
          items: next.index.size,
          users: next.model.userIds.length,
          replayed: replay.replayed,
          dropped: replay.dropped,
          loadedAt: next.loadedAt,
          durationMs: Math.round(performance.now() - started),
        };
        app.log.info({ ...result }, 'artifacts loaded');
        return result;
      });
    });

  const ready = reload(options.artifactsDir).then(
    () => undefined,
    (error: unknown) => {
      firstLoadError = error instanceof Error ? error.message : String(error);
      app.log.error({ err: error }, 'loading the artifacts failed');
      throw error;
    },
  );
  // The caller may never await `ready`; the failure is logged and shown by /readyz.
  ready.catch(() => undefined);

  const requireState = (): ServingState => {
    if (current === undefined) {
      throw new HttpError(
        503,
        firstLoadError === undefined
          ? 'artifacts are still loading'
          : `no artifacts loaded: ${firstLoadError}`,
      );
    }
    return current;
  };

  const adminGuard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = auth.check({ authorization: request.headers.authorization });
    if (!result.ok) {
      if (result.statusCode === 401) reply.header('www-authenticate', 'Bearer');
      await sendError(reply, result.statusCode, result.message);
    }
  };

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    if (error instanceof HttpError) return sendError(reply, error.statusCode, error.message);
    if (error.validation !== undefined) return sendError(reply, 400, error.message);
    const statusCode = error.statusCode ?? 500;
    if (statusCode >= 400 && statusCode < 500) return sendError(reply, statusCode, error.message);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'internal error; see the server log');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `no route ${request.method} ${request.url}`),
  );

  // Requests that were already running when close() began finish normally, then their keep-alive
  // connection is closed: otherwise server.close() would wait for the clients' idle sockets.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closed) reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      statusCode: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
  });

  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'mmrecall recall server',
        description:
          'u2i and i2i recall over trained mmrecall artifacts; new items are admitted through their content.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });

  app.register(async (routes) => {
    const searchIds = async (
      request: FastifyRequest,
      state: ServingState,
      query: Float32Array,
      k: number,
      exclude: Set<number>,
    ): Promise<{ id: string; score: number }[]> => {
      // A client that hung up while its search waited in the queue costs no index time.
      const cancelled = (): boolean => request.raw.socket?.destroyed === true;
      let result: Awaited<ReturnType<typeof state.batcher.search>>;
      try {
        result = await state.batcher.search({
          query,
          k,
          cancelled,
          ...(exclude.size > 0 ? { exclude } : {}),
        });
      } catch (error) {
        if (error instanceof SearchCancelledError) throw new HttpError(499, 'client closed the request');
        throw error;
      }
      const items: { id: string; score: number }[] = [];
      for (let i = 0; i < result.keys.length; i++) {
        const id = state.catalog.idOf(result.keys[i] as number);
        // A key deleted while the search waited in its batch has no id any more: skip it.
        if (id !== undefined) items.push({ id, score: result.scores[i] as number });
      }
      return items;
    };

    const excludeKeys = (state: ServingState, ids: readonly string[] | undefined): Set<number> => {
      const keys = new Set<number>();
      for (const id of ids ?? []) {
        const key = state.catalog.keyOf(id);
        if (key !== undefined) keys.add(key);
      }
      return keys;
    };

    routes.post<{ Body: U2iBody }>('/v1/recall/u2i', { schema: u2iSchema }, async (request) => {
      const state = requireState();
      const release = state.acquire();
      try {
        const { userId, features, k, exclude } = request.body;
        const { model } = state;
        let query: Float32Array;
        if (features !== undefined) {
          if (!model.canEmbedUserFeatures) {
            throw new HttpError(
              400,
              `features: the ${model.kind} model (mode ${model.mode}) has no user tower; query by userId`,
            );
          }
          // A user the artifacts do not know (or no userId at all) is embedded through the shared
          // unknown-user row of the user tower, from the given profile and history alone.
          const userRow =
            (userId === undefined ? undefined : state.userRows.get(userId)) ?? model.userIds.length;
          const history: number[] = [];
          for (const itemId of features.history ?? []) {
            // Training items have their own row; items added at run time share the unknown-item row.
            const row = state.catalog.trainedRow(itemId);
            if (row !== undefined) history.push(row);
            else if (state.catalog.keyOf(itemId) !== undefined) history.push(model.itemIds.length);
          }
          query = await model.embedUserFeatures({
            user: userRow,
            profile: features.profile ?? [],
            history: Int32Array.from(history),
          });
        } else if (userId !== undefined) {
          const row = state.userRows.get(userId);
          if (model.userEmbeddings === undefined) {
            throw new HttpError(
              400,
              `userId: the artifacts (mode ${model.mode}) carry no user embeddings; send features`,
            );
          }
          if (row === undefined) {
            throw new HttpError(
              404,
              `unknown userId "${userId}": not in the loaded artifacts; send features to recall for a new user`,
            );
          }
          query = model.userEmbeddings.subarray(row * model.dim, (row + 1) * model.dim);
        } else {
          throw new HttpError(400, 'body must have userId, features or both');
        }
        return {
          items: await searchIds(request, state, query, k, excludeKeys(state, exclude)),
          model: model.kind,
        };
      } finally {
        release();
      }
    });

    routes.post<{ Body: I2iBody }>('/v1/recall/i2i', { schema: i2iSchema }, async (request) => {
      const state = requireState();
      const release = state.acquire();
      try {
        const { itemId, k, exclude } = request.body;
        const key = state.catalog.keyOf(itemId);
        const query = key === undefined ? undefined : state.catalog.vectorOf(key);
        if (key === undefined || query === undefined) {
          throw new HttpError(404, `unknown itemId "${itemId}": not in the index`);
        }
        const excluded = excludeKeys(state, exclude);
        excluded.add(key);
        return { items: await searchIds(request, state, query, k, excluded), model: state.model.kind };
      } finally {
        release();
      }
    });

    routes.put<{ Params: { id: string }; Body: PutItemBody }>(
      '/v1/items/:id',
      { schema: putItemSchema, onRequest: adminGuard },
      async (request, reply) => {
        const { id } = request.params;
        requireState();
        const result = await mutate(async () => {
          // Read the state inside the queue: a reload may have swapped it while this request waited.
          const state = requireState();
          if (!state.model.canEmbedNewItems) {
            throw new HttpError(
              400,
              `the ${state.model.kind} model has no content tower: new items cannot be embedded`,
            );
          }
          const checked = checkItemContent({ body: request.body, vectorSpecs: state.model.vectorSpecs });
          if (!checked.ok) throw new HttpError(400, `${checked.problem.field} ${checked.problem.message}`);
          const release = state.acquire();
          try {
            const [put] = await putItems({ state, items: [{ id, content: checked.content }] });
            liveItems.set(id, checked.content);
            deletedIds.delete(id);
            return put as NonNullable<typeof put>;
          } finally {
            release();
          }
        });
        request.log.info(
          { itemId: id, key: result.key, created: result.created, gate: result.gate },
          'item upserted',
        );
        return reply.code(result.created ? 201 : 200).send({
          id: result.id,
          created: result.created,
          gate: result.gate,
          unknownTags: result.unknownTags,
        });
      },
    );

    routes.delete<{ Params: { id: string } }>(
      '/v1/items/:id',
      { schema: deleteItemSchema, onRequest: adminGuard },
      async (request, reply) => {
        const { id } = request.params;
        requireState();
        const removed = await mutate(async () => {
          const state = requireState();
          const wasLive = removeItem({ state, id });
          if (wasLive) {
            liveItems.delete(id);
            if (state.catalog.trainedRow(id) !== undefined) deletedIds.add(id);
          }
          return wasLive;
        });
        if (!removed) throw new HttpError(404, `unknown item "${id}": not in the index`);
        request.log.info({ itemId: id }, 'item removed');
        return reply.code(204).send();
      },
    );

    routes.post<{ Body: { artifactsDir?: string } | null }>(
      '/v1/admin/reload',
      { schema: reloadSchema, onRequest: adminGuard },
      async (request) => {
        const dir = request.body?.artifactsDir;
        try {
          return await reload(dir);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          const serving = current === undefined ? 'nothing is loaded' : `still serving ${current.model.dir}`;
          request.log.warn({ err: error, artifactsDir: dir }, 'reload failed');
          // Bad or missing artifacts are the caller's problem (422); anything else is ours (500).
          const statusCode = MmrecallError.isInstance(error) || isFileSystemError(error) ? 422 : 500;
          throw new HttpError(statusCode, `reload failed (${serving}): ${reason}`);
        }
      },
    );

    routes.get('/healthz', { schema: healthSchema }, async () => ({ status: 'ok' }));

    routes.get('/readyz', { schema: readySchema }, async (_request, reply) => {
      const state = current;
      if (state === undefined) {
        return reply.code(503).send({
          status: firstLoadError === undefined ? 'loading' : 'failed',
          message:
            firstLoadError === undefined
              ? 'artifacts are still loading'
              : `no artifacts loaded: ${firstLoadError}`,
        });
      }
      return {
        status: 'ready',
        artifactsDir: state.model.dir,
        kind: state.model.kind,
        mode: state.model.mode,
        index: state.indexKind,
        items: state.index.size,
        users: state.model.userIds.length,
        loadedAt: state.loadedAt,
      };
    });

    routes.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });

    routes.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });

  const close = async (): Promise<void> => {
    closed = true;
    await app.close();
    await ready.catch(() => undefined);
    // Wait for a running reload or mutation to settle, then free the serving state.
    await reloadQueue(async () => undefined);
    await mutate(async () => undefined);
    const state = current;
    current = undefined;
    state?.retire();
  };

  return { app, ready, reload, close };
}

function isFileSystemError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}
