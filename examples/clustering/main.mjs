import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  buildClusterTree,
  combineVectors,
  kmeans,
  loadClusterTree,
  saveClusterTree,
} from '@mmrecall/clustering';

// Files go to the system's temporary folder (use your own path).
const file = path.join(os.tmpdir(), `cluster-tree-${process.pid}.json`);

// 2,000 items with a 4-d "image" and a 3-d "audio" vector (random here; use your real vectors).
let s = 1;
const random = () => {
  s = (s * 16807) % 2147483647;
  return (s / 2147483647) * 2 - 1;
};
const image = { name: 'image', dim: 4, data: Float32Array.from({ length: 2000 * 4 }, random) };
const audio = { name: 'audio', dim: 3, data: Float32Array.from({ length: 2000 * 3 }, random), weight: 0.5 };

// Cluster image and audio jointly: each part L2-normalised, audio weighted 0.5.
const { data, dim } = combineVectors({ tables: [image, audio], normalizeEach: true });

// Flat k-means.
const flat = kmeans({ data, dim, k: 8, metric: 'cosine', seed: 1 });
console.log('flat sizes', Array.from(flat.sizes), 'inertia', flat.inertia.toFixed(1));

// A 2-level tree with 8 x 8 = 64 leaves; no leaf gets more than 60 items.
const tree = buildClusterTree({
  data,
  dim,
  branching: [8, 8],
  metric: 'cosine',
  seed: 1,
  balanced: { maxClusterSize: 60 },
});
console.log('nodes per level', tree.nodesPerLevel, 'item 0 path', Array.from(tree.paths.subarray(0, 2)));

// A new (cold) item descends the tree.
const fresh = combineVectors({
  tables: [
    { ...image, data: image.data.subarray(0, 4) },
    { ...audio, data: audio.data.subarray(0, 3) },
  ],
  normalizeEach: true,
});
console.log('new item path', Array.from(tree.assign(fresh.data)));

await saveClusterTree({ tree, path: file });
const loaded = await loadClusterTree({ path: file });
console.log('same after reload', loaded.assign(fresh.data).join('/') === tree.assign(fresh.data).join('/'));
await rm(file, { force: true });
