// Side by side in one process: pgvector (PGlite over the wire protocol) against the in-process HNSW
// index (usearch) and the exact index, on the serving benchmarks' clustered unit vectors.
//
//   pnpm --filter @mmrecall/serving-pgvector... build   # or npx tsup in errors, serving, serving-pgvector
//   cd packages/serving-pgvector && node bench/compare-indexes.mjs --rows 100000 --dim 64
//   options: --rows --dim --clusters 1000 --spread 1 --queries 300 --k 20 --ef 40,64,128
//            --m 16 --ef-construction 64 --seed 42 --maintenance-work-mem 512MB
//            --pg-url postgres://... (a real server instead of PGlite; it creates and drops bench_items)
//
// Both HNSW graphs use the same M and construction list (pgvector m / ef_construction = usearch
// connectivity / expansionAdd) and both build on one thread (PGlite has no parallel workers). Recall@k
// is measured against the exact index; single queries are interleaved query by query (exact, usearch,
// pgvector) so load from other processes hits all three alike. q/s = 1000 / mean latency.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createExactIndex, createHnswIndex, loadHnswIndex } from '@mmrecall/serving';
import pg from 'pg';

import { createClusteredVectors } from '../../serving/bench/clustered-vectors.mjs';
import { createPgvectorIndex, openPgvectorIndex } from '../dist/index.js';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i].startsWith('--')) args[process.argv[i].slice(2)] = process.argv[i + 1];
}
const ROWS = Number(args.rows ?? 100_000);
const DIM = Number(args.dim ?? 64);
const CLUSTERS = Number(args.clusters ?? 1000);
const SPREAD = Number(args.spread ?? 1);
const QUERIES = Number(args.queries ?? 300);
const K = Number(args.k ?? 20);
const EFS = String(args.ef ?? '40,64,128')
  .split(',')
  .map(Number);
const M = Number(args.m ?? 16);
const EF_CONSTRUCTION = Number(args['ef-construction'] ?? 64);
const SEED = Number(args.seed ?? 42);
const MAINTENANCE_WORK_MEM = args['maintenance-work-mem'] ?? '512MB';

const log = (...parts) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);
const now = () => performance.now();
const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const points = createClusteredVectors({ clusters: CLUSTERS, dim: DIM, spread: SPREAD, seed: SEED });
const vectors = points(ROWS, SEED + 1);
const queries = points(QUERIES, SEED + 2);
const keys = Int32Array.from({ length: ROWS }, (_, i) => i);
const query = (q) => queries.subarray(q * DIM, (q + 1) * DIM);
const builds = [];

let started = now();
let stopDatabase = async () => {};
let url = args['pg-url'];
if (url === undefined) {
  log('PGlite + pgvector, served on 127.0.0.1');
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  url = `postgres://postgres@${server.getServerConn()}/postgres`;
  stopDatabase = async () => {
    await server.stop();
    await db.close();
  };
  log(`PGlite ready in ${((now() - started) / 1000).toFixed(1)} s`);
}
// Queries run one after another, so one connection is enough (and PGlite has one session).
const pool = new pg.Pool({ connectionString: url, max: 1 });

started = now();
const exact = createExactIndex({ dim: DIM, metric: 'ip', capacity: ROWS });
exact.upsert({ keys, vectors });
builds.push(['exact (copy into memory)', (now() - started) / 1000]);
const truth = [];
for (let q = 0; q < QUERIES; q++) truth.push(new Set(exact.search({ query: query(q), k: K }).keys));

log('usearch HNSW build (1 thread)');
started = now();
const usearch = createHnswIndex({
  dim: DIM,
  metric: 'ip',
  connectivity: M,
  expansionAdd: EF_CONSTRUCTION,
  threads: 1,
});
usearch.upsert({ keys, vectors });
builds.push([`usearch HNSW (M ${M}, expansionAdd ${EF_CONSTRUCTION}, 1 thread)`, (now() - started) / 1000]);
const usearchPath = join(tmpdir(), `mmrecall-bench-${process.pid}.usearch`);
await usearch.save({ path: usearchPath });

log('pgvector: insert rows, then build HNSW');
started = now();
const table = await createPgvectorIndex({
  pool,
  table: 'bench_items',
  dim: DIM,
  metric: 'ip',
  replace: true,
  deferIndex: true,
  vectorIndex: { method: 'hnsw', m: M, efConstruction: EF_CONSTRUCTION },
});
await table.upsert({ keys, vectors });
const inserted = (now() - started) / 1000;
builds.push([`pgvector: INSERT ${ROWS} rows (1000 per statement, one transaction)`, inserted]);
started = now();
await table.buildIndex({ maintenanceWorkMem: MAINTENANCE_WORK_MEM });
builds.push([
  `pgvector: CREATE INDEX hnsw (m ${M}, ef_construction ${EF_CONSTRUCTION}, maintenance_work_mem ${MAINTENANCE_WORK_MEM})`,
  (now() - started) / 1000,
]);
const sizes = (
  await pool.query(
    "SELECT pg_size_pretty(pg_relation_size('bench_items')) AS heap, pg_size_pretty(pg_relation_size('bench_items_embedding_idx')) AS idx",
  )
).rows[0];
log(`table ${sizes.heap}, index ${sizes.idx}`);

console.log(
  `${ROWS} x ${DIM} clustered unit vectors (${CLUSTERS} clusters, spread ${SPREAD}), metric ip, k = ${K}, ${QUERIES} queries`,
);
console.log('\n| build | seconds |\n|---|---:|');
for (const [name, seconds] of builds) console.log(`| ${name} | ${seconds.toFixed(1)} |`);
console.log(`\npgvector table ${sizes.heap}, HNSW index ${sizes.idx}`);

console.log(
  `\n| ef (expansionSearch / hnsw.ef_search) | index | recall@${K} | q/s | p50 ms |\n|---:|---|---:|---:|---:|`,
);
for (const ef of EFS) {
  const inProcess = await loadHnswIndex({ path: usearchPath, expansionSearch: ef });
  const remote = await openPgvectorIndex({
    pool,
    table: 'bench_items',
    vectorIndex: { method: 'hnsw', efSearch: ef },
  });
  const searchers = {
    exact: async (q) => exact.search({ query: query(q), k: K }).keys,
    'usearch HNSW (in process)': async (q) => inProcess.search({ query: query(q), k: K }).keys,
    [args['pg-url'] ? 'pgvector HNSW (server)' : 'pgvector HNSW (PGlite, wire protocol)']: async (q) =>
      (await remote.search({ query: query(q), k: K })).keys,
  };
  // Warm-up: the first pgvector query per connection prepares the statement and sets ef_search.
  await remote.search({ query: query(0), k: K });
  const times = Object.fromEntries(Object.keys(searchers).map((name) => [name, []]));
  const hits = Object.fromEntries(Object.keys(searchers).map((name) => [name, 0]));
  for (let q = 0; q < QUERIES; q++) {
    for (const [name, search] of Object.entries(searchers)) {
      const t0 = now();
      const found = await search(q);
      times[name].push(now() - t0);
      for (const key of found) if (truth[q].has(key)) hits[name]++;
    }
  }
  for (const name of Object.keys(searchers)) {
    const shown = name === 'exact' ? '-' : String(ef);
    console.log(
      `| ${shown} | ${name} | ${(hits[name] / (QUERIES * K)).toFixed(4)} | ${(1000 / mean(times[name])).toFixed(0)} | ${median(times[name]).toFixed(2)} |`,
    );
  }
  await remote.dispose();
  inProcess.dispose();
}

await table.drop();
await pool.end();
await stopDatabase();
rmSync(usearchPath, { force: true });
