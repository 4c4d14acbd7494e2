// Benchmark of topKInnerProduct at TikTok scale: 9,308 queries x 6,710 items x dim 64, k = 20,
// with ~6 excluded (training) items per query. Run `npx tsup && node bench/top-k.mjs`.
import { topKInnerProduct } from '../dist/index.js';

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const numQueries = 9308;
const numItems = 6710;
const dim = Number(process.env.DIM ?? 64);
const k = 20;
const random = lcg(42);
const queries = Float32Array.from({ length: numQueries * dim }, () => random() - 0.5);
const items = Float32Array.from({ length: numItems * dim }, () => random() - 0.5);
const offsets = new Int32Array(numQueries + 1);
const values = [];
for (let q = 0; q < numQueries; q++) {
  for (let c = 0; c < 6; c++) values.push(Math.floor(random() * numItems));
  offsets[q + 1] = values.length;
}
const exclude = { offsets, values: Int32Array.from(values) };

for (let run = 0; run < 3; run++) {
  const start = performance.now();
  topKInnerProduct({ queries, numQueries, items, numItems, dim, k, exclude });
  const seconds = (performance.now() - start) / 1000;
  const gflops = (2 * numQueries * numItems * dim) / seconds / 1e9;
  console.log(
    `run ${run}: ${seconds.toFixed(2)} s (${gflops.toFixed(2)} GFLOP/s) for ${numQueries}x${numItems}x${dim}, k=${k}`,
  );
}
