// An app picks the backend; `selectBackend` of @mmrecall/runtime also registers the gradient
// functions (tfjs-core alone registers none).

import {
  additiveFusion,
  concatFusion,
  createPosteriorGate,
  fitPosteriorScale,
  posteriorFeatures,
} from '@mmrecall/gating';
import { selectBackend } from '@mmrecall/runtime';
import * as tf from '@tensorflow/tfjs-core';

await selectBackend({ backend: 'cpu' });
const statistics = {
  exposures: Float32Array.of(1000, 10, 0), // item 2 is cold
  clicks: Float32Array.of(100, 2, 0),
  ctr: Float32Array.of(0.1, 0.15, 0.1),
  age: Float32Array.of(30, 3, 0),
};
const scale = fitPosteriorScale({ statistics }); // store with the model, reuse at serving
const features = posteriorFeatures({ ...statistics, indices: Int32Array.of(0, 1, 2), scale });
console.log(Array.from(features.subarray(8))); // cold item: [0, 0, 0, 0]

const gate = createPosteriorGate({ seed: 1 });
const g = gate.apply(tf.tensor2d(features, [3, 4])); // [3, 1] in (0, 1)
const idEmbedding = tf.randomNormal<tf.Rank.R2>([3, 8]);
const metaEmbedding = tf.randomNormal<tf.Rank.R2>([3, 8]);
const additive = additiveFusion({ idEmbedding, metaEmbedding, gate: g }); // [3, 8]
const concatenated = concatFusion({ idEmbedding, metaEmbedding, gate: g }); // [3, 16]
console.log(g.shape, additive.shape, concatenated.shape);
console.log(Object.keys(gate.toNamedWeights())); // posterior_gate/dense_0/kernel, ...
gate.dispose();
