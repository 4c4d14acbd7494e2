// A content-only recall model for 6 items with a 4-d image vector: embed the items, save the
// artifacts folder a recall server loads, and read it back.
import '@tensorflow/tfjs-backend-cpu'; // the application picks the backend, never the library
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createItemFeatureStore,
  createRecallModel,
  defaultModelConfig,
  embedItems,
  readArtifacts,
  writeArtifacts,
} from '@mmrecall/model';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
const numItems = 6;
const image = { dim: 4, data: Float32Array.from({ length: numItems * 4 }, (_, i) => Math.sin(i + 1)) };
const config = defaultModelConfig({
  kind: 'content-only',
  numUsers: 3,
  numItems,
  dim: 8,
  vectors: { image: { dim: 4 } },
  historyLength: 0,
});
const model = createRecallModel({ config });
const warm = new Uint8Array(numItems).fill(1);
const store = createItemFeatureStore({ config, content: { vectors: { image } }, warm });
const { embeddings } = await embedItems({ model, store });
console.log(model.itemDim, embeddings.length); // 8 48: one unit-length row per item

const dir = await mkdtemp(path.join(os.tmpdir(), 'mmrecall-model-example-'));
await writeArtifacts({
  dir: path.join(dir, 'artifacts'),
  model,
  idMaps: { users: ['u0', 'u1', 'u2'], items: ['a', 'b', 'c', 'd', 'e', 'f'] },
  itemEmbeddings: embeddings,
  itemMeta: { warm },
});
const loaded = await readArtifacts({ dir: path.join(dir, 'artifacts') });
console.log(
  loaded.manifest.kind,
  loaded.manifest.numItems,
  loaded.itemEmbeddings.every((v, i) => v === embeddings[i]),
);
// content-only 6 true
loaded.dispose();
model.dispose();
await rm(dir, { recursive: true, force: true });
