import { expectNoTensorLeak, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createIdTower } from './id-tower';
import { sparseOptimizersOf, withSparseOptimizer } from './test-sparse-optimizers';
import { trainStep } from './train-step';
import { createUserTower } from './user-tower';

describe('two-tower model (user tower + id tower, dot-product softmax)', () => {
  it('learns a planted preference: top-1 item is a preferred one far above chance', async () => {
    const numUsers = 48;
    const numItems = 12;
    const groups = 4; // user u belongs to group u % 4 and likes items {3g, 3g + 1, 3g + 2}
    const liked = (user: number) => [0, 1, 2].map((k) => 3 * (user % groups) + k);
    const random = seededRandom(2024);
    const itemTower = createIdTower({
      name: 'items',
      numItems,
      idDim: 8,
      hiddenUnits: [16],
      outputDim: 8,
      seed: 1,
    });
    withSparseOptimizer(itemTower.tables, { kind: 'adam', learningRate: 0.05 });
    // history: one liked item per user, read through the ID tower's item table (shared)
    const userTower = createUserTower({
      name: 'users',
      numUsers,
      userIdDim: 8,
      history: { numItems, dim: 8, table: itemTower.itemTable },
      hiddenUnits: [16],
      outputDim: 8,
      seed: 2,
    });
    withSparseOptimizer(
      userTower.tables.filter((table) => table !== itemTower.itemTable),
      {
        kind: 'adam',
        learningRate: 0.05,
      },
    );
    const users = Int32Array.from({ length: numUsers }, (_, u) => u);
    const history = {
      offsets: Int32Array.from({ length: numUsers + 1 }, (_, u) => u),
      values: Int32Array.from(users, (u) => liked(u)[u % 3] as number),
    };
    const allItems = Int32Array.from({ length: numItems }, (_, i) => i);
    const optimizer = tf.train.adam(0.01);
    const temperature = 0.1;

    const accuracy = (): number => {
      const scores = tf.tidy(() =>
        tf.matMul(userTower.apply({ users, history }), itemTower.apply({ items: allItems }), false, true),
      );
      const best = tf.tidy(() => tf.argMax(scores, 1));
      const top = best.dataSync();
      tf.dispose([scores, best]);
      return users.reduce((hits, u) => hits + (liked(u).includes(top[u] as number) ? 1 : 0), 0) / numUsers;
    };
    const before = accuracy();

    const losses: number[] = [];
    const step = () => {
      const labels = Int32Array.from(users, (u) => liked(u)[Math.floor(random() * 3)] as number);
      return trainStep({
        loss: () => {
          const u = userTower.apply({ users, history }, { training: true });
          const v = itemTower.apply({ items: allItems }, { training: true });
          const logits = tf.div(tf.matMul(u, v, false, true), temperature);
          const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), numItems);
          return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
        },
        variables: [...userTower.variables, ...itemTower.variables],
        sparseOptimizers: sparseOptimizersOf([...userTower.tables, ...itemTower.tables]),
        optimizer,
      });
    };
    for (let i = 0; i < 80; i++) losses.push(step());
    await expectNoTensorLeak(() => losses.push(step()), 'two-tower trainStep');
    const after = accuracy();

    // chance is 3/12 = 0.25; the softmax floor with 3 equally liked items is ln 3 = 1.10
    expect(before).toBeLessThan(0.6);
    expect(after).toBeGreaterThanOrEqual(0.95);
    expect(losses[0] as number).toBeGreaterThan(2.2);
    expect(losses[losses.length - 1] as number).toBeLessThan(1.5);
    optimizer.dispose();
    userTower.dispose();
    itemTower.dispose();
  });
});
