// Builds compared: `old` = the packages before @mmrecall/kernels, `new` = with it. Produce each with
//   (cd packages/<metrics|serving|clustering> && pnpm exec tsup src/index.ts --no-config --format esm -d .bench/<old|new>)
//   (cd packages/clustering && pnpm exec tsup src/distance.ts src/capacity-assign.ts --no-config --format esm -d .bench/<old|new>/parts)
// on the two commits (the old one checked out in place), `pnpm build` for the rest, then run `node packages/kernels/bench/<this file>`.
// Old (main) vs new (kernels) builds: identical outputs, bit for bit.

import * as newC from '../../clustering/.bench/new/index.js';
import * as newA from '../../clustering/.bench/new/parts/capacity-assign.js';
import * as newD from '../../clustering/.bench/new/parts/distance.js';
import * as oldC from '../../clustering/.bench/old/index.js';
import * as oldA from '../../clustering/.bench/old/parts/capacity-assign.js';
import * as oldD from '../../clustering/.bench/old/parts/distance.js';
import * as newM from '../../metrics/.bench/new/index.js';
import * as oldM from '../../metrics/.bench/old/index.js';
import * as newS from '../../serving/.bench/new/index.js';
import * as oldS from '../../serving/.bench/old/index.js';

let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
};
// Coarse values produce many exact ties.
const mat = (n, coarse) =>
  Float32Array.from({ length: n }, () => (coarse ? Math.round(rand() * 4 - 2) / 2 : rand() - 0.5));
const same = (a, b, what) => {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) throw new Error(`${what}: differs at ${i}: ${a[i]} vs ${b[i]}`);
};
let checks = 0;
for (let trial = 0; trial < 40; trial++) {
  const coarse = trial % 2 === 0;
  const dim = 1 + Math.floor(rand() * 40);
  const nq = Math.floor(rand() * 150);
  const ni = Math.floor(rand() * 1300);
  const k = 1 + Math.floor(rand() * 30);
  const queries = mat(nq * dim, coarse),
    items = mat(ni * dim, coarse);
  const offsets = new Int32Array(nq + 1);
  const values = [];
  for (let q = 0; q < nq; q++) {
    for (let c = 0; c < 3 && ni > 0; c++) values.push(Math.floor(rand() * ni));
    offsets[q + 1] = values.length;
  }
  const exclude = { offsets, values: Int32Array.from(values) };
  const candidateMask = Uint8Array.from({ length: ni }, () => (rand() < 0.8 ? 1 : 0));
  for (const opts of [{}, { exclude }, { exclude, candidateMask }]) {
    const a = oldM.topKInnerProduct({ queries, numQueries: nq, items, numItems: ni, dim, k, ...opts });
    const b = newM.topKInnerProduct({ queries, numQueries: nq, items, numItems: ni, dim, k, ...opts });
    same(a.indices, b.indices, 'metrics indices');
    same(a.scores, b.scores, 'metrics scores');
    checks++;
  }
  const score = (_start, _end, out) => {
    for (let i = 0; i < out.length; i++) out[i] = coarse ? Math.round(rand() * 8) : rand();
  };
  seed = 99 + trial;
  const sa = oldM.topKScores({ numQueries: nq, numItems: ni, k, score, exclude });
  seed = 99 + trial;
  const sb = newM.topKScores({ numQueries: nq, numItems: ni, k, score, exclude });
  same(sa.indices, sb.indices, 'topKScores');
  same(sa.scores, sb.scores, 'topKScores scores');
  checks++;
  for (const metric of ['ip', 'cosine']) {
    if (ni === 0) continue;
    const keys = Int32Array.from({ length: ni }, (_, i) => (i * 7919) % 100003);
    const vecs = items.map((v, i) => (i % dim === 0 ? Math.abs(v) + 0.25 : v));
    const A = oldS.createExactIndex({ dim, metric });
    const B = newS.createExactIndex({ dim, metric });
    A.upsert({ keys, vectors: vecs });
    B.upsert({ keys, vectors: vecs });
    A.remove({ keys: keys.subarray(0, 5) });
    B.remove({ keys: keys.subarray(0, 5) });
    const qs = queries.length
      ? queries.map((v, i) => (i % dim === 0 ? Math.abs(v) + 0.5 : v))
      : new Float32Array(0);
    const ex = Array.from({ length: nq }, (_, q) => (q % 3 === 0 ? new Set([keys[q % ni]]) : undefined));
    const ra = A.searchBatch({ queries: qs, count: nq, k, exclude: ex });
    const rb = B.searchBatch({ queries: qs, count: nq, k, exclude: ex });
    same(ra.keys, rb.keys, 'serving batch keys');
    same(ra.scores, rb.scores, 'serving batch scores');
    checks++;
    for (let q = 0; q < Math.min(nq, 5); q++) {
      const query = qs.subarray(q * dim, (q + 1) * dim);
      const x = A.search({ query, k, exclude: [keys[1]] });
      const y = B.search({ query, k, exclude: [keys[1]] });
      same(x.keys, y.keys, 'serving keys');
      same(x.scores, y.scores, 'serving scores');
      checks++;
    }
  }
  // clustering kernels
  const kc = 1 + Math.floor(rand() * 20);
  if (ni >= 2) {
    const cents = mat(kc * dim, coarse);
    const dn = oldD.squaredNorms(items, dim),
      cn = oldD.squaredNorms(cents, dim);
    const rows = Int32Array.from({ length: Math.floor(ni / 2) }, () => Math.floor(rand() * ni));
    for (const [r, s, e] of [
      [null, 1, ni],
      [rows, 0, rows.length],
    ]) {
      const mk = () => ({
        data: items,
        dataNorms: dn,
        dim,
        rows: r,
        start: s,
        end: e,
        centroids: cents,
        centroidNorms: cn,
        k: kc,
        labels: new Int32Array(e - s + 3),
        distances: new Float32Array(e - s + 3),
        outOffset: 3,
      });
      const i1 = mk(),
        i2 = mk();
      oldD.nearestCentroids(i1);
      newD.nearestCentroids(i2);
      same(i1.labels, i2.labels, 'labels');
      same(i1.distances, i2.distances, 'distances');
      checks++;
      const cap = Math.ceil((e - s) / kc) + (trial % 3);
      const j1 = { ...mk(), capacity: cap, sizes: new Int32Array(kc) },
        j2 = { ...mk(), capacity: cap, sizes: new Int32Array(kc) };
      const d1 = oldA.assignWithCapacity(j1),
        d2 = newA.assignWithCapacity(j2);
      if (d1 !== d2) throw new Error('displaced');
      same(j1.labels, j2.labels, 'cap labels');
      same(j1.distances, j2.distances, 'cap distances');
      checks++;
    }
  }
}
// whole algorithms
const data = mat(3000 * 16, false);
for (const variant of ['lloyd', 'minibatch']) {
  for (const metric of ['l2', 'cosine']) {
    let a, b;
    try {
      a = oldC.kmeans({ data, dim: 16, k: 17, seed: 3, metric, variant, source: 'ab' });
    } catch (e) {
      a = String(e.message);
    }
    try {
      b = newC.kmeans({ data, dim: 16, k: 17, seed: 3, metric, variant, source: 'ab' });
    } catch (e) {
      b = String(e.message);
    }
    if (typeof a === 'string' || typeof b === 'string') {
      if (a !== b) throw new Error(`kmeans ${a} | ${b}`);
      console.log('kmeans', variant, metric, 'both threw:', a);
      continue;
    }
    same(a.assignments, b.assignments, 'kmeans labels');
    if (a.inertia !== b.inertia) throw new Error('inertia');
    same(a.centroids, b.centroids, 'kmeans centroids');
    checks++;
  }
}
const t1 = oldC.buildClusterTree({
  data,
  dim: 16,
  branching: [6, 5],
  seed: 4,
  balanced: { factor: 1.2 },
  source: 'ab',
});
const t2 = newC.buildClusterTree({
  data,
  dim: 16,
  branching: [6, 5],
  seed: 4,
  balanced: { factor: 1.2 },
  source: 'ab',
});
same(t1.paths, t2.paths, 'tree paths');
same(
  new TextEncoder().encode(JSON.stringify(t1.toJSON())),
  new TextEncoder().encode(JSON.stringify(t2.toJSON())),
  'tree json',
);
checks++;
console.log(`identical: ${checks} comparisons`);
