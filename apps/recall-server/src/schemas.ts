/**
 * JSON schemas of every route: fastify validates bodies and params with them (no type coercion, no
 * unknown fields) and @fastify/swagger publishes them as the OpenAPI document.
 */

/** Most results one recall request may ask for. */
export const MAX_K = 1000;
/** Most ids in an `exclude` list. */
export const MAX_EXCLUDE = 10_000;
/** Most entries in a user's profile or history. */
export const MAX_FEATURES = 1000;
/** Longest accepted item / user id. */
export const MAX_ID_LENGTH = 256;

const id = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH } as const;

const k = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_K,
  default: 20,
  description: `Number of items to return (1..${MAX_K}).`,
} as const;

const exclude = {
  type: 'array',
  items: id,
  maxItems: MAX_EXCLUDE,
  description: 'Item ids that must not be returned (ids the server does not know are ignored).',
} as const;

/** Error body of every 4xx/5xx response. */
export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
  required: ['statusCode', 'error', 'message'],
} as const;

const recallResponse = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, score: { type: 'number' } },
        required: ['id', 'score'],
      },
      description: 'Recalled items, best (highest inner product) first.',
    },
    model: { type: 'string', description: 'Kind of the model that produced the embeddings.' },
  },
  required: ['items', 'model'],
} as const;

const errorResponses = {
  400: errorSchema,
  404: errorSchema,
  503: errorSchema,
} as const;

export const u2iSchema = {
  summary: 'Recall items for a user',
  description:
    'By `userId` alone the precomputed user embedding is the query. With `features` the user tower runs on them ' +
    '(with the user id when the artifacts know it, else as a new user). History ids the model does not know are ignored.',
  tags: ['recall'],
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      userId: id,
      features: {
        type: 'object',
        additionalProperties: false,
        properties: {
          profile: {
            type: 'array',
            items: id,
            maxItems: MAX_FEATURES,
            description: 'Profile feature values.',
          },
          history: {
            type: 'array',
            items: id,
            maxItems: MAX_FEATURES,
            description: 'Recently consumed item ids.',
          },
        },
      },
      k,
      exclude,
    },
  },
  response: { 200: recallResponse, ...errorResponses },
} as const;

export const i2iSchema = {
  summary: 'Recall items similar to a trigger item',
  description: "The trigger's own embedding is the query; the trigger itself is never returned.",
  tags: ['recall'],
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['itemId'],
    properties: { itemId: id, k, exclude },
  },
  response: { 200: recallResponse, ...errorResponses },
} as const;

const itemParams = {
  type: 'object',
  required: ['id'],
  properties: { id },
} as const;

const adminSecurity = [{ bearerAuth: [] }];

const adminErrors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  413: errorSchema,
  503: errorSchema,
} as const;

export const putItemSchema = {
  summary: 'Add or replace an item by its content',
  description:
    'Embeds the item with the content tower (the gate sees zero statistics, as for any cold item) and upserts it ' +
    'into the index: it is recallable as soon as this returns. Every vector of the model is required.',
  tags: ['admin'],
  security: adminSecurity,
  params: itemParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['vectors'],
    properties: {
      tags: { type: 'array', items: { type: 'string', maxLength: MAX_ID_LENGTH }, maxItems: MAX_FEATURES },
      vectors: {
        type: 'object',
        additionalProperties: { type: 'array', items: { type: 'number' }, maxItems: 65_536 },
        description:
          'Named dense vectors, e.g. {"image": [...], "text": [...]}; names and dimensions as in the model.',
      },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        created: { type: 'boolean' },
        gate: {
          type: ['number', 'null'],
          description: 'Gate value g (share of content) for gated kinds, else null.',
        },
        unknownTags: {
          type: 'array',
          items: { type: 'string' },
          description: 'Tags the model does not know (ignored).',
        },
      },
      required: ['id', 'created', 'gate', 'unknownTags'],
    },
    ...adminErrors,
  },
} as const;

export const deleteItemSchema = {
  summary: 'Remove an item from the index',
  tags: ['admin'],
  security: adminSecurity,
  params: itemParams,
  response: { 204: { type: 'null', description: 'Removed.' }, ...adminErrors },
} as const;

export const reloadSchema = {
  summary: 'Load an artifacts folder and swap it in atomically',
  description:
    'Loads model and index beside the serving state, then swaps one reference. In-flight requests finish on the old ' +
    'state. Items added through PUT and not contained in the new artifacts are re-embedded with the new model; ' +
    'deletions persist. On failure the old state keeps serving.',
  tags: ['admin'],
  security: adminSecurity,
  body: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: {
      artifactsDir: {
        type: 'string',
        minLength: 1,
        maxLength: 4096,
        description: 'Folder to load; default: the current one.',
      },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        artifactsDir: { type: 'string' },
        kind: { type: 'string' },
        items: { type: 'integer' },
        users: { type: 'integer' },
        replayed: { type: 'integer', description: 'Items added through PUT re-embedded into the new state.' },
        pending: {
          type: 'integer',
          description:
            'Items added through PUT that the new model cannot embed: kept (and journaled), served again by a model that can.',
        },
        loadedAt: { type: 'string' },
        durationMs: { type: 'number' },
      },
      required: ['artifactsDir', 'kind', 'items', 'users', 'replayed', 'pending', 'loadedAt', 'durationMs'],
    },
    ...adminErrors,
    422: errorSchema,
    500: errorSchema,
  },
} as const;

export const healthSchema = {
  summary: 'Liveness: the process is up',
  tags: ['ops'],
  response: { 200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } },
} as const;

export const readySchema = {
  summary:
    'Readiness: artifacts are loaded (503 while loading, after a failed first load, or for good once an index call ran over its time budget)',
  tags: ['ops'],
  response: {
    200: {
      type: 'object',
      properties: {
        status: { type: 'string' },
        artifactsDir: { type: 'string' },
        kind: { type: 'string' },
        mode: { type: 'string' },
        index: { type: 'string' },
        items: { type: 'integer' },
        users: { type: 'integer' },
        pending: { type: 'integer', description: 'Run-time items the loaded model cannot embed.' },
        loadedAt: { type: 'string' },
      },
      required: ['status'],
    },
    503: {
      type: 'object',
      properties: { status: { type: 'string' }, message: { type: 'string' } },
      required: ['status', 'message'],
    },
  },
} as const;

/** Default most events per POST /v1/events. */
export const MAX_EVENTS = 10_000;

export function eventsSchema(maxEvents: number) {
  return {
    summary: 'Record exposures and clicks',
    description:
      'A batch of events, all or nothing: an unknown item, a wrong type, a time in the future or too many events ' +
      'answer 400 and change nothing. A click is an exposure that was clicked (send one event per impression). ' +
      'Accepted events are journaled; the gate and embedding of touched warm items are recomputed and upserted ' +
      'shortly after the answer (mmrecall_event_to_index_seconds in /metrics). Admin or ingest token.',
    tags: ['admin'],
    security: adminSecurity,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['events'],
      properties: {
        events: {
          type: 'array',
          minItems: 1,
          maxItems: maxEvents,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['itemId', 'type'],
            properties: {
              itemId: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
              userId: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
              type: { type: 'string', enum: ['exposure', 'click'] },
              at: {
                type: 'number',
                minimum: 0,
                description: 'Unix seconds; default: when the server received it.',
              },
            },
          },
        },
      },
    },
    response: {
      202: {
        type: 'object',
        properties: {
          accepted: { type: 'integer' },
          live: { type: 'boolean', description: 'Whether the served model updates embeddings from events.' },
          pendingItems: { type: 'integer', description: 'Items waiting for their new gate and embedding.' },
        },
        required: ['accepted', 'live', 'pendingItems'],
      },
      ...adminErrors,
    },
  } as const;
}

export const eventsExportSchema = {
  summary: 'Every accepted event as an interactions CSV for the next training run',
  description:
    'Streams `user_id,item_id,timestamp,click` (one row per exposure, click 1 when it was clicked; events without a ' +
    'user get `_anonymous`), the file `mmrecall-events export` writes from the event journal. The trainer reads it ' +
    'with `data.events`. Holds the events accepted when the request arrived; the `x-mmrecall-events` header counts them.',
  tags: ['admin'],
  security: adminSecurity,
  produces: ['text/csv'],
  response: {
    200: { type: 'string', description: 'CSV with a header line.' },
    401: errorSchema,
    403: errorSchema,
    503: errorSchema,
  },
} as const;
