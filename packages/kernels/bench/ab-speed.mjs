// Builds compared: `old` = the packages before @mmrecall/kernels, `new` = with it. Produce each with
//   (cd packages/<metrics|serving|clustering> && pnpm exec tsup src/index.ts --no-config --format esm -d .bench/<old|new>)
//   (cd packages/clustering && pnpm exec tsup src/distance.ts src/capacity-assign.ts --no-config --format esm -d .bench/<old|new>/parts)
// on the two commits (the old one checked out in place), `pnpm build` for the rest, then run `node packages/kernels/bench/<this file>`.
// Side-by-side speed of the old and new builds, interleaved A B A B ...; medians of process CPU time
// (user + system), which a loaded machine disturbs less than wall time. ROUNDS=7 for 7 pairs.

import * as newD from '../../clustering/.bench/new/parts/distance.js';
import * as oldD from '../../clustering/.bench/old/parts/distance.js';
import * as newM from '../../metrics/.bench/new/index.js';
import * as oldM from '../../metrics/.bench/old/index.js';
import * as newS from '../../serving/.bench/new/index.js';
import * as oldS from '../../serving/.bench/old/index.js';

let seed = 42;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
};
const mat = (n) => Float32Array.from({ length: n }, () => rand() - 0.5);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function ab(name, runOld, runNew) {
  runOld();
  runNew(); // warm-up
  const a = [],
    b = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [run, out] of r % 2 === 0
      ? [
          [runOld, a],
          [runNew, b],
        ]
      : [
          [runNew, b],
          [runOld, a],
        ]) {
      const t = process.cpuUsage();
      run();
      const u = process.cpuUsage(t);
      out.push((u.user + u.system) / 1000);
    }
  }
  const mo = median(a),
    mn = median(b);
  console.log(
    `${name.padEnd(52)} old ${mo.toFixed(1).padStart(8)} ms  new ${mn.toFixed(1).padStart(8)} ms  new/old ${(mn / mo).toFixed(3)}`,
  );
}

{
  // metrics: full ranking at TikTok item count
  const dim = 64,
    nq = 2000,
    ni = 6710,
    k = 20;
  const queries = mat(nq * dim),
    items = mat(ni * dim);
  const offsets = new Int32Array(nq + 1);
  const values = [];
  for (let q = 0; q < nq; q++) {
    for (let c = 0; c < 6; c++) values.push(Math.floor(rand() * ni));
    offsets[q + 1] = values.length;
  }
  const exclude = { offsets, values: Int32Array.from(values) };
  const o = { queries, numQueries: nq, items, numItems: ni, dim, k, exclude };
  ab(
    `metrics topKInnerProduct ${nq}x${ni}x${dim} k=${k}`,
    () => oldM.topKInnerProduct(o),
    () => newM.topKInnerProduct(o),
  );
  // The same build on both sides: how far two identical runs drift on this machine.
  ab(
    'A/A: metrics topKInnerProduct, old build on both sides',
    () => oldM.topKInnerProduct(o),
    () => oldM.topKInnerProduct(o),
  );
}
{
  // serving: exact index, single queries and a batch
  const dim = 64,
    rows = 200_000,
    k = 100;
  const keys = Int32Array.from({ length: rows }, (_, i) => i),
    vectors = mat(rows * dim);
  const A = oldS.createExactIndex({ dim, metric: 'ip', capacity: rows });
  A.upsert({ keys, vectors });
  const B = newS.createExactIndex({ dim, metric: 'ip', capacity: rows });
  B.upsert({ keys, vectors });
  const qs = mat(64 * dim);
  const singles = (index) => () => {
    for (let q = 0; q < 20; q++) index.search({ query: qs.subarray(q * dim, (q + 1) * dim), k });
  };
  ab(`serving exact search x20 ${rows}x${dim} k=${k}`, singles(A), singles(B));
  ab(
    `serving exact searchBatch 64 ${rows}x${dim} k=${k}`,
    () => A.searchBatch({ queries: qs, count: 64, k }),
    () => B.searchBatch({ queries: qs, count: 64, k }),
  );
}
for (const kc of [8, 100]) {
  // clustering: nearest centroid of every point
  const dim = 64,
    n = 100_000;
  const data = mat(n * dim),
    cents = mat(kc * dim);
  const dn = oldD.squaredNorms(data, dim),
    cn = oldD.squaredNorms(cents, dim);
  const input = {
    data,
    dataNorms: dn,
    dim,
    rows: null,
    start: 0,
    end: n,
    centroids: cents,
    centroidNorms: cn,
    k: kc,
    labels: new Int32Array(n),
    distances: new Float32Array(n),
    outOffset: 0,
  };
  ab(
    `clustering nearestCentroids ${n}x${dim} k=${kc}`,
    () => oldD.nearestCentroids(input),
    () => newD.nearestCentroids(input),
  );
}
