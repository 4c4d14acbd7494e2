// Benchmark: HNSW recall@k (i2i, trigger excluded) against brute force on the load test's generated
// matrix, for several expansionSearch values over ONE graph built with the given settings; plus the
// cost of a prebuilt index file: build, save, sha256, load and memory-mapped view.
//
//   pnpm --filter @mmrecall/serving --filter @mmrecall/synthetic build
//   node apps/recall-server/bench/hnsw-defaults.mjs --items 1000000 --ef 64,96,128,256 --keep /tmp/items.usearch
//   options: --items 1000000 --dim 64 --k 20 --triggers 50 --connectivity 16 --expansion-add 128 --threads 2
//
// Triggers and brute force are those of `src/load.ts` (`measureRecall`): row (s * 104729 + 17) % items.
import { createHash } from 'node:crypto';
import { createReadStream, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { createHnswIndex, loadHnswIndex } from '@mmrecall/serving';
import { generateEmbeddingMatrix } from '@mmrecall/synthetic';

const args = {};
for (let i = 2; i < process.argv.length; i += 2)
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const items = Number(args.items ?? 1_000_000);
const dim = Number(args.dim ?? 64);
const k = Number(args.k ?? 20);
const triggers = Number(args.triggers ?? 50);
const connectivity = Number(args.connectivity ?? 16);
const expansionAdd = Number(args['expansion-add'] ?? 128);
const threads = Number(args.threads ?? 2);
const efs = String(args.ef ?? '64,96,128,256')
  .split(',')
  .map(Number);
const file = args.keep ?? join(tmpdir(), `mmrecall-hnsw-defaults-${process.pid}.usearch`);

const log = (...parts) =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] load ${loadavg()[0].toFixed(1)}`, ...parts);
const seconds = (since) => Number(((performance.now() - since) / 1000).toFixed(2));

const matrix = generateEmbeddingMatrix({ rows: items, dim, seed: 1, clusters: 256 });
const rows = Array.from({ length: triggers }, (_, s) => (s * 104_729 + 17) % items);
let began = performance.now();
const truth = rows.map((trigger) => {
  const query = matrix.subarray(trigger * dim, (trigger + 1) * dim);
  const best = [];
  for (let row = 0; row < items; row++) {
    if (row === trigger) continue;
    let score = 0;
    const offset = row * dim;
    for (let j = 0; j < dim; j++) score += query[j] * matrix[offset + j];
    if (best.length < k || score > best[best.length - 1].score) {
      best.push({ row, score });
      best.sort((a, b) => b.score - a.score);
      if (best.length > k) best.pop();
    }
  }
  return new Set(best.map((entry) => entry.row));
});
log(`brute force for ${triggers} triggers: ${seconds(began)} s`);

const result = {
  items,
  dim,
  k,
  triggers,
  connectivity,
  expansionAdd,
  threads,
  loadAverageAtStart: loadavg(),
};
began = performance.now();
const index = createHnswIndex({ dim, metric: 'ip', connectivity, expansionAdd, threads });
const step = 50_000;
for (let start = 0; start < items; start += step) {
  const end = Math.min(items, start + step);
  index.upsert({
    keys: Int32Array.from({ length: end - start }, (_, i) => start + i),
    vectors: matrix.subarray(start * dim, end * dim),
  });
  if ((end / step) % 4 === 0 || end === items) log(`built ${end} / ${items} (${seconds(began)} s)`);
}
result.buildSeconds = seconds(began);
began = performance.now();
await index.save({ path: file });
result.saveSeconds = seconds(began);
result.fileBytes = statSync(file).size;
index.dispose();
began = performance.now();
const hash = createHash('sha256');
for await (const chunk of createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk);
hash.digest('hex');
result.sha256Seconds = seconds(began);
began = performance.now();
(await loadHnswIndex({ path: file })).dispose();
result.loadSeconds = seconds(began);
result.recall = {};
for (const ef of efs) {
  began = performance.now();
  const view = await loadHnswIndex({ path: file, view: true, expansionSearch: ef });
  const viewSeconds = seconds(began);
  let found = 0;
  began = performance.now();
  rows.forEach((trigger, s) => {
    const { keys } = view.search({
      query: matrix.subarray(trigger * dim, (trigger + 1) * dim),
      k,
      exclude: [trigger],
    });
    for (const key of keys) if (truth[s].has(key)) found++;
  });
  const msPerQuery = (performance.now() - began) / triggers;
  result.recall[ef] = {
    recallAtK: found / (triggers * k),
    msPerQuery: Number(msPerQuery.toFixed(3)),
    viewSeconds,
  };
  log(`ef ${ef}: recall@${k} ${found / (triggers * k)}`);
  view.dispose();
}
result.loadAverageAtEnd = loadavg();
if (args.keep === undefined) rmSync(file, { force: true });
console.log(JSON.stringify(result));
