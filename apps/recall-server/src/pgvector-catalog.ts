import type { ExternalIndex } from '@mmrecall/recall-service';
import { createPgvectorIndex, type PgvectorIndex } from '@mmrecall/serving-pgvector';

/** `--index pgvector` settings. */
export interface PgvectorSettings {
  /** PostgreSQL connection string. */
  url: string;
  /** Connections of each index's pool. */
  poolSize: number;
  /** Table name prefix: each loaded model gets its own table `<table>_<id>`. */
  table: string;
  /** HNSW graph degree. */
  m: number;
  /** HNSW build candidate list. */
  efConstruction: number;
  /** HNSW search candidate list (`hnsw.ef_search`). */
  efSearch: number;
}

/**
 * The catalog in PostgreSQL: every loaded model (start, reload) fills a new table, builds its HNSW
 * index once over the trained items, and drops the table when the model is replaced or the server
 * stops. A table left behind by a killed process is named `<prefix>_<base36 time>_<n>`.
 */
export function createPgvectorCatalog(settings: PgvectorSettings): ExternalIndex<PgvectorIndex> {
  let made = 0;
  return {
    kind: 'pgvector',
    create: async ({ dim }) => {
      const table = `${settings.table}_${Date.now().toString(36)}_${made++}`;
      const index = await createPgvectorIndex({
        connectionString: settings.url,
        poolSize: settings.poolSize,
        table,
        dim,
        metric: 'ip',
        vectorIndex: {
          method: 'hnsw',
          m: settings.m,
          efConstruction: settings.efConstruction,
          efSearch: settings.efSearch,
        },
        deferIndex: true,
      });
      // Retiring the model's index drops its table (and ends the pool).
      return { ...index, dispose: () => index.drop() };
    },
    filled: (index) => index.buildIndex(),
  };
}
