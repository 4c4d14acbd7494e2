import { parseArgs } from 'node:util';

import { MmrecallError } from '@mmrecall/errors';
import type { HnswSettings, IndexKind } from '@mmrecall/recall-service';

import type { PgvectorSettings } from './pgvector-catalog';

/** Backends the CLI accepts (see @mmrecall/runtime selectBackend). */
export type CliBackend = 'auto' | 'node' | 'wasm' | 'cpu';

/** Parsed command line of `mmrecall-serve`. */
export interface CliOptions {
  artifactsDir: string;
  port: number;
  host: string;
  index: IndexKind | 'pgvector';
  hnsw: HnswSettings;
  /** With `--index pgvector` only. */
  pgvector?: PgvectorSettings;
  backend: CliBackend;
  bodyLimit: number;
  logLevel: string;
  /** Journal of item mutations (`--journal`); undefined = run-time items live only as long as the process. */
  journal: string | undefined;
  /** Journal of accepted events (`--events-journal`); undefined = events live only as long as the process. */
  eventsJournal: string | undefined;
  /** `--events-max-kept`: kept events above which the event journal is compacted. */
  eventsMaxKept: number;
  /** `--read-timeout` in milliseconds. */
  readTimeoutMs: number;
  /** `--call-budget` in milliseconds. */
  callBudgetMs: number;
  /** `--call-kill-after` in milliseconds. */
  callKillAfterMs: number;
}

/** Usage text of `mmrecall-serve --help`. */
export const USAGE = `Usage: mmrecall-serve --artifacts DIR [options]

Serves u2i / i2i recall over an mmrecall artifacts folder (HTTP + JSON, OpenAPI at /openapi.json, docs at /docs).

Options:
  --artifacts DIR        artifacts folder written by the trainer (required)
  --port N               TCP port (default 8080; 0 picks a free one)
  --host ADDR            address to bind (default 127.0.0.1; use 0.0.0.0 to listen on every interface)
  --index exact|hnsw|pgvector
                         recall index (default hnsw): exact scans every item, hnsw is approximate and fast,
                         pgvector keeps the catalog in PostgreSQL (pgvector >= 0.8, HNSW index)
  --hnsw-connectivity N  HNSW graph degree (default 16)
  --hnsw-expansion-add N HNSW build candidate list (default 128; lower builds faster, e.g. 32 for 1M items)
  --hnsw-expansion-search N
                         HNSW search candidate list (default 128, or the prebuilt index's; higher = better recall, slower)
  --pg-url URL           PostgreSQL connection string (index pgvector; or MMRECALL_PG_URL, which keeps a
                         password out of the process list)
  --pg-pool-size N       connections to PostgreSQL (default 4)
  --pg-table NAME        table name prefix; each loaded model gets NAME_<id>, dropped when replaced
                         (default mmrecall_items)
  --pgvector-m N         pgvector HNSW graph degree m (default 16)
  --pgvector-ef-construction N
                         pgvector HNSW ef_construction (default 64)
  --pgvector-ef-search N pgvector hnsw.ef_search (default 64; higher = better recall, slower)
  --backend auto|node|wasm|cpu
                         TensorFlow.js backend for the user tower and new items (default auto)
  --body-limit BYTES     largest request body (default 1048576)
  --journal FILE         append-only journal of PUT/DELETE (fsynced before each answer), replayed at start
                         and after each reload; without it run-time items are lost on restart
  --events-journal FILE  append-only journal of POST /v1/events batches (fsynced before each answer), replayed
                         into the live statistics at start and after each reload
  --events-max-kept N    compact the event journal when it keeps more than N events (default 1000000):
                         events of the served model's training period leave it (it is also compacted
                         after every load)
  --read-timeout SECONDS most time reading an artifacts folder may take on start or reload (default 120)
  --call-budget SECONDS  most time one index call (search, upsert, build step) may take (default 30); past it
                         /readyz answers 503 for good and the process drains and exits with code 70
  --call-kill-after SECONDS
                         a call still running this long after its budget ends the process with SIGKILL
                         (exit status 137; default 30)
  --log-level LEVEL      pino level: fatal, error, warn, info, debug, trace, silent (default info)
  -h, --help             show this text

Environment:
  MMRECALL_PG_URL        connection string of --index pgvector when --pg-url is not given
  MMRECALL_ADMIN_TOKEN   bearer token of the admin routes (PUT/DELETE /v1/items/:id, POST /v1/admin/reload);
                         unset = admin routes disabled (403)
  MMRECALL_INGEST_TOKEN  bearer token that may POST /v1/events (besides the admin token)
`;

/**
 * Thrown for a bad command line; the message is meant for the user (exit code 2). Code `CLI_USAGE`;
 * `CliUsageError.isInstance` works across duplicate installs.
 */
export class CliUsageError extends MmrecallError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CLI_USAGE', { message, cause: options.cause });
    this.name = 'CliUsageError';
  }

  static override isInstance(error: unknown): error is CliUsageError {
    return MmrecallError.isInstance(error) && error.code === 'CLI_USAGE';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses `argv` (without node and script); returns `help` when `--help` was given. */
export function parseCliOptions(options: {
  /** Arguments after the script name. */
  argv: readonly string[];
  /** Environment (for MMRECALL_PG_URL). Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
}): { help: true } | { help: false; options: CliOptions } {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof SPEC; allowPositionals: false; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...options.argv], options: SPEC, allowPositionals: false, strict: true });
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const values = parsed.values;
  if (values.help) return { help: true };
  if (values.artifacts === undefined || values.artifacts === '')
    throw new CliUsageError('--artifacts DIR is required');
  const port = integerOption(values.port ?? '8080', '--port', 0, 65_535);
  const index = values.index ?? 'hnsw';
  if (index !== 'exact' && index !== 'hnsw' && index !== 'pgvector')
    throw new CliUsageError(`--index must be exact, hnsw or pgvector, got "${index}"`);
  const pgvector = index === 'pgvector' ? pgvectorOptions(values, options.env ?? {}) : undefined;
  if (index !== 'pgvector') {
    const stray = PG_FLAGS.find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw new CliUsageError(`--${stray} applies to --index pgvector only`);
  }
  const hnsw: HnswSettings = {};
  if (values['hnsw-connectivity'] !== undefined)
    hnsw.connectivity = integerOption(values['hnsw-connectivity'], '--hnsw-connectivity', 2, 256);
  if (values['hnsw-expansion-add'] !== undefined)
    hnsw.expansionAdd = integerOption(values['hnsw-expansion-add'], '--hnsw-expansion-add', 1, 4096);
  if (values['hnsw-expansion-search'] !== undefined) {
    hnsw.expansionSearch = integerOption(values['hnsw-expansion-search'], '--hnsw-expansion-search', 1, 4096);
  }
  const backend = values.backend ?? 'auto';
  if (!['auto', 'node', 'wasm', 'cpu'].includes(backend)) {
    throw new CliUsageError(`--backend must be auto, node, wasm or cpu, got "${backend}"`);
  }
  const bodyLimit = integerOption(
    values['body-limit'] ?? String(1024 * 1024),
    '--body-limit',
    1,
    1024 * 1024 * 1024,
  );
  const readTimeout = integerOption(values['read-timeout'] ?? '120', '--read-timeout', 1, 86_400);
  const eventsMaxKept = integerOption(
    values['events-max-kept'] ?? '1000000',
    '--events-max-kept',
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const callBudget = integerOption(values['call-budget'] ?? '30', '--call-budget', 1, 86_400);
  const callKillAfter = integerOption(values['call-kill-after'] ?? '30', '--call-kill-after', 1, 86_400);
  if (values.journal === '') throw new CliUsageError('--journal must name a file');
  if (values['events-journal'] === '') throw new CliUsageError('--events-journal must name a file');
  const logLevel = values['log-level'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new CliUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    help: false,
    options: {
      artifactsDir: values.artifacts,
      port,
      host: values.host ?? '127.0.0.1',
      index,
      hnsw,
      ...(pgvector ? { pgvector } : {}),
      backend: backend as CliBackend,
      bodyLimit,
      logLevel,
      journal: values.journal,
      eventsJournal: values['events-journal'],
      eventsMaxKept,
      readTimeoutMs: readTimeout * 1000,
      callBudgetMs: callBudget * 1000,
      callKillAfterMs: callKillAfter * 1000,
    },
  };
}

const SPEC = {
  artifacts: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  index: { type: 'string' },
  'hnsw-connectivity': { type: 'string' },
  'hnsw-expansion-add': { type: 'string' },
  'hnsw-expansion-search': { type: 'string' },
  'pg-url': { type: 'string' },
  'pg-pool-size': { type: 'string' },
  'pg-table': { type: 'string' },
  'pgvector-m': { type: 'string' },
  'pgvector-ef-construction': { type: 'string' },
  'pgvector-ef-search': { type: 'string' },
  backend: { type: 'string' },
  'body-limit': { type: 'string' },
  'log-level': { type: 'string' },
  journal: { type: 'string' },
  'events-journal': { type: 'string' },
  'events-max-kept': { type: 'string' },
  'read-timeout': { type: 'string' },
  'call-budget': { type: 'string' },
  'call-kill-after': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const PG_FLAGS = [
  'pg-url',
  'pg-pool-size',
  'pg-table',
  'pgvector-m',
  'pgvector-ef-construction',
  'pgvector-ef-search',
] as const;

function pgvectorOptions(
  values: Partial<Record<(typeof PG_FLAGS)[number], string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): PgvectorSettings {
  const url = values['pg-url'] ?? env.MMRECALL_PG_URL;
  if (url === undefined || url === '')
    throw new CliUsageError('--index pgvector needs --pg-url URL (or MMRECALL_PG_URL)');
  const table = values['pg-table'] ?? 'mmrecall_items';
  if (!/^[a-z_][a-z0-9_]{0,23}$/.test(table)) {
    throw new CliUsageError(
      `--pg-table must be 1 to 24 lower-case letters, digits or underscores (not starting with a digit), got "${table}"`,
    );
  }
  const m = integerOption(values['pgvector-m'] ?? '16', '--pgvector-m', 2, 100);
  return {
    url,
    poolSize: integerOption(values['pg-pool-size'] ?? '4', '--pg-pool-size', 1, 1000),
    table,
    m,
    efConstruction: integerOption(
      values['pgvector-ef-construction'] ?? '64',
      '--pgvector-ef-construction',
      2 * m,
      1000,
    ),
    efSearch: integerOption(values['pgvector-ef-search'] ?? '64', '--pgvector-ef-search', 1, 1000),
  };
}

function integerOption(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new CliUsageError(`${name} must be an integer, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new CliUsageError(`${name} must be in ${min}..${max}, got ${value}`);
  return value;
}
