import {
  checkNonNegativeInteger,
  checkPositiveInteger,
  InvalidArgumentError,
  MissingArtifactError,
} from '@mmrecall/errors';
import {
  type AsyncRecallIndex,
  checkBatchExclude,
  checkKey,
  checkKeys,
  checkMatrix,
  checkMetric,
  disposedError,
  MAX_KEY,
  type RecallMetric,
  type RecallSearchResult,
  readIndexSnapshot,
  toExcludeSet,
  writeIndexSnapshot,
} from '@mmrecall/serving';
import type pg from 'pg';

import { PgvectorQueryError } from './errors';
import {
  type Connection,
  inTransaction,
  openConnection,
  type PgvectorConnectionOptions,
  withClient,
} from './pg-connection';
import { parseTableName, type TableName } from './table-name';
import { decodeVectorText, encodeVector } from './vector-codec';
import {
  createIndexSql,
  metricOperators,
  type PgvectorVectorIndexOptions,
  type ResolvedVectorIndex,
  resolveVectorIndex,
  searchSettingsSql,
} from './vector-index-options';

/** A recall index whose rows live in a PostgreSQL table with a pgvector column. */
export interface PgvectorIndex extends AsyncRecallIndex {
  /** The table, as given (`name` or `schema.name`). */
  readonly table: string;
  /** Vector index method and parameters in use. */
  readonly vectorIndex: ResolvedVectorIndex;
  /**
   * Builds the vector index when the table has none yet (created with `deferIndex`, or opened
   * before one was built). Building once over loaded rows is much faster than growing the index row
   * by row, and IVFFlat needs the rows to place its lists. `maintenanceWorkMem` (e.g. `'1GB'`) is set
   * for the build only: an HNSW graph that fits in it builds several times faster.
   */
  buildIndex(options?: { maintenanceWorkMem?: string }): Promise<void>;
  /** Drops the table (rows and vector index), then disposes the index. */
  drop(): Promise<void>;
}

/** Options of {@link createPgvectorIndex}. */
export interface CreatePgvectorIndexOptions extends PgvectorConnectionOptions {
  /** Table to create: `name` or `schema.name`, lower-case letters, digits, underscores. */
  table: string;
  /** Vector dimension, 1..2000 (pgvector indexes `vector` columns of at most 2000 dimensions). */
  dim: number;
  /** `ip` (operator `<#>`, `vector_ip_ops`) or `cosine` (`<=>`, `vector_cosine_ops`; rows are stored L2-normalised). */
  metric: RecallMetric;
  /** Vector index method and parameters. Default HNSW, m 16, ef_construction 64, ef_search 64. */
  vectorIndex?: PgvectorVectorIndexOptions;
  /** Drop a table of the same name first. Default false: an existing table is an error. */
  replace?: boolean;
  /** Create the table without its vector index; call `buildIndex()` after the bulk load. Default false. */
  deferIndex?: boolean;
}

/** Options of {@link openPgvectorIndex}. */
export interface OpenPgvectorIndexOptions extends PgvectorConnectionOptions {
  /** Table created by `createPgvectorIndex` (or `loadPgvectorIndex`). */
  table: string;
  /** Search settings (ef_search or probes); the method must match the table's index. Default: the table's method with default settings. */
  vectorIndex?: PgvectorVectorIndexOptions;
}

/** Options of {@link loadPgvectorIndex}. */
export interface LoadPgvectorIndexOptions extends PgvectorConnectionOptions {
  /** Snapshot written by `save` (of this index or of an exact index). */
  path: string;
  /** Table to create and fill. */
  table: string;
  /** Vector index built over the loaded rows. Default as in `createPgvectorIndex`. */
  vectorIndex?: PgvectorVectorIndexOptions;
  /** Drop a table of the same name first. Default false. */
  replace?: boolean;
}

/** Marks a table as an mmrecall recall table and records its metric (its dimension is the column type). */
const COMMENT_TAG = 'mmrecall recall index';
const INSERT_ROWS = 1000;
const SAVE_PAGE_ROWS = 10_000;
const MAX_INDEXED_DIM = 2000;

interface TableState {
  connection: Connection;
  name: TableName;
  dim: number;
  metric: RecallMetric;
  vectorIndex: ResolvedVectorIndex;
}

/**
 * Creates the table `(key int4 PRIMARY KEY, embedding vector(dim))` and its HNSW or IVFFlat index
 * (after `CREATE EXTENSION IF NOT EXISTS vector`), and returns a `RecallIndex` over it. Everything
 * is validated before the first statement runs.
 */
export async function createPgvectorIndex(options: CreatePgvectorIndexOptions): Promise<PgvectorIndex> {
  const name = parseTableName(options.table);
  const dim = checkPositiveInteger({ argument: 'dim', value: options.dim });
  if (dim > MAX_INDEXED_DIM) {
    throw new InvalidArgumentError({
      argument: 'dim',
      message: `pgvector indexes at most ${MAX_INDEXED_DIM} dimensions, got ${dim}`,
    });
  }
  const metric = checkMetric(options.metric);
  const vectorIndex = resolveVectorIndex(options.vectorIndex);
  const connection = openConnection(options);
  try {
    await createTable({
      connection,
      name,
      dim,
      metric,
      vectorIndex,
      replace: options.replace === true,
      deferIndex: options.deferIndex === true,
    });
  } catch (error) {
    if (connection.owned) await connection.pool.end();
    throw error;
  }
  return wrapTable({ connection, name, dim, metric, vectorIndex });
}

/**
 * Attaches to a table made by `createPgvectorIndex`: the rows persist in the database, so this is
 * how a restarted server (or a second one) reaches the same catalog. Throws `MissingArtifactError`
 * when the table is missing or was not made by this package.
 */
export async function openPgvectorIndex(options: OpenPgvectorIndexOptions): Promise<PgvectorIndex> {
  const name = parseTableName(options.table);
  const requested = options.vectorIndex === undefined ? undefined : resolveVectorIndex(options.vectorIndex);
  const connection = openConnection(options);
  try {
    const found = await withClient({
      pool: connection.pool,
      operation: `open ${name.sql}`,
      work: async (client) => {
        await checkExtension(client, false);
        return describeTable(client, name);
      },
    });
    if (found === undefined) {
      throw new MissingArtifactError({
        path: `table ${name.text}`,
        message: `no recall table (${COMMENT_TAG}) of this name`,
      });
    }
    if (requested !== undefined && found.method !== undefined && requested.method !== found.method) {
      throw new InvalidArgumentError({
        argument: 'vectorIndex.method',
        message: `the table's index is ${found.method}, got ${requested.method}`,
      });
    }
    const vectorIndex = requested ?? resolveVectorIndex({ method: found.method ?? 'hnsw' });
    return wrapTable({ connection, name, dim: found.dim, metric: found.metric, vectorIndex });
  } catch (error) {
    if (connection.owned) await connection.pool.end();
    throw error;
  }
}

/**
 * Creates a table from a snapshot file (written by `save` of a pgvector or an exact index), inserts
 * its rows and builds the vector index over them. The file is read and checked before the table is
 * created: a missing or foreign file throws `MissingArtifactError` and changes nothing.
 */
export async function loadPgvectorIndex(options: LoadPgvectorIndexOptions): Promise<PgvectorIndex> {
  const snapshot = await readIndexSnapshot({ path: options.path });
  const { path: _path, ...rest } = options;
  const index = await createPgvectorIndex({
    ...rest,
    dim: snapshot.dim,
    metric: snapshot.metric,
    deferIndex: true,
  });
  const state = internals.get(index) as TableState;
  try {
    // Snapshot rows are stored as they were (cosine rows already normalised): no second scaling,
    // so the loaded table holds the saved floats bit for bit.
    await insertRows({ state, keys: snapshot.keys, vectors: snapshot.vectors, scales: undefined });
    await index.buildIndex();
  } catch (error) {
    await index.drop().catch(() => undefined);
    throw error;
  }
  return index;
}

const internals = new WeakMap<PgvectorIndex, TableState>();

/** Session settings last applied to each pooled client (shared by every index on the same pool). */
const clientSettings = new WeakMap<pg.PoolClient, string>();

async function applySearchSettings(client: pg.PoolClient, sql: string): Promise<void> {
  if (clientSettings.get(client) === sql) return;
  await client.query(sql);
  clientSettings.set(client, sql);
}

async function checkExtension(client: pg.PoolClient, create: boolean): Promise<void> {
  if (create) await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  const result = await client.query<{ extversion: string }>(
    "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
  );
  const version = result.rows[0]?.extversion;
  if (version === undefined) {
    throw new PgvectorQueryError({
      operation: 'check pgvector',
      message: 'the vector extension is not installed in this database (CREATE EXTENSION vector)',
    });
  }
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major === 0 && minor < 8) {
    throw new PgvectorQueryError({
      operation: 'check pgvector',
      message: `pgvector ${version} is too old: 0.8.0 or later is needed (iterative index scans keep exclusions from shortening results)`,
    });
  }
}

async function createTable(options: {
  connection: Connection;
  name: TableName;
  dim: number;
  metric: RecallMetric;
  vectorIndex: ResolvedVectorIndex;
  replace: boolean;
  deferIndex: boolean;
}): Promise<void> {
  const { connection, name, dim, metric, vectorIndex } = options;
  await inTransaction({
    pool: connection.pool,
    operation: `create ${name.sql}`,
    work: async (client) => {
      await checkExtension(client, true);
      if (options.replace) await client.query(`DROP TABLE IF EXISTS ${name.sql}`);
      else {
        const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS exists', [name.sql]);
        if (exists.rows[0]?.exists === true) {
          throw new InvalidArgumentError({
            argument: 'table',
            message: `${name.text} already exists (openPgvectorIndex attaches to it; replace: true drops it)`,
          });
        }
      }
      await client.query(
        `CREATE TABLE ${name.sql} (key int4 PRIMARY KEY CHECK (key >= 0), embedding vector(${dim}) NOT NULL)`,
      );
      const comment = `${COMMENT_TAG} ${JSON.stringify({ metric })}`;
      await client.query(`COMMENT ON TABLE ${name.sql} IS '${comment}'`);
      if (!options.deferIndex) {
        await client.query(
          createIndexSql({ index: vectorIndex, metric, tableSql: name.sql, indexName: name.indexName }),
        );
      }
    },
  });
}

async function describeTable(
  client: pg.PoolClient,
  name: TableName,
): Promise<{ dim: number; metric: RecallMetric; method: 'hnsw' | 'ivfflat' | undefined } | undefined> {
  const result = await client.query<{ type: string; comment: string | null; method: string | null }>(
    `SELECT format_type(a.atttypid, a.atttypmod) AS type,
            obj_description(c.oid, 'pg_class') AS comment,
            (SELECT am.amname FROM pg_index i
               JOIN pg_class ic ON ic.oid = i.indexrelid
               JOIN pg_am am ON am.oid = ic.relam
              WHERE i.indrelid = c.oid AND ic.relname = $2) AS method
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'embedding'
      WHERE c.oid = to_regclass($1)`,
    [name.sql, name.indexName],
  );
  const row = result.rows[0];
  if (row === undefined || row.comment === null || !row.comment.startsWith(`${COMMENT_TAG} `))
    return undefined;
  const dimMatch = /^vector\((\d+)\)$/.exec(row.type);
  let metric: unknown;
  try {
    metric = (JSON.parse(row.comment.slice(COMMENT_TAG.length + 1)) as { metric?: unknown }).metric;
  } catch {
    return undefined;
  }
  if (dimMatch === null || (metric !== 'ip' && metric !== 'cosine')) return undefined;
  const method = row.method === 'hnsw' || row.method === 'ivfflat' ? row.method : undefined;
  return { dim: Number(dimMatch[1]), metric, method };
}

/** Inserts or replaces rows in one transaction; `scales[i]` multiplies row `i` (cosine normalisation). */
async function insertRows(options: {
  state: TableState;
  keys: Int32Array;
  vectors: Float32Array;
  scales: Float64Array | undefined;
}): Promise<void> {
  const { state, keys, vectors, scales } = options;
  const { dim, name } = state;
  // One statement may not touch a row twice, and the last occurrence of a key wins.
  const lastRow = new Map<number, number>();
  keys.forEach((key, row) => {
    lastRow.set(key, row);
  });
  const rows = [...lastRow.values()];
  if (rows.length === 0) return;
  await inTransaction({
    pool: state.connection.pool,
    operation: `upsert into ${name.sql}`,
    work: async (client) => {
      for (let start = 0; start < rows.length; start += INSERT_ROWS) {
        const chunk = rows.slice(start, start + INSERT_ROWS);
        const values: unknown[] = [];
        const tuples = chunk.map((row, i) => {
          values.push(keys[row], encodeVector({ values: vectors, row, dim, scale: scales?.[row] ?? 1 }));
          return `($${2 * i + 1}::int4, $${2 * i + 2}::vector)`;
        });
        await client.query(
          `INSERT INTO ${name.sql} (key, embedding) VALUES ${tuples.join(', ')}
           ON CONFLICT (key) DO UPDATE SET embedding = EXCLUDED.embedding`,
          values,
        );
      }
    },
  });
}

function wrapTable(initial: TableState): PgvectorIndex {
  let state: TableState | undefined = initial;
  const { dim, metric, name, vectorIndex, connection } = initial;
  const { operator } = metricOperators(metric);
  const settingsSql = searchSettingsSql(vectorIndex);
  const live = (): TableState => {
    if (state === undefined) throw disposedError();
    return state;
  };
  const statementName = (kind: string): string =>
    `mmrecall_${kind}_${metric}_${name.text.replace('.', '__')}`.slice(0, 63);
  const searchText = `SELECT key, embedding ${operator} $1::vector AS distance FROM ${name.sql}
                       ORDER BY embedding ${operator} $1::vector LIMIT $2`;
  const searchExcludingText = `SELECT key, embedding ${operator} $1::vector AS distance FROM ${name.sql}
                       WHERE key <> ALL($3::int4[]) ORDER BY embedding ${operator} $1::vector LIMIT $2`;
  // Higher is better: inner product = -(<#>), cosine similarity = 1 - (<=>). `0 - d` keeps +0 for 0.
  const toScore = metric === 'ip' ? (distance: number) => 0 - distance : (distance: number) => 1 - distance;

  /** One validated query vector (`row` of `queries`); results best first, ties by key. */
  const searchRow = async (
    queries: Float32Array,
    row: number,
    k: number,
    exclude: Set<number> | undefined,
  ): Promise<{ keys: number[]; scores: number[] }> => {
    const excluded =
      exclude === undefined
        ? []
        : [...exclude].filter((key) => Number.isInteger(key) && key >= 0 && key <= MAX_KEY);
    const vector = encodeVector({ values: queries, row, dim });
    const result = await withClient({
      pool: connection.pool,
      operation: `search ${name.sql}`,
      work: async (client) => {
        await applySearchSettings(client, settingsSql);
        return excluded.length === 0
          ? client.query<{ key: number; distance: number }>({
              name: statementName('search'),
              text: searchText,
              values: [vector, k],
            })
          : client.query<{ key: number; distance: number }>({
              name: statementName('search_excluding'),
              text: searchExcludingText,
              values: [vector, k, excluded],
            });
      },
    });
    const found = result.rows.map((entry) => ({ key: entry.key, score: toScore(entry.distance) }));
    found.sort((a, b) => b.score - a.score || a.key - b.key);
    return { keys: found.map((entry) => entry.key), scores: found.map((entry) => entry.score) };
  };

  const index: PgvectorIndex = {
    dim,
    metric,
    table: name.text,
    vectorIndex,
    async size() {
      const s = live();
      const result = await withClient({
        pool: s.connection.pool,
        operation: `count ${name.sql}`,
        work: (client) => client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name.sql}`),
      });
      return Number(result.rows[0]?.n ?? 0);
    },
    async upsert(options) {
      const s = live();
      const keys = checkKeys(options.keys);
      const norms = checkMatrix({
        values: options.vectors,
        rows: keys.length,
        dim,
        metric,
        argument: 'vectors',
      });
      const scales = metric === 'cosine' ? norms.map((squared) => 1 / Math.sqrt(squared)) : undefined;
      await insertRows({ state: s, keys, vectors: options.vectors, scales });
    },
    async remove(options) {
      const s = live();
      const keys = checkKeys(options.keys);
      if (keys.length === 0) return 0;
      const result = await withClient({
        pool: s.connection.pool,
        operation: `remove from ${name.sql}`,
        work: (client) =>
          client.query(`DELETE FROM ${name.sql} WHERE key = ANY($1::int4[])`, [Array.from(keys)]),
      });
      return result.rowCount ?? 0;
    },
    async has(key) {
      const s = live();
      const checked = checkKey(key);
      const result = await withClient({
        pool: s.connection.pool,
        operation: `look up ${name.sql}`,
        work: (client) => client.query(`SELECT 1 FROM ${name.sql} WHERE key = $1`, [checked]),
      });
      return result.rows.length > 0;
    },
    async search(options) {
      live();
      const k = checkPositiveInteger({ argument: 'k', value: options.k });
      checkMatrix({ values: options.query, rows: 1, dim, metric, argument: 'query' });
      const exclude = toExcludeSet(options.exclude, 'exclude');
      const found = await searchRow(options.query, 0, k, exclude);
      return { keys: Int32Array.from(found.keys), scores: Float32Array.from(found.scores) };
    },
    async searchBatch(options): Promise<RecallSearchResult> {
      live();
      const count = checkNonNegativeInteger({ argument: 'count', value: options.count });
      const k = checkPositiveInteger({ argument: 'k', value: options.k });
      checkMatrix({ values: options.queries, rows: count, dim, metric, argument: 'queries' });
      const excludes = checkBatchExclude(options.exclude, count);
      const keys = new Int32Array(count * k).fill(-1);
      const scores = new Float32Array(count * k).fill(Number.NEGATIVE_INFINITY);
      // Queries go out together and spread over the pool's connections.
      const results = await Promise.all(
        Array.from({ length: count }, (_, q) => {
          const exclude = excludes?.[q];
          return searchRow(
            options.queries,
            q,
            k,
            exclude === undefined || exclude.size === 0 ? undefined : exclude,
          );
        }),
      );
      results.forEach((found, q) => {
        keys.set(found.keys, q * k);
        scores.set(found.scores, q * k);
      });
      return { keys, scores };
    },
    async save(options) {
      const s = live();
      const snapshot = await inTransaction({
        pool: s.connection.pool,
        operation: `save ${name.sql}`,
        // One consistent view of the table while it is read page by page.
        isolation: 'REPEATABLE READ',
        work: async (client) => {
          const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name.sql}`);
          const size = Number(counted.rows[0]?.n ?? 0);
          const keys = new Int32Array(size);
          const vectors = new Float32Array(size * dim);
          let done = 0;
          let after = -1;
          while (done < size) {
            const page = await client.query<{ key: number; embedding: string }>(
              `SELECT key, embedding::text AS embedding FROM ${name.sql} WHERE key > $1 ORDER BY key LIMIT ${SAVE_PAGE_ROWS}`,
              [after],
            );
            if (page.rows.length === 0) break;
            for (const row of page.rows) {
              keys[done] = row.key;
              decodeVectorText({ text: row.embedding, target: vectors, offset: done * dim, dim });
              done++;
            }
            after = keys[done - 1] as number;
          }
          return { keys, vectors };
        },
      });
      await writeIndexSnapshot({
        path: options.path,
        dim,
        metric,
        keys: snapshot.keys,
        vectors: snapshot.vectors,
      });
    },
    async buildIndex(options) {
      const s = live();
      const memory = options?.maintenanceWorkMem;
      if (memory !== undefined && !/^\d+(kB|MB|GB)$/.test(memory)) {
        throw new InvalidArgumentError({
          argument: 'maintenanceWorkMem',
          message: `must look like 512MB or 2GB, got ${JSON.stringify(memory)}`,
        });
      }
      await inTransaction({
        pool: s.connection.pool,
        operation: `build the vector index of ${name.sql}`,
        work: async (client) => {
          if (memory !== undefined) await client.query(`SET LOCAL maintenance_work_mem = '${memory}'`);
          await client.query(
            createIndexSql({ index: vectorIndex, metric, tableSql: name.sql, indexName: name.indexName }),
          );
          await client.query(`ANALYZE ${name.sql}`);
        },
      });
    },
    async drop() {
      const s = live();
      await withClient({
        pool: s.connection.pool,
        operation: `drop ${name.sql}`,
        work: (client) => client.query(`DROP TABLE IF EXISTS ${name.sql}`),
      });
      await index.dispose();
    },
    async dispose() {
      const s = state;
      state = undefined;
      if (s?.connection.owned) await s.connection.pool.end();
    },
  };
  internals.set(index, initial);
  return index;
}
