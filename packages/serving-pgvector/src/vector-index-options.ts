import { InvalidArgumentError } from '@mmrecall/errors';
import type { RecallMetric } from '@mmrecall/serving';

/** An HNSW graph over the column (pgvector `USING hnsw`). */
export interface PgvectorHnswOptions {
  method: 'hnsw';
  /** Graph degree (`m`), 2..100. Default 16 (pgvector's default). */
  m?: number;
  /** Candidate list while building (`ef_construction`), at least `2 * m`, at most 1000. Default 64 (pgvector's default). */
  efConstruction?: number;
  /** Candidate list while searching (`hnsw.ef_search`), 1..1000: higher = better recall, slower. Default 64. */
  efSearch?: number;
}

/** Inverted lists over k-means centroids (pgvector `USING ivfflat`); build it after the rows are in. */
export interface PgvectorIvfflatOptions {
  method: 'ivfflat';
  /** Number of lists, 1..32768 (pgvector suggests rows / 1000 up to 1M rows, sqrt(rows) above). Default 100. */
  lists?: number;
  /** Lists scanned per query (`ivfflat.probes`), 1..lists (pgvector suggests sqrt(lists)). Default 10. */
  probes?: number;
}

/** Which vector index serves the table. */
export type PgvectorVectorIndexOptions = PgvectorHnswOptions | PgvectorIvfflatOptions;

/** Validated vector-index settings with every default filled in. */
export type ResolvedVectorIndex =
  | { method: 'hnsw'; m: number; efConstruction: number; efSearch: number }
  | { method: 'ivfflat'; lists: number; probes: number };

function integerIn(value: unknown, fallback: number, argument: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError({
      argument,
      message: `must be an integer in ${min}..${max}, got ${String(value)}`,
    });
  }
  return value;
}

/** Checks the options (default: HNSW with pgvector's build defaults and ef_search 64). */
export function resolveVectorIndex(options: PgvectorVectorIndexOptions | undefined): ResolvedVectorIndex {
  const given = options ?? { method: 'hnsw' };
  if (given.method === 'hnsw') {
    const m = integerIn(given.m, 16, 'vectorIndex.m', 2, 100);
    const efConstruction = integerIn(given.efConstruction, 64, 'vectorIndex.efConstruction', 2 * m, 1000);
    const efSearch = integerIn(given.efSearch, 64, 'vectorIndex.efSearch', 1, 1000);
    return { method: 'hnsw', m, efConstruction, efSearch };
  }
  if (given.method === 'ivfflat') {
    const lists = integerIn(given.lists, 100, 'vectorIndex.lists', 1, 32_768);
    const probes = integerIn(given.probes, Math.min(10, lists), 'vectorIndex.probes', 1, lists);
    return { method: 'ivfflat', lists, probes };
  }
  throw new InvalidArgumentError({
    argument: 'vectorIndex.method',
    message: `must be 'hnsw' or 'ivfflat', got ${String((given as { method?: unknown }).method)}`,
  });
}

/** pgvector operator class and distance operator of a metric. */
export function metricOperators(metric: RecallMetric): { opclass: string; operator: string } {
  return metric === 'ip'
    ? { opclass: 'vector_ip_ops', operator: '<#>' }
    : { opclass: 'vector_cosine_ops', operator: '<=>' };
}

/** `CREATE INDEX` statement for the table's vector column. */
export function createIndexSql(options: {
  index: ResolvedVectorIndex;
  metric: RecallMetric;
  tableSql: string;
  indexName: string;
}): string {
  const { index, metric, tableSql, indexName } = options;
  const { opclass } = metricOperators(metric);
  const using =
    index.method === 'hnsw'
      ? `hnsw (embedding ${opclass}) WITH (m = ${index.m}, ef_construction = ${index.efConstruction})`
      : `ivfflat (embedding ${opclass}) WITH (lists = ${index.lists})`;
  return `CREATE INDEX IF NOT EXISTS "${indexName}" ON ${tableSql} USING ${using}`;
}

/**
 * Session settings a search needs. Iterative scans (pgvector >= 0.8) keep reading the index until
 * the `LIMIT` is met after the exclusion filter, so `exclude` never shortens a result; HNSW's
 * strict order keeps the rows sorted by distance.
 */
export function searchSettingsSql(index: ResolvedVectorIndex): string {
  return index.method === 'hnsw'
    ? `SET hnsw.ef_search = ${index.efSearch}; SET hnsw.iterative_scan = strict_order`
    : `SET ivfflat.probes = ${index.probes}; SET ivfflat.iterative_scan = relaxed_order`;
}
