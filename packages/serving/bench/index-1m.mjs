// Benchmark: exact vs HNSW recall index on N clustered, L2-normalised vectors (default 1,000,000 x 64).
//
//   cd packages/serving && npx tsup && node --expose-gc bench/index-1m.mjs
//   options: --rows 1000000 --dim 64 --clusters 1000 --spread 1 --queries 300 --k 100 --batch 64
//            --ef 128,256,512 --threads 2 --seed 42
//
// Everything is measured in one process, exact and HNSW side by side (interleaved in blocks of 25
// single queries, and batch by batch), so load from other processes on a shared machine hits both.
// Reports medians / p99 of per-query (or per-batch) times.
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createExactIndex, createHnswIndex, loadHnswIndex } from '../dist/index.js';
import { createClusteredVectors } from './clustered-vectors.mjs';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i].startsWith('--')) args[process.argv[i].slice(2)] = process.argv[i + 1];
}
const ROWS = Number(args.rows ?? 1_000_000);
const DIM = Number(args.dim ?? 64);
const CLUSTERS = Number(args.clusters ?? 1000);
const SPREAD = Number(args.spread ?? 1);
const QUERIES = Number(args.queries ?? 300);
const K = Number(args.k ?? 100);
const BATCH = Number(args.batch ?? 64);
const EFS = String(args.ef ?? '128,256,512')
  .split(',')
  .map(Number);
const THREADS = Number(args.threads ?? 2);
const SEED = Number(args.seed ?? 42);

const log = (...parts) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);
const gc = () => globalThis.gc?.();
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

const points = createClusteredVectors({ clusters: CLUSTERS, dim: DIM, spread: SPREAD, seed: SEED });

function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const median = (values) => percentile(values, 50);
function recallAt(approx, truth, count, k) {
  let total = 0;
  for (let q = 0; q < count; q++) {
    const expected = new Set(truth.subarray(q * k, (q + 1) * k));
    let hits = 0;
    for (let j = 0; j < k; j++) if (expected.has(approx[q * k + j])) hits++;
    total += hits / expected.size;
  }
  return total / count;
}

// ---- data
log(`generating ${ROWS} x ${DIM} vectors in ${CLUSTERS} clusters (spread ${SPREAD}, seed ${SEED})`);
let t0 = nowMs();
const vectors = points(ROWS, SEED + 1);
const queries = points(QUERIES, SEED + 2);
const keys = Int32Array.from({ length: ROWS }, (_, i) => i);
log(`generated in ${((nowMs() - t0) / 1000).toFixed(1)} s`);

// ---- exact build
gc();
let rss = rssMiB();
t0 = nowMs();
const exact = createExactIndex({ dim: DIM, metric: 'ip', capacity: ROWS });
exact.upsert({ keys, vectors });
const exactBuildS = (nowMs() - t0) / 1000;
gc();
const exactRssMiB = rssMiB() - rss;
log(`exact built in ${exactBuildS.toFixed(2)} s, RSS +${exactRssMiB.toFixed(0)} MiB`);

// ---- HNSW build (threaded batch add, in chunks to show progress)
gc();
rss = rssMiB();
t0 = nowMs();
const built = createHnswIndex({
  dim: DIM,
  metric: 'ip',
  connectivity: 16,
  expansionAdd: 128,
  expansionSearch: EFS[0],
  threads: THREADS,
});
const CHUNK = 100_000;
for (let start = 0; start < ROWS; start += CHUNK) {
  const end = Math.min(ROWS, start + CHUNK);
  built.upsert({ keys: keys.subarray(start, end), vectors: vectors.subarray(start * DIM, end * DIM) });
  log(`  hnsw ${end} / ${ROWS} after ${((nowMs() - t0) / 1000).toFixed(1)} s`);
}
const hnswBuildS = (nowMs() - t0) / 1000;
gc();
const hnswRssMiB = rssMiB() - rss;
log(`hnsw built in ${hnswBuildS.toFixed(1)} s with ${THREADS} threads, RSS +${hnswRssMiB.toFixed(0)} MiB`);

// Reachability: with k = size the search visits every node reachable from the entry point.
t0 = nowMs();
const reachable = new Set(built.search({ query: queries.subarray(0, DIM), k: ROWS }).keys).size;
const reachS = (nowMs() - t0) / 1000;
log(`reachable nodes: ${reachable} / ${ROWS} (exhaustive traversal ${reachS.toFixed(1)} s)`);

// ---- save / load (expansionSearch is a load-time setting, so each variant is loaded from one file)
const path = join(tmpdir(), `mmrecall-bench-${process.pid}.usearch`);
t0 = nowMs();
await built.save({ path });
const saveS = (nowMs() - t0) / 1000;
const fileMiB = statSync(path).size / 2 ** 20;
const variants = [{ ef: EFS[0], index: built }];
let loadS = 0;
for (const ef of EFS.slice(1)) {
  t0 = nowMs();
  variants.push({ ef, index: await loadHnswIndex({ path, expansionSearch: ef, threads: THREADS }) });
  loadS = (nowMs() - t0) / 1000;
}
t0 = nowMs();
const viewed = await loadHnswIndex({ path, view: true, expansionSearch: EFS[0], threads: THREADS });
const viewS = (nowMs() - t0) / 1000;
log(
  `saved ${fileMiB.toFixed(0)} MiB in ${saveS.toFixed(1)} s; load ${loadS.toFixed(1)} s; view (mmap) ${viewS.toFixed(2)} s`,
);

// ---- batched queries: batch b on exact, then on every HNSW variant (variant order rotated per batch)
const batches = Math.ceil(QUERIES / BATCH);
const truth = new Int32Array(QUERIES * K);
const exactBatchMs = [];
const hnswBatch = variants.map(() => ({ ms: [], keys: new Int32Array(QUERIES * K) }));
const rotated = (round) => variants.map((_, i) => (i + round) % variants.length);
for (let b = 0; b < batches; b++) {
  const first = b * BATCH;
  const count = Math.min(BATCH, QUERIES - first);
  const chunk = queries.subarray(first * DIM, (first + count) * DIM);
  t0 = nowMs();
  const result = exact.searchBatch({ queries: chunk, count, k: K });
  exactBatchMs.push(nowMs() - t0);
  truth.set(result.keys, first * K);
  for (const v of rotated(b)) {
    t0 = nowMs();
    const approx = variants[v].index.searchBatch({ queries: chunk, count, k: K });
    hnswBatch[v].ms.push(nowMs() - t0);
    hnswBatch[v].keys.set(approx.keys, first * K);
  }
  log(`  batch ${b + 1} / ${batches}: exact ${exactBatchMs.at(-1).toFixed(0)} ms`);
}

// ---- single queries in blocks of 25: the block on exact, then on every HNSW variant (order rotated
// per block) and on the memory-mapped view. Blocks keep the exact scan (which streams 256 MB through
// the caches) from running right before every HNSW query, while load swings still hit all of them.
const BLOCK = 25;
const exactSingleMs = [];
const hnswSingle = variants.map(() => ({ ms: [], keys: new Int32Array(QUERIES * K) }));
const viewSingleMs = [];
for (let first = 0, block = 0; first < QUERIES; first += BLOCK, block++) {
  const last = Math.min(QUERIES, first + BLOCK);
  for (let q = first; q < last; q++) {
    const query = queries.subarray(q * DIM, (q + 1) * DIM);
    t0 = nowMs();
    const result = exact.search({ query, k: K });
    exactSingleMs.push(nowMs() - t0);
    if (result.keys.some((key, j) => key !== truth[q * K + j]))
      throw new Error(`exact single != exact batch at query ${q}`);
  }
  for (const v of rotated(block)) {
    for (let q = first; q < last; q++) {
      const query = queries.subarray(q * DIM, (q + 1) * DIM);
      t0 = nowMs();
      const approx = variants[v].index.search({ query, k: K });
      hnswSingle[v].ms.push(nowMs() - t0);
      hnswSingle[v].keys.set(approx.keys, q * K);
    }
  }
  for (let q = first; q < last; q++) {
    t0 = nowMs();
    viewed.search({ query: queries.subarray(q * DIM, (q + 1) * DIM), k: K });
    viewSingleMs.push(nowMs() - t0);
  }
  log(`  single ${last} / ${QUERIES}`);
}

// ---- report (batch figures use full batches only)
const qpsSingle = (ms) => 1000 / median(ms);
const fullBatches = Math.max(1, Math.floor(QUERIES / BATCH));
const batchQps = (ms) => (1000 * BATCH) / median(ms.slice(0, fullBatches));
const exactRow = {
  index: 'exact (TS, blocked)',
  recall: 1,
  singleQps: qpsSingle(exactSingleMs),
  singleP50: median(exactSingleMs),
  singleP99: percentile(exactSingleMs, 99),
  batchQps: batchQps(exactBatchMs),
  batchP50: median(exactBatchMs.slice(0, fullBatches)),
  batchP99: percentile(exactBatchMs.slice(0, fullBatches), 99),
};
const rows = [exactRow];
variants.forEach(({ ef }, v) => {
  const recallSingle = recallAt(hnswSingle[v].keys, truth, QUERIES, K);
  const recallBatch = recallAt(hnswBatch[v].keys, truth, QUERIES, K);
  rows.push({
    index: `hnsw ef=${ef}`,
    recall: recallSingle,
    recallBatch,
    singleQps: qpsSingle(hnswSingle[v].ms),
    singleP50: median(hnswSingle[v].ms),
    singleP99: percentile(hnswSingle[v].ms, 99),
    batchQps: batchQps(hnswBatch[v].ms),
    batchP50: median(hnswBatch[v].ms.slice(0, fullBatches)),
    batchP99: percentile(hnswBatch[v].ms.slice(0, fullBatches), 99),
  });
});

const f = (x, digits = 1) => x.toFixed(digits);
const lines = [];
lines.push(
  `rows ${ROWS}, dim ${DIM}, ${CLUSTERS} clusters, spread ${SPREAD}, queries ${QUERIES}, k ${K}, batch ${BATCH}, threads ${THREADS}, node ${process.version}`,
);
lines.push('');
lines.push('| build | time | RSS delta |');
lines.push('|---|---|---|');
lines.push(`| exact (copy into index) | ${f(exactBuildS, 2)} s | ${f(exactRssMiB, 0)} MiB |`);
lines.push(`| hnsw (M=16, efAdd=128, ${THREADS} threads) | ${f(hnswBuildS)} s | ${f(hnswRssMiB, 0)} MiB |`);
lines.push('');
lines.push(
  `hnsw file ${f(fileMiB, 0)} MiB, save ${f(saveS)} s, load ${f(loadS)} s, view (mmap) ${f(viewS, 2)} s; reachable nodes ${reachable} / ${ROWS}`,
);
lines.push('');
lines.push(
  `| index | recall@${K} | single q/s | single p50 ms | single p99 ms | batch-${BATCH} q/s | batch p50 ms | batch p99 ms | single q/s vs exact | batch q/s vs exact |`,
);
lines.push('|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  lines.push(
    `| ${row.index} | ${row.recall.toFixed(4)}${row.recallBatch !== undefined && row.recallBatch !== row.recall ? ` (batch ${row.recallBatch.toFixed(4)})` : ''} | ${f(row.singleQps)} | ${f(row.singleP50, 3)} | ${f(row.singleP99, 3)} | ${f(row.batchQps)} | ${f(row.batchP50, 1)} | ${f(row.batchP99, 1)} | ${f(row.singleQps / exactRow.singleQps, 0)}x | ${f(row.batchQps / exactRow.batchQps, 0)}x |`,
  );
}
lines.push('');
lines.push(
  `view (mmap) ef=${EFS[0]}: single p50 ${f(median(viewSingleMs), 3)} ms, p99 ${f(percentile(viewSingleMs, 99), 3)} ms`,
);
console.log(lines.join('\n'));
rmSync(path, { force: true });
