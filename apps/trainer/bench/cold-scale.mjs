// Read-only diagnosis of cold items in the mixed ranking (issue 14, part 3): loads a trained u2i
// artifacts folder (items.f32, users.f32, item-meta.json) and the TikTok split files, and measures
// embedding norms of cold vs warm items, each test user's top-20 threshold against the best cold
// item's score, the gate values, and score/norm against training popularity.
// Usage: node apps/trainer/bench/cold-scale.mjs <artifacts dir> [../shared/data/tiktok]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [artifactsDir, dataDir = '../shared/data/tiktok'] = process.argv.slice(2);
if (!artifactsDir) {
  console.error('usage: node apps/trainer/bench/cold-scale.mjs <artifacts dir> [tiktok dir]');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(artifactsDir, 'manifest.json'), 'utf8'));
const meta = JSON.parse(readFileSync(join(artifactsDir, 'item-meta.json'), 'utf8'));
const idMaps = JSON.parse(readFileSync(join(artifactsDir, 'id-maps.json'), 'utf8'));
const f32 = (name) => {
  const buffer = readFileSync(join(artifactsDir, name));
  return new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
};
const items = f32('items.f32');
const users = f32('users.f32');
const numItems = idMaps.items.length;
const numUsers = idMaps.users.length;
const dim = items.length / numItems;
const userDim = users.length / numUsers;
if (dim !== userDim) throw new Error(`item dim ${dim} != user dim ${userDim}`);
const itemIndex = new Map(idMaps.items.map((id, i) => [String(id), i]));
const userIndex = new Map(idMaps.users.map((id, u) => [String(id), u]));
const readPairs = (file) =>
  readFileSync(join(dataDir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map((v) => v.trim()))
    .map(([u, i]) => [userIndex.get(u), itemIndex.get(i)])
    .filter(([u, i]) => u !== undefined && i !== undefined);
const train = readPairs('train.csv');
const test = readPairs('test.csv');
const warm = Uint8Array.from(meta.warm);
const gate = meta.gate ? Float32Array.from(meta.gate) : undefined;
const popularity = new Float64Array(numItems);
const trainOf = Array.from({ length: numUsers }, () => new Set());
for (const [u, i] of train) {
  popularity[i]++;
  trainOf[u].add(i);
}
const norm = (v, r) => {
  let s = 0;
  for (let t = 0; t < dim; t++) s += v[r * dim + t] ** 2;
  return Math.sqrt(s);
};
const stats = (values) => {
  const sorted = Float64Array.from(values).sort();
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return `mean ${mean.toFixed(3)}  p10 ${q(0.1).toFixed(3)}  median ${q(0.5).toFixed(3)}  p90 ${q(0.9).toFixed(3)}  (n ${sorted.length})`;
};
const groups = { cold: [], 'warm 1-2 clicks': [], 'warm 3-9': [], 'warm 10-29': [], 'warm 30+': [] };
const groupOf = (i) =>
  warm[i] === 0
    ? 'cold'
    : popularity[i] < 3
      ? 'warm 1-2 clicks'
      : popularity[i] < 10
        ? 'warm 3-9'
        : popularity[i] < 30
          ? 'warm 10-29'
          : 'warm 30+';
for (let i = 0; i < numItems; i++) groups[groupOf(i)].push(i);

console.log(`${artifactsDir}: kind ${manifest.kind}, dim ${dim}, ${numItems} items, ${numUsers} users`);
console.log(
  '\nItem embedding norms (served embedding: fused view; cold = content view mixed with the unknown-id row)',
);
for (const [name, list] of Object.entries(groups))
  console.log(`  ${name.padEnd(16)} ${stats(list.map((i) => norm(items, i)))}`);
if (gate) {
  console.log('\nGate g (content share)');
  for (const [name, list] of Object.entries(groups))
    console.log(`  ${name.padEnd(16)} ${stats(list.map((i) => gate[i]))}`);
}
// Per test user: score every item, mask training items, 20th best score vs best cold item score.
const testUsers = [...new Set(test.map(([u]) => u))];
const scores = new Float64Array(numItems);
const thresholds = [];
const bestCold = [];
const coldRanks = [];
const meanScore = Object.fromEntries(Object.keys(groups).map((name) => [name, 0]));
for (const u of testUsers) {
  for (let i = 0; i < numItems; i++) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += users[u * dim + t] * items[i * dim + t];
    scores[i] = trainOf[u].has(i) ? Number.NEGATIVE_INFINITY : s;
  }
  for (const [name, list] of Object.entries(groups)) {
    let total = 0;
    let n = 0;
    for (const i of list) {
      if (!Number.isFinite(scores[i])) continue;
      total += scores[i];
      n++;
    }
    meanScore[name] += total / Math.max(1, n) / testUsers.length;
  }
  const sorted = Float64Array.from(scores).sort().reverse();
  const threshold = sorted[19];
  let best = Number.NEGATIVE_INFINITY;
  for (const i of groups.cold) if (scores[i] > best) best = scores[i];
  let rank = 1;
  for (let i = 0; i < numItems; i++) if (scores[i] > best) rank++;
  thresholds.push(threshold);
  bestCold.push(best);
  coldRanks.push(rank);
}
console.log(`\nPer test user (${testUsers.length}), training items masked, all ${numItems} items ranked`);
console.log(`  top-20 threshold (20th best score)   ${stats(thresholds)}`);
console.log(`  best cold item's score               ${stats(bestCold)}`);
console.log(`  gap threshold - best cold            ${stats(thresholds.map((t, q) => t - bestCold[q]))}`);
console.log(`  rank of the best cold item           ${stats(coldRanks)}`);
console.log(`  users whose best cold item is in the top 20: ${coldRanks.filter((r) => r <= 20).length}`);
console.log('\nMean score over test users, by item group');
for (const [name, value] of Object.entries(meanScore))
  console.log(`  ${name.padEnd(16)} ${value.toFixed(3)}`);
