// An app picks the backend; `selectBackend` of @mmrecall/runtime also registers the gradient
// functions (tfjs-core alone registers none).

import {
  combineLosses,
  inBatchSoftmaxLoss,
  logQFromCounts,
  readLossParts,
  tripletLoss,
} from '@mmrecall/losses';
import { selectBackend } from '@mmrecall/runtime';
import * as tf from '@tensorflow/tfjs-core';

await selectBackend({ backend: 'cpu' });
const itemIds = Int32Array.of(4, 7, 4); // batch of 3 (user, item) pairs; item 4 appears twice
const counts = Float32Array.of(0, 0, 0, 0, 30, 0, 0, 10); // training positives per item
const user = tf.variable(tf.randomNormal<tf.Rank.R2>([3, 8], 0, 1, 'float32', 1));
const idView = tf.variable(tf.randomNormal<tf.Rank.R2>([3, 8], 0, 1, 'float32', 2));
const contentView = tf.variable(tf.randomNormal<tf.Rank.R2>([3, 8], 0, 1, 'float32', 3));
const candidateLogQ = tf.tensor1d(logQFromCounts({ counts, indices: itemIds }));

const optimizer = tf.train.adam(0.05);
let parts: Record<string, number> = {};
const loss = optimizer.minimize(() => {
  const combined = combineLosses({
    terms: [
      {
        name: 'retrieval/id',
        weight: 1,
        loss: inBatchSoftmaxLoss({
          queries: user,
          candidates: idView,
          candidateLogQ,
          candidateIds: itemIds,
          temperature: 0.1,
        }),
      },
      {
        name: 'retrieval/content',
        weight: 1,
        loss: inBatchSoftmaxLoss({
          queries: user,
          candidates: contentView,
          candidateLogQ,
          candidateIds: itemIds,
          temperature: 0.1,
        }),
      },
      {
        name: 'triplet',
        weight: 0.5,
        loss: tripletLoss({ anchors: idView, positives: contentView, mining: 'semi-hard' }),
      },
    ],
  });
  parts = readLossParts({ parts: combined.parts }); // read before the parts are freed
  return combined.total;
}, true);
console.log(loss?.dataSync()[0], parts);
