import { Readable } from 'node:stream';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  type CreateRecallServiceOptions,
  createRecallService,
  type EventInput,
  type EventOptions,
  type HnswSettings,
  type LoadServingModel,
  type RecallService,
  type ReloadResult,
  ServiceUnavailableError,
} from '@mmrecall/recall-service';
import { type CallOverrun, type CallWatchdog, createCallWatchdog } from '@mmrecall/serving';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';

import { createAdminAuth } from './admin-auth';
import { frameworkErrorOf, httpErrorOf, sendError, writeClientError } from './http-errors';
import {
  deleteItemSchema,
  eventsExportSchema,
  eventsSchema,
  healthSchema,
  i2iSchema,
  MAX_EVENTS,
  putItemSchema,
  readySchema,
  reloadSchema,
  u2iSchema,
} from './schemas';
import { createServerMetrics } from './server-metrics';

/** Options of {@link createRecallServer}. */
export interface RecallServerOptions {
  /** Artifacts folder to serve (written by the trainer / `writeArtifacts`). Loading starts at once. */
  artifactsDir: string;
  /**
   * `exact` (full scan, exact results), `hnsw` (usearch graph, approximate, much faster on large
   * catalogs) or an index outside the process (`createPgvectorCatalog` for `--index pgvector`).
   */
  index: CreateRecallServiceOptions['index'];
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
  /** How to read an artifacts folder. Default: `loadServingModel` of `@mmrecall/recall-service`. */
  loadModel?: LoadServingModel;
  /**
   * Most time reading an artifacts folder may take on start or reload, in milliseconds (the index
   * build is not counted); a slower read fails with 422 and the old state keeps serving. Default 120,000.
   */
  readTimeoutMs?: number;
  /**
   * Journal file of PUT/DELETE: each is fsynced before it is answered, replayed at start and after
   * each reload, compacted when the artifacts change. Without it run-time items are lost on restart.
   */
  journal?: string;
  /**
   * Bearer token that may POST /v1/events (the admin token may too); undefined or empty = admin only.
   * The CLI takes it from `MMRECALL_INGEST_TOKEN`.
   */
  ingestToken?: string;
  /** The live loop's settings (event journal, decay, batch sizes); see `@mmrecall/recall-service`. */
  events?: EventOptions;
  /**
   * Time budget of every index call (search, upsert, remove, build steps), watched from another
   * thread (`createCallWatchdog` of `@mmrecall/serving`). A call over `budgetMs` makes `/readyz`
   * answer 503 `stalled` for good and calls `onOverrun` (the CLI drains and exits 70); a call still
   * running `killAfterMs` later, which no JavaScript can interrupt, ends the process with SIGKILL.
   * Default `{ budgetMs: 30_000, killAfterMs: 30_000 }`; `false` turns the watchdog off.
   */
  callBudget?: CallBudgetOptions | false;
}

/** Settings of the index call watchdog ({@link RecallServerOptions.callBudget}). */
export interface CallBudgetOptions {
  /** Longest an index call may take, in milliseconds. Default 30,000. */
  budgetMs?: number;
  /** How long past the budget a call that has not returned may run before SIGKILL. Default 30,000. */
  killAfterMs?: number;
  /** Called once, on the main thread, when the first call over budget is known (returned late or still pending). */
  onOverrun?: (overrun: CallOverrun) => void;
}

/** A recall server: the fastify app over a recall service, plus its lifecycle. */
export interface RecallServer {
  /** The fastify instance; call `listen` to serve (or `inject` in tests). */
  readonly app: FastifyInstance;
  /** The in-process service the routes call. */
  readonly service: RecallService;
  /** Resolves once the first artifacts folder is loaded (rejects when that load fails). */
  readonly ready: Promise<void>;
  /** Loads `dir` beside the serving state and swaps it in; throws (old state kept) on failure. */
  reload(dir?: string): Promise<ReloadResult>;
  /** Stops accepting connections, lets in-flight requests finish, then frees model and index. */
  close(): Promise<void>;
  /** The index call watchdog (undefined with `callBudget: false`). */
  readonly watchdog: CallWatchdog | undefined;
}

/** Default time budget of one index call. */
export const DEFAULT_CALL_BUDGET_MS = 30_000;

/** Longest path parameter the router takes (414 above it). */
const MAX_PARAM_LENGTH = 512;

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

/**
 * Creates the HTTP recall service over an artifacts folder: the routes of `@mmrecall/recall-service`
 * (u2i and i2i recall, run-time item admission through the content tower, atomic reloads) plus
 * health, readiness, Prometheus metrics and an OpenAPI document (`/openapi.json`, UI at `/docs`).
 * The first load starts immediately; `/readyz` answers 503 until it completes. TensorFlow.js must
 * already have a backend (the CLI selects one).
 */
export function createRecallServer(options: RecallServerOptions): RecallServer {
  const auth = createAdminAuth({ token: options.adminToken });
  const ingestAuth = options.ingestToken ? createAdminAuth({ token: options.ingestToken }) : undefined;
  const maxEvents = options.events?.maxEvents ?? MAX_EVENTS;
  let closed = false;
  /** Aborted first thing in close(): a running reload answers at once instead of holding app.close(). */
  const closing = new AbortController();

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    // Item ids may be up to 256 characters (the schema says so with a clear 400); fastify's default is 100.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Answers fastify and Node write before any route runs get the same body as every other error.
    frameworkErrors: (error, _request, reply) => {
      const { statusCode, message } = frameworkErrorOf(error, MAX_PARAM_LENGTH);
      return sendError(reply, statusCode, message);
    },
    clientErrorHandler: writeClientError,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
    },
  });

  const budget = options.callBudget === false ? undefined : (options.callBudget ?? {});
  const budgetMs = budget?.budgetMs ?? DEFAULT_CALL_BUDGET_MS;
  const watchdog =
    budget === undefined
      ? undefined
      : createCallWatchdog({
          budgetMs,
          killAfterMs: budget.killAfterMs ?? DEFAULT_CALL_BUDGET_MS,
          onOverrun: (overrun) => {
            app.log.fatal(
              { call: overrun.label, ms: overrun.ms, budgetMs },
              'an index call ran over its time budget: readiness fails from now on',
            );
            budget.onOverrun?.(overrun);
          },
        });

  const metrics = createServerMetrics({
    indexSize: () => {
      const status = service.status();
      return status.status === 'ready' ? status.items : undefined;
    },
    userCount: () => {
      const status = service.status();
      return status.status === 'ready' ? status.users : undefined;
    },
  });

  const service = createRecallService({
    artifactsDir: options.artifactsDir,
    index: options.index,
    ...(options.hnsw ? { hnsw: options.hnsw } : {}),
    ...(options.loadModel ? { loadModel: options.loadModel } : {}),
    ...(options.readTimeoutMs !== undefined ? { readTimeoutMs: options.readTimeoutMs } : {}),
    ...(options.journal !== undefined ? { journal: options.journal } : {}),
    ...(watchdog !== undefined ? { watchdog } : {}),
    log: {
      info: (details, message) => app.log.info(details, message),
      warn: (details, message) => app.log.warn(details, message),
      error: (details, message) => app.log.error(details, message),
    },
    onReload: (outcome) => metrics.observeReload({ ok: outcome.ok }),
    events: {
      ...options.events,
      maxEvents,
      onApplied: (applied) => {
        metrics.observeEventsApplied(applied);
        options.events?.onApplied?.(applied);
      },
    },
  });

  const adminGuard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = auth.check({ authorization: request.headers.authorization });
    if (!result.ok) {
      if (result.statusCode === 401) reply.header('www-authenticate', 'Bearer');
      await sendError(reply, result.statusCode, result.message);
    }
  };

  const ingestGuard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (ingestAuth?.check({ authorization: request.headers.authorization }).ok === true) return;
    await adminGuard(request, reply);
  };

  app.setErrorHandler((error: Error, request, reply) => {
    const mapped = httpErrorOf(error);
    // 503 (loading, closing) is expected; only unexpected failures are logged as errors.
    if (mapped.statusCode === 500) request.log.error({ err: error }, 'request failed');
    return sendError(reply, mapped.statusCode, mapped.message);
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
    // A client that hung up while its search waited in the queue costs no index time.
    const hungUp = (request: FastifyRequest) => (): boolean => request.raw.socket?.destroyed === true;

    routes.post<{ Body: U2iBody }>('/v1/recall/u2i', { schema: u2iSchema }, async (request) => {
      const { userId, features, k, exclude } = request.body;
      return service.u2i({
        ...(userId !== undefined ? { userId } : {}),
        ...(features !== undefined ? { features } : {}),
        k,
        ...(exclude !== undefined ? { exclude } : {}),
        cancelled: hungUp(request),
      });
    });

    routes.post<{ Body: I2iBody }>('/v1/recall/i2i', { schema: i2iSchema }, async (request) => {
      const { itemId, k, exclude } = request.body;
      return service.i2i({
        itemId,
        k,
        ...(exclude !== undefined ? { exclude } : {}),
        cancelled: hungUp(request),
      });
    });

    routes.put<{ Params: { id: string }; Body: PutItemBody }>(
      '/v1/items/:id',
      { schema: putItemSchema, onRequest: adminGuard },
      async (request, reply) => {
        const { id } = request.params;
        const result = await service.putItem({ id, ...request.body });
        request.log.info({ itemId: id, created: result.created, gate: result.gate }, 'item upserted');
        return reply.code(result.created ? 201 : 200).send(result);
      },
    );

    routes.delete<{ Params: { id: string } }>(
      '/v1/items/:id',
      { schema: deleteItemSchema, onRequest: adminGuard },
      async (request, reply) => {
        const { id } = request.params;
        await service.deleteItem({ id });
        request.log.info({ itemId: id }, 'item removed');
        return reply.code(204).send();
      },
    );

    routes.post<{ Body: { events: EventInput[] } }>(
      '/v1/events',
      { schema: eventsSchema(maxEvents), onRequest: ingestGuard },
      async (request, reply) => {
        const { events } = request.body;
        const outcome = await service.recordEvents({ events });
        let clicks = 0;
        for (const event of events) if (event.type === 'click') clicks++;
        metrics.observeEvents({ exposures: events.length - clicks, clicks });
        return reply.code(202).send(outcome);
      },
    );

    routes.get(
      '/v1/statistics/export',
      { schema: eventsExportSchema, onRequest: adminGuard },
      async (_request, reply) => {
        const { events, chunks } = service.eventsCsv();
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="events.csv"')
          .header('x-mmrecall-events', String(events))
          .send(Readable.from(chunks));
      },
    );

    routes.post<{ Body: { artifactsDir?: string } | null }>(
      '/v1/admin/reload',
      { schema: reloadSchema, onRequest: adminGuard },
      async (request, reply) => {
        const artifactsDir = request.body?.artifactsDir;
        try {
          return await service.reload({
            ...(artifactsDir === undefined ? {} : { artifactsDir }),
            signal: closing.signal,
          });
        } catch (error) {
          const mapped = httpErrorOf(error);
          const status = service.status();
          const serving =
            status.status === 'ready' ? `still serving ${status.artifactsDir}` : 'nothing is loaded';
          if (mapped.statusCode === 500) request.log.error({ err: error, artifactsDir }, 'reload failed');
          else request.log.warn({ err: error, artifactsDir }, 'reload failed');
          return sendError(reply, mapped.statusCode, `reload failed (${serving}): ${mapped.message}`);
        }
      },
    );

    routes.get('/healthz', { schema: healthSchema }, async () => ({ status: 'ok' }));

    routes.get('/readyz', { schema: readySchema }, async (_request, reply) => {
      if (watchdog !== undefined && !watchdog.healthy) {
        const overrun = watchdog.overrun;
        return reply.code(503).send({
          status: 'stalled',
          message: `${overrun?.label ?? 'an index call'} ran for ${overrun?.ms ?? '?'} ms, over its budget of ${budgetMs} ms: this process no longer takes traffic (restart it)`,
        });
      }
      const status = service.status();
      if (status.status === 'ready') return status;
      return reply.code(503).send({
        status: status.status,
        message:
          status.status === 'failed'
            ? `no artifacts loaded: ${status.message}`
            : status.status === 'loading'
              ? 'artifacts are still loading'
              : 'the server is closing',
      });
    });

    routes.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });

    routes.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });

  const close = async (): Promise<void> => {
    closed = true;
    closing.abort(new ServiceUnavailableError({ reason: 'closed', message: 'the server is closing' }));
    await app.close();
    await service.dispose();
    await watchdog?.dispose();
  };

  return {
    app,
    service,
    ready: service.ready,
    reload: (dir) => service.reload(dir === undefined ? {} : { artifactsDir: dir }),
    close,
    watchdog,
  };
}
