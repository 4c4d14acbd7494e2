// Live statistics over a gated model's artifacts (the folder comes from MMRECALL_EXAMPLE_ARTIFACTS).
import '@tensorflow/tfjs-backend-cpu'; // the application picks the backend, never the library
import { createLiveStatistics, loadServingModel } from '@mmrecall/recall-service';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
const model = await loadServingModel({
  dir: process.env.MMRECALL_EXAMPLE_ARTIFACTS ?? 'runs/latest/artifacts',
});
if (model.live) {
  const statistics = createLiveStatistics({ model: model.live, batchSize: 256 });
  statistics.record([{ row: 12, type: 'click', at: Date.now() / 1000 }]);
  const update = await statistics.nextUpdate(); // { rows, embeddings, gates, eventTimes } or undefined
  console.log(update?.rows, update?.gates);
}
model.dispose();
