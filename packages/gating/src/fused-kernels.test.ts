// The fusedKernels paths of the gate and the additive fusion against the stock ops they replace.
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { additiveFusion } from './fusion';
import { createPosteriorGate } from './posterior-gate';

function matrix(rows: number, columns: number, seed: number): tf.Tensor2D {
  const random = seededRandom(seed);
  return tf.tensor2d(
    Array.from({ length: rows * columns }, () => random() * 4 - 2),
    [rows, columns],
  );
}

describe('createPosteriorGate with fusedKernels', () => {
  it('gives the stock gate values and weight gradients for the same seed', () => {
    const stock = createPosteriorGate({ hiddenUnits: [16, 8], seed: 5, initialBias: 0.3 });
    const fused = createPosteriorGate({
      hiddenUnits: [16, 8],
      seed: 5,
      initialBias: 0.3,
      fusedKernels: true,
    });
    const features = matrix(12, 4, 1);
    const weights = matrix(12, 1, 2);
    const loss = (gate: typeof stock) => (): tf.Scalar => tf.sum(tf.mul(gate.apply(features), weights));
    const a = tf.variableGrads(loss(stock), [...stock.variables]);
    const b = tf.variableGrads(loss(fused), [...fused.variables]);
    expectTensorsClose(b.value, a.value, 1e-5);
    stock.variables.forEach((variable, i) => {
      const gradient = b.grads[(fused.variables[i] as tf.Variable).name] as tf.Tensor;
      expectTensorsClose(gradient, a.grads[variable.name] as tf.Tensor, 1e-5);
      expect(Array.from(gradient.dataSync()).some((v) => v !== 0)).toBe(true);
    });
    const gStock = stock.apply(features);
    const gFused = fused.apply(features);
    expectTensorsClose(gFused, gStock, 1e-6);
    tf.dispose([
      features,
      weights,
      a.value,
      b.value,
      gStock,
      gFused,
      ...Object.values(a.grads),
      ...Object.values(b.grads),
    ]);
    stock.dispose();
    fused.dispose();
  });

  it('leaks no tensors while training', async () => {
    const gate = createPosteriorGate({ fusedKernels: true });
    const features = matrix(5, 4, 3);
    await expectNoTensorLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(gate.apply(features)), [...gate.variables]);
      tf.dispose([value, ...Object.values(grads)]);
    }, 'fused gate');
    features.dispose();
    gate.dispose();
  });
});

describe('additiveFusion with fusedKernels', () => {
  it('gives the stock values exactly and the stock gradients for id, meta and gate', () => {
    const id = matrix(6, 3, 4);
    const meta = matrix(6, 3, 5);
    const gate = tf.sigmoid(matrix(6, 1, 6)) as tf.Tensor2D;
    const weights = matrix(6, 3, 7);
    const run = (fusedKernels: boolean) =>
      tf.tidy(() => {
        const f = (i: tf.Tensor, m: tf.Tensor, g: tf.Tensor) =>
          tf.sum(
            tf.mul(
              additiveFusion({
                idEmbedding: i as tf.Tensor2D,
                metaEmbedding: m as tf.Tensor2D,
                gate: g as tf.Tensor2D,
                fusedKernels,
              }),
              weights,
            ),
          );
        return {
          value: additiveFusion({ idEmbedding: id, metaEmbedding: meta, gate, fusedKernels }),
          grads: tf.grads(f)([id, meta, gate]),
        };
      });
    const stock = run(false);
    const fused = run(true);
    expectTensorsClose(fused.value, stock.value, 0);
    fused.grads.forEach((gradient, k) => {
      expectTensorsClose(gradient, stock.grads[k] as tf.Tensor, 1e-5);
    });
    tf.dispose([id, meta, gate, weights, stock, fused]);
  });

  it('leaks no tensors and keeps its inputs', async () => {
    const id = matrix(2, 3, 8);
    const meta = matrix(2, 3, 9);
    const gate = tf.tensor2d([[0.2], [0.7]]);
    await expectNoTensorLeak(() => {
      const grads = tf.grads((g: tf.Tensor) =>
        tf.sum(
          additiveFusion({
            idEmbedding: id,
            metaEmbedding: meta,
            gate: g as tf.Tensor2D,
            fusedKernels: true,
          }),
        ),
      )([gate]);
      tf.dispose(grads);
    }, 'fused additive fusion');
    expect(id.isDisposed || meta.isDisposed || gate.isDisposed).toBe(false);
    tf.dispose([id, meta, gate]);
  });
});
