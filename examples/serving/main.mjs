import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHnswIndex, loadHnswIndex } from '@mmrecall/serving';

const file = path.join(os.tmpdir(), `items-${process.pid}.usearch`);

const dim = 4;
const vectors = new Float32Array([
  1,
  0,
  0,
  0, // item 10
  0,
  1,
  0,
  0, // item 11
  0.7,
  0.7,
  0,
  0, // item 12
  0,
  0,
  1,
  0, // item 13
]);
const keys = [10, 11, 12, 13];

const index = createHnswIndex({ dim, metric: 'cosine' }); // or createExactIndex({ dim, metric: 'cosine' })
index.upsert({ keys, vectors });

const user = new Float32Array([1, 0.2, 0, 0]);
console.log(index.search({ query: user, k: 2 }));
// { keys: Int32Array [10, 12], scores: Float32Array [0.9806, 0.8321] }
console.log(index.search({ query: user, k: 2, exclude: new Set([10]) }).keys); // Int32Array [12, 11]

index.upsert({ keys: [11], vectors: new Float32Array([1, 0.1, 0, 0]) }); // replaces item 11
index.remove({ keys: [13] });

await index.save({ path: file }); // written to a temporary sibling, then renamed
const served = await loadHnswIndex({ path: file, view: true, expansionSearch: 256 });
const batch = served.searchBatch({ queries: new Float32Array([...user, 0, 1, 0, 0]), count: 2, k: 3 });
console.log(batch.keys); // Int32Array [11, 10, 12, 12, 11, 10]: count x k, padded with -1 / -Infinity when short
await rm(file, { force: true });
