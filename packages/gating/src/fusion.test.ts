import { ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { additiveFusion, concatFusion } from './fusion';

function fixture() {
  return {
    idEmbedding: tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
    metaEmbedding: tf.tensor2d([
      [10, 20],
      [30, 40],
    ]),
    gate: tf.tensor2d([[0.25], [0.5]]),
  };
}

describe('fusion', () => {
  it('concatFusion = concat(id, g * meta) (hand values)', () => {
    const inputs = fixture();
    const fused = concatFusion(inputs);
    expectTensorsClose(
      fused,
      tf.tensor2d([
        [1, 2, 2.5, 5],
        [3, 4, 15, 20],
      ]),
    );
    tf.dispose([inputs, fused]);
  });

  it('additiveFusion = g * meta + (1 - g) * id (hand values)', () => {
    const inputs = fixture();
    const fused = additiveFusion(inputs);
    // row 0: 0.25 * [10, 20] + 0.75 * [1, 2] = [3.25, 6.5]; row 1: 0.5 * [30, 40] + 0.5 * [3, 4]
    expectTensorsClose(
      fused,
      tf.tensor2d([
        [3.25, 6.5],
        [16.5, 22],
      ]),
    );
    tf.dispose([inputs, fused]);
  });

  it('concat fusion scores u . item = u_id . id + g * (u_meta . meta)', () => {
    const random = seededRandom(4);
    const values = (n: number) => Array.from({ length: n }, () => random() * 2 - 1);
    const [batch, dim] = [5, 3];
    const idEmbedding = tf.tensor2d(values(batch * dim), [batch, dim]);
    const metaEmbedding = tf.tensor2d(values(batch * dim), [batch, dim]);
    const gate = tf.tensor2d(
      values(batch).map((v) => (v + 1) / 2),
      [batch, 1],
    );
    const userId = tf.tensor2d(values(dim), [1, dim]);
    const userMeta = tf.tensor2d(values(dim), [1, dim]);
    const fused = concatFusion({ idEmbedding, metaEmbedding, gate });
    const user = tf.concat([userId, userMeta], 1);
    const scores = tf.reshape(tf.matMul(fused, user, false, true), [batch]);
    // reference in plain JS
    const [id, meta, g, uId, uMeta] = [idEmbedding, metaEmbedding, gate, userId, userMeta].map((t) =>
      t.dataSync(),
    );
    const expected = Array.from({ length: batch }, (_, b) => {
      let idDot = 0;
      let metaDot = 0;
      for (let t = 0; t < dim; t++) {
        idDot += uId![t]! * id![b * dim + t]!;
        metaDot += uMeta![t]! * meta![b * dim + t]!;
      }
      return idDot + g![b]! * metaDot;
    });
    expectTensorsClose(scores, expected, 1e-5);
    tf.dispose([idEmbedding, metaEmbedding, gate, userId, userMeta, fused, user, scores]);
  });

  it('does not leak and keeps its inputs', async () => {
    const inputs = fixture();
    await expectNoTensorLeak(() => concatFusion(inputs).dispose(), 'concatFusion');
    await expectNoTensorLeak(() => additiveFusion(inputs).dispose(), 'additiveFusion');
    expect(inputs.idEmbedding.isDisposed || inputs.metaEmbedding.isDisposed || inputs.gate.isDisposed).toBe(
      false,
    );
    tf.dispose(inputs);
  });

  it('checks shapes (concat allows a different meta width, additive does not)', () => {
    const inputs = fixture();
    const wideMeta = tf.zeros([2, 3]) as tf.Tensor2D;
    const badGate = tf.zeros([2, 2]) as tf.Tensor2D;
    const concatenated = concatFusion({ ...inputs, metaEmbedding: wideMeta });
    expect(concatenated.shape).toEqual([2, 5]);
    expect(() => additiveFusion({ ...inputs, metaEmbedding: wideMeta })).toThrow(ShapeMismatchError);
    expect(() => concatFusion({ ...inputs, gate: badGate })).toThrow(ShapeMismatchError);
    expect(() => additiveFusion({ ...inputs, idEmbedding: tf.zeros([3, 2]) as tf.Tensor2D })).toThrow(
      ShapeMismatchError,
    );
    tf.dispose([inputs, wideMeta, badGate, concatenated]);
  });
});
