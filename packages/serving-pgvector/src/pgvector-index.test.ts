// What the shared suite cannot know about a database-backed index: persistence across handles,
// snapshots shared with the exact index, validation before any statement, approximate recall with
// the default search settings, exclusions through iterative scans, and pool ownership.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidArgumentError, MissingArtifactError } from '@mmrecall/errors';
import { createExactIndex, IndexStateError, loadExactIndex, readIndexSnapshot } from '@mmrecall/serving';
import { clusteredVectors, randomVectors, recallAtK } from '@mmrecall/serving/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { PgvectorQueryError } from './errors';
import { createPgvectorIndex, loadPgvectorIndex, openPgvectorIndex } from './pgvector-index';

const url = inject('pgUrl');
// One connection: PGlite serves every connection from one backend session (see the contract test).
const pool = new pg.Pool({ connectionString: url, max: 1 });
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mmrecall-pgvector-'));
});
afterAll(async () => {
  await pool.end();
  await rm(folder, { recursive: true, force: true });
});

const DIM = 8;
const keysOf = (rows: number) => Int32Array.from({ length: rows }, (_, i) => 10 + i);

describe('createPgvectorIndex / openPgvectorIndex', () => {
  it('a second handle on the table sees the same rows, dimension, metric and results', async () => {
    const data = randomVectors({ rows: 50, dim: DIM, seed: 1 });
    const first = await createPgvectorIndex({
      pool,
      table: 'persisted',
      dim: DIM,
      metric: 'cosine',
      replace: true,
    });
    await first.upsert({ keys: keysOf(50), vectors: data });
    await first.dispose();
    const second = await openPgvectorIndex({ pool, table: 'persisted' });
    expect(second.dim).toBe(DIM);
    expect(second.metric).toBe('cosine');
    expect(second.vectorIndex).toEqual({ method: 'hnsw', m: 16, efConstruction: 64, efSearch: 64 });
    expect(await second.size()).toBe(50);
    const query = randomVectors({ rows: 1, dim: DIM, seed: 2 });
    const exact = createExactIndex({ dim: DIM, metric: 'cosine' });
    exact.upsert({ keys: keysOf(50), vectors: data });
    const expected = exact.search({ query, k: 5 });
    const found = await second.search({ query, k: 5 });
    expect(Array.from(found.keys)).toEqual(Array.from(expected.keys));
    for (const [i, score] of found.scores.entries())
      expect(score).toBeCloseTo(expected.scores[i] as number, 5);
    await expect(
      openPgvectorIndex({ pool, table: 'persisted', vectorIndex: { method: 'ivfflat' } }),
    ).rejects.toThrow(/the table's index is hnsw/);
    await second.drop();
    await expect(openPgvectorIndex({ pool, table: 'persisted' })).rejects.toThrow(MissingArtifactError);
  });

  it('refuses a table it did not make, and an existing table unless replace is set', async () => {
    await pool.query(
      'DROP TABLE IF EXISTS foreign_rows; CREATE TABLE foreign_rows (key int4, embedding vector(3))',
    );
    await expect(openPgvectorIndex({ pool, table: 'foreign_rows' })).rejects.toThrow(MissingArtifactError);
    await expect(createPgvectorIndex({ pool, table: 'foreign_rows', dim: 3, metric: 'ip' })).rejects.toThrow(
      /already exists/,
    );
    // The refused create left the table as it was.
    const columns = await pool.query(
      "SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'foreign_rows'::regclass AND attnum > 0",
    );
    expect(columns.rows[0].n).toBe(2);
    const replaced = await createPgvectorIndex({
      pool,
      table: 'foreign_rows',
      dim: 3,
      metric: 'ip',
      replace: true,
    });
    expect(await replaced.size()).toBe(0);
    await replaced.drop();
  });

  it('validates every option before the first statement (an unreachable server is never asked)', async () => {
    const unreachable = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', max: 1 });
    const base = { pool: unreachable, table: 'never', dim: 4, metric: 'ip' as const };
    await expect(createPgvectorIndex({ ...base, table: 'Items' })).rejects.toThrow(/table: must be "name"/);
    await expect(createPgvectorIndex({ ...base, table: 'a;drop' })).rejects.toThrow(InvalidArgumentError);
    await expect(createPgvectorIndex({ ...base, dim: 2001 })).rejects.toThrow(/at most 2000 dimensions/);
    await expect(createPgvectorIndex({ ...base, metric: 'l2' as 'ip' })).rejects.toThrow(/metric/);
    await expect(
      createPgvectorIndex({ ...base, vectorIndex: { method: 'hnsw', m: 16, efConstruction: 16 } }),
    ).rejects.toThrow(/vectorIndex.efConstruction: must be an integer in 32..1000/);
    await expect(
      createPgvectorIndex({ ...base, vectorIndex: { method: 'ivfflat', lists: 10, probes: 11 } }),
    ).rejects.toThrow(/vectorIndex.probes/);
    await expect(createPgvectorIndex({ ...base, connectionString: url })).rejects.toThrow(
      /exactly one of pool/,
    );
    await expect(createPgvectorIndex({ ...base, poolSize: 2 })).rejects.toThrow(
      /poolSize: applies to connectionString/,
    );
    // Valid options reach the server, and its failure names the operation.
    await expect(createPgvectorIndex(base)).rejects.toThrow(PgvectorQueryError);
    await expect(createPgvectorIndex(base)).rejects.toThrow(/create "never"/);
    await unreachable.end();
  });

  it('an index over its own pool ends the pool on dispose', async () => {
    const index = await createPgvectorIndex({
      connectionString: url,
      poolSize: 1,
      table: 'owned',
      dim: 2,
      metric: 'ip',
      replace: true,
    });
    await index.upsert({ keys: [1], vectors: new Float32Array([1, 2]) });
    await index.drop();
    await expect(index.size()).rejects.toThrow(IndexStateError);
    await expect(
      createPgvectorIndex({ connectionString: url, poolSize: 0, table: 'owned', dim: 2, metric: 'ip' }),
    ).rejects.toThrow(/poolSize/);
  });
});

describe('snapshots', () => {
  it('stores float32 values bit for bit, and save writes a file the exact index loads', async () => {
    const values = new Float32Array([0.1, -123.456, 1e-30, 3e30, Math.PI, -0.5, 7, 2 ** -20]);
    const keys = [3, 1, 2, 4];
    const index = await createPgvectorIndex({ pool, table: 'bits', dim: 2, metric: 'ip', replace: true });
    await index.upsert({ keys, vectors: values });
    const path = join(folder, 'bits.idx');
    await index.save({ path });
    const snapshot = await readIndexSnapshot({ path });
    expect(Array.from(snapshot.keys)).toEqual([1, 2, 3, 4]); // saved in key order
    const byKey = new Map(keys.map((key, row) => [key, Array.from(values.subarray(2 * row, 2 * row + 2))]));
    expect(Array.from(snapshot.vectors)).toEqual([1, 2, 3, 4].flatMap((key) => byKey.get(key) as number[]));
    const exact = await loadExactIndex({ path });
    const query = new Float32Array([1, 1]);
    expect(Array.from(exact.search({ query, k: 4 }).keys)).toEqual(
      Array.from((await index.search({ query, k: 4 })).keys),
    );
    await index.drop();
  });

  it('loads an exact index snapshot; a bad file changes nothing in the database', async () => {
    const data = randomVectors({ rows: 40, dim: DIM, seed: 3 });
    const exact = createExactIndex({ dim: DIM, metric: 'cosine' });
    exact.upsert({ keys: keysOf(40), vectors: data });
    const path = join(folder, 'exact.idx');
    await exact.save({ path });
    const loaded = await loadPgvectorIndex({ pool, path, table: 'from_exact', replace: true });
    expect(loaded.metric).toBe('cosine');
    const queries = randomVectors({ rows: 3, dim: DIM, seed: 4 });
    const mine = await loaded.searchBatch({ queries, count: 3, k: 7 });
    const theirs = exact.searchBatch({ queries, count: 3, k: 7 });
    expect(Array.from(mine.keys)).toEqual(Array.from(theirs.keys));
    for (const [i, score] of mine.scores.entries()) expect(score).toBeCloseTo(theirs.scores[i] as number, 5);
    await loaded.drop();
    await expect(
      loadPgvectorIndex({ pool, path: join(folder, 'absent.idx'), table: 'never_made' }),
    ).rejects.toThrow(MissingArtifactError);
    const exists = await pool.query("SELECT to_regclass('never_made') IS NOT NULL AS e");
    expect(exists.rows[0].e).toBe(false);
  });
});

describe('approximate search', () => {
  const rows = 3000;
  const dim = 16;
  const data = clusteredVectors({ rows, dim, clusters: 30, spread: 0.5, seed: 5 });
  const queries = clusteredVectors({ rows: 40, dim, clusters: 30, spread: 0.5, seed: 5 }).subarray(
    0,
    40 * dim,
  );
  const exact = createExactIndex({ dim, metric: 'ip', capacity: rows });
  exact.upsert({ keys: keysOf(rows), vectors: data });

  it('HNSW (built after the load) and IVFFlat reach recall@10 >= 0.9 with default search settings', async () => {
    const truth = exact.searchBatch({ queries, count: 40, k: 10 });
    for (const vectorIndex of [{ method: 'hnsw' }, { method: 'ivfflat', lists: 20, probes: 5 }] as const) {
      const index = await createPgvectorIndex({
        pool,
        table: `approx_${vectorIndex.method}`,
        dim,
        metric: 'ip',
        vectorIndex,
        replace: true,
        deferIndex: true,
      });
      await index.upsert({ keys: keysOf(rows), vectors: data });
      await index.buildIndex({ maintenanceWorkMem: '64MB' });
      const plan = await pool.query(
        `EXPLAIN SELECT key FROM approx_${vectorIndex.method} ORDER BY embedding <#> '[${new Array(dim).fill(0).join(',')}]' LIMIT 10`,
      );
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(
        `approx_${vectorIndex.method}_embedding_idx`,
      );
      const found = await index.searchBatch({ queries, count: 40, k: 10 });
      const recall = recallAtK({ approx: found.keys, exact: truth.keys, count: 40, k: 10 });
      expect(recall, vectorIndex.method).toBeGreaterThanOrEqual(0.9);
      await index.drop();
    }
  });

  it('an exclusion larger than ef_search still returns k keys (iterative scan)', async () => {
    const index = await createPgvectorIndex({
      pool,
      table: 'iterative',
      dim,
      metric: 'ip',
      vectorIndex: { method: 'hnsw', efSearch: 10 },
      replace: true,
      deferIndex: true,
    });
    await index.upsert({ keys: keysOf(rows), vectors: data });
    await index.buildIndex();
    const query = queries.subarray(0, dim);
    const top = exact.search({ query, k: 200 });
    const exclude = new Set(top.keys.subarray(0, 150));
    const result = await index.search({ query, k: 20, exclude });
    expect(result.keys.length).toBe(20);
    for (const key of result.keys) expect(exclude.has(key)).toBe(false);
    // Best first.
    for (let i = 1; i < 20; i++)
      expect(result.scores[i - 1] as number).toBeGreaterThanOrEqual(result.scores[i] as number);
    await index.drop();
  });
});
