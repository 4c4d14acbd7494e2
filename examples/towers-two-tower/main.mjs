// A tiny two-tower model trained with sparse embedding tables: 48 users in 4 groups, each group
// liking 3 of 12 items; after 80 steps the top-1 item is a liked one for (nearly) every user.
import { selectBackend } from '@mmrecall/runtime';
import { createIdTower, createUserTower } from '@mmrecall/towers';
import { createSparseOptimizer, trainStep } from '@mmrecall/towers/training';
import * as tf from '@tensorflow/tfjs-core';

// The application picks the backend; selectBackend also registers the gradient functions
// (tfjs-core alone registers none).
await selectBackend({ backend: 'cpu' });

const numUsers = 48;
const numItems = 12;
const liked = (user) => [0, 1, 2].map((k) => 3 * (user % 4) + k); // planted: 4 user groups, 3 items each

const items = createIdTower({
  name: 'item',
  numItems,
  idDim: 8,
  hiddenUnits: [16],
  outputDim: 8,
  seed: 1,
});
const users = createUserTower({
  name: 'user',
  numUsers,
  userIdDim: 8,
  history: { numItems, dim: 8, table: items.itemTable }, // shares the ID tower's item table
  hiddenUnits: [16],
  outputDim: 8,
  seed: 2,
});

const userIds = Int32Array.from({ length: numUsers }, (_, u) => u);
const history = {
  offsets: Int32Array.from({ length: numUsers + 1 }, (_, u) => u),
  values: Int32Array.from(userIds, (u) => liked(u)[0]),
};
const allItems = Int32Array.from({ length: numItems }, (_, i) => i);
const optimizer = tf.train.adam(0.01);
// one lazy Adam per table; the user tower lists the shared item table too, so dedupe first
const sparseOptimizers = [...new Set([...users.tables, ...items.tables])].map((table) =>
  createSparseOptimizer({ table, kind: 'adam', learningRate: 0.05 }),
);

for (let step = 0; step <= 80; step++) {
  const labels = tf.tensor1d(
    Int32Array.from(userIds, (u) => liked(u)[step % 3]),
    'int32',
  );
  const loss = trainStep({
    loss: () => {
      const u = users.apply({ users: userIds, history }, { training: true }); // [48, 8], L2-normalised
      const v = items.apply({ items: allItems }, { training: true }); // [12, 8]
      const logits = tf.div(tf.matMul(u, v, false, true), 0.1);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, numItems), tf.logSoftmax(logits)), 1)));
    },
    variables: [...users.variables, ...items.variables],
    sparseOptimizers,
    optimizer,
  });
  labels.dispose();
  if (step % 20 === 0)
    console.log(`step ${step}: loss ${loss.toFixed(3)}, live tensors ${tf.memory().numTensors}`);
}

const top = tf.tidy(() =>
  tf.argMax(
    tf.matMul(users.apply({ users: userIds, history }), items.apply({ items: allItems }), false, true),
    1,
  ),
);
const hits = Array.from(top.dataSync()).filter((item, u) => liked(u).includes(item)).length;
console.log(`top-1 item is a liked one for ${hits}/${numUsers} users (chance: 12/48)`);
top.dispose();
optimizer.dispose();
for (const sparse of sparseOptimizers) sparse.dispose();
users.dispose();
items.dispose();
