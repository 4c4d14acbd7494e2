// Benchmark: 2-level cluster tree (40 x 25 = 1,000 leaves) over 1,000,000 x 128 float32 vectors,
// against a flat single-level k-means with the same 1,000 clusters and the same budget.
//   cd packages/clustering && npx tsup && node bench/tree-1m.mjs
// Environment: ROWS (default 1000000), FLAT_ITERATIONS (timed flat iterations, default 1),
// BALANCED_MAX (also build a balanced tree with this leaf cap), SKIP_FLAT=1 (skip the flat k-means).
import { performance } from 'node:perf_hooks';
import { createRandom } from '@mmrecall/random';
import { buildClusterTree, kmeans } from '../dist/index.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const DIM = 128;
const BRANCHING = [40, 25];
const LEAVES = BRANCHING[0] * BRANCHING[1];
const MAX_ITERATIONS = 25; // per node for the tree; the same budget for the flat k-means
const PER_CENTROID_SAMPLE = 256; // default of buildClusterTree: 256 x branching members per node
const FLAT_ITERATIONS = Number(process.env.FLAT_ITERATIONS ?? 1);
const SEED = 7;

const mb = (kb) => (kb / 1024).toFixed(0);
const seconds = (ms) => (ms / 1000).toFixed(1);

/** Clustered data: 64 groups x 64 sub-groups (4,096 planted centres), Gaussian noise. */
function generate(rows, dim, seed) {
  const random = createRandom(seed);
  let spare = Number.NaN;
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = Number.NaN;
      return v;
    }
    const u = 1 - random();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * random();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
  const groups = 64;
  const subs = 64;
  const centres = new Float32Array(groups * subs * dim);
  for (let g = 0; g < groups; g++) {
    const top = Array.from({ length: dim }, () => 4 * normal());
    for (let s = 0; s < subs; s++) {
      for (let d = 0; d < dim; d++) centres[(g * subs + s) * dim + d] = top[d] + 1.5 * normal();
    }
  }
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(random() * groups * subs) * dim;
    const o = i * dim;
    for (let d = 0; d < dim; d++) data[o + d] = centres[c + d] + 0.7 * normal();
  }
  return data;
}

let t = performance.now();
const data = generate(ROWS, DIM, SEED);
console.log(
  `generated ${ROWS} x ${DIM} in ${seconds(performance.now() - t)} s; maxRSS ${mb(process.resourceUsage().maxRSS)} MB`,
);
const rssAfterData = process.resourceUsage().maxRSS;

// --- tree -------------------------------------------------------------------------------------
t = performance.now();
let levelStart = t;
const levelTimes = [];
const tree = buildClusterTree({
  data,
  dim: DIM,
  branching: BRANCHING,
  seed: SEED,
  maxIterations: MAX_ITERATIONS,
  onProgress: (p) => {
    if (p.nodesDone === p.nodesTotal) {
      const now = performance.now();
      levelTimes.push(now - levelStart);
      levelStart = now;
    }
  },
});
const treeMs = performance.now() - t;
const rssAfterTree = process.resourceUsage().maxRSS;
const leafSizes = new Int32Array(LEAVES);
for (let i = 0; i < ROWS; i++) leafSizes[tree.paths[i * 2 + 1]] += 1;
const sortedSizes = Array.from(leafSizes).sort((a, b) => a - b);
console.log(
  `tree ${BRANCHING.join(' x ')}: ${seconds(treeMs)} s (levels ${levelTimes.map(seconds).join(' s, ')} s); ` +
    `maxRSS ${mb(rssAfterTree)} MB (${mb(rssAfterData)} MB after data); ` +
    `leaf sizes min ${sortedSizes[0]} median ${sortedSizes[LEAVES >> 1]} max ${sortedSizes[LEAVES - 1]}, empty ${sortedSizes.filter((s) => s === 0).length}`,
);
let single = tree.assign(data.subarray(0, DIM)); // warm-up
t = performance.now();
for (let i = 0; i < 1000; i++) single = tree.assign(data.subarray(i * DIM, (i + 1) * DIM));
const assignUs = performance.now() - t; // ms for 1,000 calls = us per call
t = performance.now();
tree.assignMany({ data: data.subarray(0, 100_000 * DIM) });
const assignManyMs = performance.now() - t;
console.log(
  `tree.assign one vector: ${assignUs.toFixed(0)} us mean of 1,000 (last path ${Array.from(single).join('/')}); assignMany 100k: ${assignManyMs.toFixed(0)} ms`,
);

// --- optional balanced tree ---------------------------------------------------------------------
if (process.env.BALANCED_MAX) {
  const maxClusterSize = Number(process.env.BALANCED_MAX);
  t = performance.now();
  const balanced = buildClusterTree({
    data,
    dim: DIM,
    branching: BRANCHING,
    seed: SEED,
    maxIterations: MAX_ITERATIONS,
    balanced: { maxClusterSize },
  });
  const balancedMs = performance.now() - t;
  const sizes = new Int32Array(LEAVES);
  for (let i = 0; i < ROWS; i++) sizes[balanced.paths[i * 2 + 1]] += 1;
  const sorted = Array.from(sizes).sort((a, b) => a - b);
  console.log(
    `balanced tree (leaf cap ${maxClusterSize}): ${seconds(balancedMs)} s = ${(balancedMs / treeMs).toFixed(2)}x the plain tree; ` +
      `leaf sizes min ${sorted[0]} median ${sorted[LEAVES >> 1]} max ${sorted[LEAVES - 1]}; maxRSS ${mb(process.resourceUsage().maxRSS)} MB`,
  );
}
if (process.env.SKIP_FLAT) process.exit(0);

// --- flat k-means, same 1,000 clusters, same sample rule (256 per centroid), timed iterations ----
const sampleRows = Math.min(ROWS, PER_CENTROID_SAMPLE * LEAVES);
const random = createRandom(SEED + 1);
const sample = new Float32Array(sampleRows * DIM);
const pool = Int32Array.from({ length: ROWS }, (_, i) => i);
for (let i = 0; i < sampleRows; i++) {
  const j = i + Math.floor(random() * (ROWS - i));
  const tmp = pool[i];
  pool[i] = pool[j];
  pool[j] = tmp;
  sample.set(data.subarray(pool[i] * DIM, (pool[i] + 1) * DIM), i * DIM);
}
const marks = [];
t = performance.now();
kmeans({
  data: sample,
  dim: DIM,
  k: LEAVES,
  seed: SEED,
  maxIterations: FLAT_ITERATIONS,
  tolerance: 0,
  onProgress: () => marks.push(performance.now()),
});
const flatMeasuredMs = performance.now() - t;
const perIterationMs = (marks[marks.length - 1] - marks[0]) / (marks.length - 1); // update + assignment
const initMs = marks[0] - t - perIterationMs; // k-means++ (first assignment subtracted)
// The final assignment of all rows is the same kernel with the same k: scale the sample assignment.
const assignAllMs = perIterationMs * (ROWS / sampleRows);
const flatExtrapolatedMs = initMs + MAX_ITERATIONS * perIterationMs + assignAllMs;
console.log(
  `flat k-means k=${LEAVES} on ${sampleRows} sampled rows: measured ${FLAT_ITERATIONS} iterations in ${seconds(flatMeasuredMs)} s ` +
    `(init ${seconds(initMs)} s, ${seconds(perIterationMs)} s per iteration)`,
);
console.log(
  `flat extrapolated to ${MAX_ITERATIONS} iterations + assigning all ${ROWS} rows: ${seconds(flatExtrapolatedMs)} s ` +
    `=> flat / tree = ${(flatExtrapolatedMs / treeMs).toFixed(1)}x; one flat iteration alone / whole tree = ${(perIterationMs / treeMs).toFixed(2)}x`,
);
console.log(
  `final maxRSS ${mb(process.resourceUsage().maxRSS)} MB; node ${process.version}; ${new Date().toISOString()}`,
);
