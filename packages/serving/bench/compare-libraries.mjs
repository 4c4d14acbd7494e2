// Side-by-side HNSW libraries on the same clustered unit vectors: usearch (this package's
// createHnswIndex) and hnswlib-node, which is NOT a dependency (it compiles with node-gyp for about
// ten minutes here); install it anywhere and point HNSWLIB_NODE_PATH at its folder:
//
//   (cd /tmp/hnswcmp && npm i hnswlib-node@3 && cd node_modules/hnswlib-node && npx node-gyp rebuild)
//   cd packages/serving && npx tsup && HNSWLIB_NODE_PATH=/tmp/hnswcmp/node_modules/hnswlib-node \
//     node bench/compare-libraries.mjs --rows 100000
//
// Same graph settings for both (M = connectivity 16, efConstruction = expansionAdd 128), both built
// single-threaded (hnswlib-node's addPoint is one call per point) plus usearch with 2 threads; recall@k
// against the exact index; single-query latency interleaved query by query.
import { createRequire } from 'node:module';
import { createExactIndex, createHnswIndex } from '../dist/index.js';
import { createClusteredVectors } from './clustered-vectors.mjs';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i].startsWith('--')) args[process.argv[i].slice(2)] = process.argv[i + 1];
}
const ROWS = Number(args.rows ?? 100_000);
const DIM = Number(args.dim ?? 64);
const QUERIES = Number(args.queries ?? 300);
const K = Number(args.k ?? 100);
const EFS = String(args.ef ?? '64,128,256')
  .split(',')
  .map(Number);
const libraryPath = process.env.HNSWLIB_NODE_PATH;
if (!libraryPath) {
  console.error('set HNSWLIB_NODE_PATH to an installed hnswlib-node folder (see the header of this file)');
  process.exit(2);
}
const { HierarchicalNSW } = createRequire(import.meta.url)(libraryPath);

const points = createClusteredVectors({ clusters: 1000, dim: DIM, spread: 1, seed: 42 });
const vectors = points(ROWS, 43);
const queries = points(QUERIES, 44);
const keys = Int32Array.from({ length: ROWS }, (_, i) => i);
const now = () => performance.now();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const exact = createExactIndex({ dim: DIM, metric: 'ip', capacity: ROWS });
exact.upsert({ keys, vectors });
const truth = [];
for (let q = 0; q < QUERIES; q++)
  truth.push(new Set(exact.search({ query: queries.subarray(q * DIM, (q + 1) * DIM), k: K }).keys));

const builds = {};
let start = now();
const usearch1 = createHnswIndex({ dim: DIM, metric: 'ip', connectivity: 16, expansionAdd: 128, threads: 1 });
usearch1.upsert({ keys, vectors });
builds['usearch, 1 thread'] = (now() - start) / 1000;
start = now();
const usearch2 = createHnswIndex({ dim: DIM, metric: 'ip', connectivity: 16, expansionAdd: 128, threads: 2 });
usearch2.upsert({ keys, vectors });
builds['usearch, 2 threads'] = (now() - start) / 1000;
start = now();
const hnswlib = new HierarchicalNSW('ip', DIM);
hnswlib.initIndex(ROWS, 16, 128, 100);
for (let i = 0; i < ROWS; i++) hnswlib.addPoint(Array.from(vectors.subarray(i * DIM, (i + 1) * DIM)), i);
builds['hnswlib-node, 1 thread'] = (now() - start) / 1000;

console.log(`${ROWS} x ${DIM}, k = ${K}, ${QUERIES} queries`);
console.log('\n| build | seconds |\n|---|---:|');
for (const [name, seconds] of Object.entries(builds)) console.log(`| ${name} | ${seconds.toFixed(1)} |`);

console.log('\n| ef | library | recall@k | single q/s (median latency) |\n|---:|---|---:|---:|');
for (const ef of EFS) {
  const searchers = {
    usearch: (query) => usearch1.search({ query, k: K }).keys,
    'hnswlib-node': (query) => hnswlib.searchKnn(Array.from(query), K).neighbors,
  };
  hnswlib.setEf(ef);
  // usearch's expansion is fixed at creation: a fresh index per ef would rebuild it, so the usearch
  // rows use an index created with this ef when it differs from the default build.
  let usearchIndex = usearch1;
  if (ef !== 64) {
    usearchIndex = createHnswIndex({
      dim: DIM,
      metric: 'ip',
      connectivity: 16,
      expansionAdd: 128,
      expansionSearch: ef,
      threads: 2,
    });
    usearchIndex.upsert({ keys, vectors });
  }
  searchers.usearch = (query) => usearchIndex.search({ query, k: K }).keys;
  const times = { usearch: [], 'hnswlib-node': [] };
  const hits = { usearch: 0, 'hnswlib-node': 0 };
  for (let q = 0; q < QUERIES; q++) {
    const query = queries.subarray(q * DIM, (q + 1) * DIM);
    for (const [name, search] of Object.entries(searchers)) {
      const t0 = now();
      const found = search(query);
      times[name].push(now() - t0);
      for (const key of found) if (truth[q].has(Number(key))) hits[name]++;
    }
  }
  for (const name of Object.keys(searchers)) {
    const latency = median(times[name]);
    console.log(
      `| ${ef} | ${name} | ${(hits[name] / (QUERIES * K)).toFixed(4)} | ${(1000 / latency).toFixed(0)} (${latency.toFixed(3)} ms) |`,
    );
  }
}
