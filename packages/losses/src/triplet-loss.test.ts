import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tripletLoss } from './triplet-loss';

// Squared-euclidean fixture: a = [[0,0],[1,0],[2,0]], p = [[0,1],[2,1],[3,0]]
// pairwise D = [[1, 5, 9], [2, 2, 4], [5, 1, 1]]; d(a, p) = diag = [1, 2, 1]
function threeByTwo() {
  return {
    anchors: tf.tensor2d([
      [0, 0],
      [1, 0],
      [2, 0],
    ]),
    positives: tf.tensor2d([
      [0, 1],
      [2, 1],
      [3, 0],
    ]),
  };
}

describe('tripletLoss', () => {
  it('cosine distance with the only in-batch negative (2 x 2, hand-computed)', () => {
    // a = [[1,0],[0,1]], p = [[1,0],[1,1]]: d = 1 - cos -> D = [[0, 1 - 1/sqrt2], [1, 1 - 1/sqrt2]]
    const anchors = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const positives = tf.tensor2d([
      [1, 0],
      [1, 1],
    ]);
    const gap = 1 - Math.SQRT1_2;
    for (const mining of ['hardest', 'semi-hard', 'random'] as const) {
      const loss = tripletLoss({ anchors, positives, margin: 0.5, mining, seed: 1, reduction: 'none' });
      // anchor 0: max(0, 0 - gap + 0.5); anchor 1: max(0, gap - 1 + 0.5) = 0
      expectTensorsClose(loss, [0.5 - gap, 0]);
      loss.dispose();
    }
    const mean = tripletLoss({ anchors, positives, margin: 0.5 });
    expectTensorsClose(mean, [(0.5 - gap) / 2]);
    tf.dispose([anchors, positives, mean]);
  });

  it('hardest mining takes the closest other positive (3 x 2)', () => {
    const { anchors, positives } = threeByTwo();
    // negatives [5, 2, 1]; margin 3 -> [max(0, 1-5+3), 2-2+3, 1-1+3] = [0, 3, 3]
    const loss = tripletLoss({
      anchors,
      positives,
      margin: 3,
      mining: 'hardest',
      distance: 'squared-euclidean',
      reduction: 'none',
    });
    expectTensorsClose(loss, [0, 3, 3]);
    const mean = tripletLoss({
      anchors,
      positives,
      margin: 3,
      mining: 'hardest',
      distance: 'squared-euclidean',
    });
    expectTensorsClose(mean, [2]);
    tf.dispose([anchors, positives, loss, mean]);
  });

  it('semi-hard mining takes the closest negative farther than the positive', () => {
    const { anchors, positives } = threeByTwo();
    // negatives farther than d(a,p): row 0 {5, 9} -> 5; row 1 {4} -> 4 (2 ties d(a,p), not farther); row 2 {5} -> 5
    const loss = tripletLoss({
      anchors,
      positives,
      margin: 3,
      mining: 'semi-hard',
      distance: 'squared-euclidean',
      reduction: 'none',
    });
    expectTensorsClose(loss, [0, 1, 0]);
    tf.dispose([anchors, positives, loss]);
  });

  it('semi-hard falls back to the farthest negative when none is farther than the positive', () => {
    // a = [[0,0],[0,0],[0,0]], p = [[3,0],[1,0],[2,0]]: D rows = [9, 1, 4]; d(a,p) = [9, 1, 4]
    const anchors = tf.zeros([3, 2]) as tf.Tensor2D;
    const positives = tf.tensor2d([
      [3, 0],
      [1, 0],
      [2, 0],
    ]);
    // row 0: no negative > 9 -> farthest 4 -> 9 - 4 + 0.5; row 1: {9, 4} > 1 -> 4 -> 0; row 2: {9} -> 9 -> 0
    const loss = tripletLoss({
      anchors,
      positives,
      margin: 0.5,
      mining: 'semi-hard',
      distance: 'squared-euclidean',
      reduction: 'none',
    });
    expectTensorsClose(loss, [5.5, 0, 0]);
    tf.dispose([anchors, positives, loss]);
  });

  it('random mining picks some j != i, reproducibly with a seed, and every j over seeds', () => {
    const { anchors, positives } = threeByTwo();
    const pairwise = [
      [1, 5, 9],
      [2, 2, 4],
      [5, 1, 1],
    ];
    const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
    for (let seed = 0; seed < 30; seed++) {
      const loss = tripletLoss({
        anchors,
        positives,
        margin: 10,
        mining: 'random',
        distance: 'squared-euclidean',
        seed,
        reduction: 'none',
      });
      const again = tripletLoss({
        anchors,
        positives,
        margin: 10,
        mining: 'random',
        distance: 'squared-euclidean',
        seed,
        reduction: 'none',
      });
      const values = Array.from(loss.dataSync());
      expect(Array.from(again.dataSync())).toEqual(values);
      values.forEach((value, i) => {
        // margin 10 keeps every term positive: value = D[i][i] - D[i][j] + 10 identifies j
        const row = pairwise[i]!;
        const j = [0, 1, 2].find(
          (candidate) => candidate !== i && Math.abs(row[i]! - row[candidate]! + 10 - value) < 1e-5,
        );
        expect(j).toBeDefined();
        seen[i]!.add(j!);
      });
      tf.dispose([loss, again]);
    }
    // row 1 has D[1][0] = D[1][1], so only distances are identifiable; rows 0 and 2 see both negatives
    expect(seen[0]!.size).toBe(2);
    expect(seen[2]!.size).toBe(2);
    tf.dispose([anchors, positives]);
  });

  it('uses explicit negatives when given', () => {
    const { anchors, positives } = threeByTwo();
    const negatives = tf.tensor2d([
      [1, 1],
      [0, 0],
      [2, 0],
    ]); // d(a, n) = [2, 1, 0]
    const loss = tripletLoss({ anchors, positives, negatives, margin: 3, distance: 'squared-euclidean' });
    expectTensorsClose(loss, [(2 + 4 + 4) / 3]);
    tf.dispose([anchors, positives, negatives, loss]);
  });

  it('has finite gradients and pulls anchors towards positives under SGD', () => {
    const random = seededRandom(11);
    const anchors = tf.variable(
      tf.tensor2d(
        Array.from({ length: 24 }, () => random() - 0.5),
        [6, 4],
      ),
    );
    const positives = tf.tensor2d(
      Array.from({ length: 24 }, () => random() - 0.5),
      [6, 4],
    );
    for (const mining of ['hardest', 'semi-hard', 'random'] as const) {
      for (const distance of ['cosine', 'squared-euclidean'] as const) {
        const [gradient] = tf.grads((a: tf.Tensor) =>
          tripletLoss({ anchors: a as tf.Tensor2D, positives, mining, distance, margin: 1, seed: 5 }),
        )([anchors]);
        const values = Array.from(gradient!.dataSync());
        expect(values.every(Number.isFinite), `${mining}/${distance}`).toBe(true);
        expect(
          values.some((v) => v !== 0),
          `${mining}/${distance}`,
        ).toBe(true);
        gradient!.dispose();
      }
    }
    const optimizer = tf.train.sgd(0.2);
    const losses: number[] = [];
    for (let step = 0; step < 25; step++) {
      const cost = optimizer.minimize(
        () => tripletLoss({ anchors, positives, mining: 'hardest', distance: 'cosine', margin: 0.5 }),
        true,
        [anchors],
      );
      losses.push(cost!.dataSync()[0]!);
      cost!.dispose();
    }
    expect(losses[0]!).toBeGreaterThan(0);
    expect(losses[24]!).toBeLessThan(losses[0]! * 0.5);
    tf.dispose([anchors, positives]);
    optimizer.dispose();
  });

  it('does not leak tensors for any mining / distance and keeps its inputs', async () => {
    const { anchors, positives } = threeByTwo();
    const negatives = tf.tensor2d([
      [1, 1],
      [0, 0],
      [2, 0],
    ]);
    for (const mining of ['hardest', 'semi-hard', 'random'] as const) {
      for (const distance of ['cosine', 'squared-euclidean'] as const) {
        await expectNoTensorLeak(
          () => tripletLoss({ anchors, positives, mining, distance, seed: 3 }).dispose(),
          `${mining}/${distance}`,
        );
      }
    }
    await expectNoTensorLeak(
      () => tripletLoss({ anchors, positives, negatives, reduction: 'none' }).dispose(),
      'explicit',
    );
    expect(anchors.isDisposed || positives.isDisposed || negatives.isDisposed).toBe(false);
    tf.dispose([anchors, positives, negatives]);
  });

  it('rejects bad shapes and arguments with typed errors', () => {
    const { anchors, positives } = threeByTwo();
    const two = tf.zeros([2, 2]) as tf.Tensor2D;
    const one = tf.zeros([1, 2]) as tf.Tensor2D;
    expect(() => tripletLoss({ anchors, positives: two })).toThrow(ShapeMismatchError);
    expect(() => tripletLoss({ anchors, positives, negatives: two })).toThrow(ShapeMismatchError);
    expect(() => tripletLoss({ anchors: one, positives: one })).toThrow(InvalidArgumentError);
    expect(() => tripletLoss({ anchors, positives, margin: -1 })).toThrow(InvalidArgumentError);
    expect(() => tripletLoss({ anchors, positives, mining: 'easy' as 'random' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => tripletLoss({ anchors, positives, distance: 'l1' as 'cosine' })).toThrow(
      InvalidArgumentError,
    );
    tf.dispose([anchors, positives, two, one]);
  });
});
