// Recall in process, without HTTP, over an artifacts folder written by `mmrecall-train train`
// (or `pnpm demo`, which leaves one in runs/demo/artifacts):
//   node examples/recall-service/main.mjs runs/demo/artifacts
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRecallService } from '@mmrecall/recall-service';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // the application picks the backend, never the library

await tf.setBackend('cpu');
const artifactsDir = process.argv[2] ?? 'runs/demo/artifacts';
const service = createRecallService({ artifactsDir, index: 'hnsw' });
await service.ready;
console.log(service.status());

const { users, items } = JSON.parse(await readFile(path.join(artifactsDir, 'id-maps.json'), 'utf8'));
const forUser = await service.u2i({ userId: users[0], k: 5 });
console.log(`u2i ${users[0]}:`, forUser.items.map((item) => item.id).join(' '));
const similar = await service.i2i({ itemId: items[0], k: 5 });
console.log(`i2i ${items[0]}:`, similar.items.map((item) => item.id).join(' '));
const newUser = await service.u2i({ features: { history: [items[0], items[1]] }, k: 5 });
console.log('u2i new user with two clicks:', newUser.items.map((item) => item.id).join(' '));

// A new item, embedded by the content tower with zero statistics: here with the vectors of the
// first item (a real caller sends the new item's own content).
const model = JSON.parse(await readFile(path.join(artifactsDir, 'model.json'), 'utf8'));
const vectors = {};
for (const [name, spec] of Object.entries(model.config.content.vectors)) {
  vectors[name] = Array.from({ length: spec.dim }, (_, j) => Math.sin(j + 1));
}
const put = await service.putItem({ id: 'new-item-1', vectors });
console.log('put:', put);
console.log('i2i new-item-1:', (await service.i2i({ itemId: 'new-item-1', k: 3 })).items);
await service.deleteItem({ id: 'new-item-1' });

await service.dispose();
