// The shared RecallIndex suite of @mmrecall/serving, run against pgvector tables (HNSW and IVFFlat)
// in PGlite over the wire protocol.
import { describeRecallIndexContract } from '@mmrecall/serving/testing';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

import { createPgvectorIndex, loadPgvectorIndex, type PgvectorIndex } from './pgvector-index';
import type { PgvectorVectorIndexOptions } from './vector-index-options';

const DIM = 8;
// One connection: PGlite runs every connection in its one backend session, so two connections would
// share prepared statements and settings (a real server gives each its own).
const pool = new pg.Pool({ connectionString: inject('pgUrl'), max: 1 });
afterAll(() => pool.end());

let tables = 0;
function contract(name: string, vectorIndex: PgvectorVectorIndexOptions): void {
  const created: string[] = [];
  const nextTable = (): string => {
    const table = `contract_${name}_${tables++}`;
    created.push(table);
    return table;
  };
  describeRecallIndexContract({
    name: `pgvector ${name}`,
    dim: DIM,
    create: (metric): Promise<PgvectorIndex> =>
      createPgvectorIndex({ pool, table: nextTable(), dim: DIM, metric, vectorIndex }),
    load: (path) => loadPgvectorIndex({ pool, path, table: nextTable(), vectorIndex }),
    cleanup: async () => {
      for (const table of created) await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    },
  });
}

// ef_search at pgvector's maximum visits every node of these 300-row graphs, and scanning every
// list makes IVFFlat exhaustive: the suite checks exact results.
contract('hnsw', { method: 'hnsw', efSearch: 1000 });
contract('ivfflat', { method: 'ivfflat', lists: 4, probes: 4 });
