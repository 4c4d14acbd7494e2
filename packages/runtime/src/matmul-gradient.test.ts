import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { installFastMatMulGradient, selectBackend } from './index';

function close(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('installFastMatMulGradient', () => {
  it('gives the same gradients as the stock formula for every transpose combination, rank 2 and 3', async () => {
    await selectBackend({ backend: 'cpu' });
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 4], [4, 5], false, false],
      [[3, 4], [5, 4], false, true],
      [[4, 3], [4, 5], true, false],
      [[4, 3], [5, 4], true, true],
      [[2, 3, 4], [2, 4, 5], false, false],
      [[2, 4, 3], [2, 5, 4], true, true],
    ];
    const weightsFor = (shape: number[]) =>
      tf.randomNormal(shape, 0, 1, 'float32', shape.length * 7 + shape[0]!);
    // Expected values: the explicit formulas, computed without any matMul gradient.
    for (const [shapeA, shapeB, ta, tb] of cases) {
      const a = weightsFor(shapeA);
      const b = weightsFor(shapeB);
      const upstream = tf.randomNormal(tf.matMul(a, b, ta, tb).shape, 0, 1, 'float32', 3);
      installFastMatMulGradient();
      const [gradA, gradB] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(x, y, ta, tb), upstream)),
      )([a, b]);
      const at = ta ? a : tf.transpose(a, a.rank === 3 ? [0, 2, 1] : [1, 0]);
      const bt = tb ? b : tf.transpose(b, b.rank === 3 ? [0, 2, 1] : [1, 0]);
      // d/dA of sum(op(A) op(B) * G) = G op(B)^T (then undo op on A); likewise for B.
      const expectedOpA = tf.matMul(upstream, tb ? b : bt, false, false);
      const expectedOpB = tf.matMul(ta ? a : at, upstream, false, false);
      const expectedA = ta ? tf.transpose(expectedOpA, a.rank === 3 ? [0, 2, 1] : [1, 0]) : expectedOpA;
      const expectedB = tb ? tf.transpose(expectedOpB, b.rank === 3 ? [0, 2, 1] : [1, 0]) : expectedOpB;
      expect(gradA!.shape).toEqual(a.shape);
      expect(gradB!.shape).toEqual(b.shape);
      expect(close(gradA!, expectedA)).toBeLessThan(1e-4);
      expect(close(gradB!, expectedB)).toBeLessThan(1e-4);
      tf.dispose([a, b, upstream, gradA!, gradB!, at, bt, expectedOpA, expectedOpB, expectedA, expectedB]);
    }
  });
});
