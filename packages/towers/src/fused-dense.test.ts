import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type FusedActivation, fusedDense } from './fused-dense';
import { createMlp } from './mlp';
import { fusedL2Normalize, l2Normalize } from './tower-parts';

function randomTensor(shape: [number, number] | [number], seed: number, scale = 1): tf.Tensor {
  const random = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (random() * 2 - 1) * scale),
    shape,
  );
}

function stockDense(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  activation: FusedActivation,
): tf.Tensor2D {
  const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
  if (activation === 'relu') return tf.relu(z);
  if (activation === 'sigmoid') return tf.sigmoid(z);
  return z;
}

describe('fusedDense', () => {
  for (const activation of ['linear', 'relu', 'sigmoid'] as const) {
    it(`matches matMul + add + ${activation} in value and in every gradient`, () => {
      const x = randomTensor([7, 5], 1) as tf.Tensor2D;
      const w = randomTensor([5, 4], 2) as tf.Tensor2D;
      const b = randomTensor([4], 3) as tf.Tensor1D;
      // A weighted sum so that every output element gets a different upstream gradient.
      const weights = randomTensor([7, 4], 4);
      const loss = (f: typeof stockDense) => (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
        tf.sum(tf.mul(f(xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D, activation), weights));
      const fused = (xs: tf.Tensor2D, ws: tf.Tensor2D, bs: tf.Tensor1D, a: FusedActivation) =>
        fusedDense({ input: xs, kernel: ws, bias: bs, activation: a });
      const value = fused(x, w, b, activation);
      const reference = stockDense(x, w, b, activation);
      expectTensorsClose(value, reference, 1e-6);
      const got = tf.grads(loss(fused))([x, w, b]);
      const expected = tf.grads(loss(stockDense))([x, w, b]);
      got.forEach((gradient, i) => {
        expectTensorsClose(gradient, expected[i] as tf.Tensor, 1e-5);
      });
      // relu: some pre-activations are negative, so the mask is exercised.
      if (activation === 'relu') expect(Array.from(value.dataSync()).some((v) => v === 0)).toBe(true);
      tf.dispose([x, w, b, weights, value, reference, ...got, ...expected]);
    });
  }

  it('with inputGradient false trains the same weights and passes no gradient to the input', () => {
    const x = randomTensor([6, 3], 5) as tf.Tensor2D;
    const w = tf.variable(randomTensor([3, 2], 6) as tf.Tensor2D);
    const b = tf.variable(randomTensor([2], 7) as tf.Tensor1D);
    const f = (inputGradient: boolean) => (): tf.Scalar =>
      tf.sum(tf.square(fusedDense({ input: x, kernel: w, bias: b, activation: 'relu', inputGradient })));
    const without = tf.variableGrads(f(false), [w, b]);
    const withInput = tf.variableGrads(f(true), [w, b]);
    expectTensorsClose(without.grads[w.name] as tf.Tensor, withInput.grads[w.name] as tf.Tensor, 0);
    expectTensorsClose(without.grads[b.name] as tf.Tensor, withInput.grads[b.name] as tf.Tensor, 0);
    tf.dispose([
      x,
      w,
      b,
      without.value,
      withInput.value,
      ...Object.values(without.grads),
      ...Object.values(withInput.grads),
    ]);
  });

  it('leaks no tensors forward or backward and keeps its inputs', async () => {
    const x = randomTensor([4, 3], 8) as tf.Tensor2D;
    const w = tf.variable(randomTensor([3, 2], 9) as tf.Tensor2D);
    const b = tf.variable(randomTensor([2], 10) as tf.Tensor1D);
    await expectNoTensorLeak(() => {
      const y = fusedDense({ input: x, kernel: w, bias: b, activation: 'relu' });
      y.dispose();
      for (const inputGradient of [true, false]) {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(fusedDense({ input: x, kernel: w, bias: b, activation: 'sigmoid', inputGradient })),
          [w, b],
        );
        tf.dispose([value, ...Object.values(grads)]);
      }
    }, 'fusedDense');
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, w, b]);
  });

  it('rejects activations it cannot fuse and mismatched shapes', () => {
    const x = tf.zeros([2, 3]) as tf.Tensor2D;
    const w = tf.zeros([3, 2]) as tf.Tensor2D;
    const b = tf.zeros([2]) as tf.Tensor1D;
    expect(() =>
      fusedDense({ input: x, kernel: w, bias: b, activation: 'tanh' as unknown as FusedActivation }),
    ).toThrow(InvalidArgumentError);
    expect(() => fusedDense({ input: x, kernel: tf.zeros([2, 2]) as tf.Tensor2D, bias: b })).toThrow(
      ShapeMismatchError,
    );
    expect(() => fusedDense({ input: x, kernel: w, bias: tf.zeros([3]) as tf.Tensor1D })).toThrow(
      ShapeMismatchError,
    );
    tf.dispose([x, w, b]);
  });
});

describe('createMlp with fusedKernels', () => {
  it('gives the stock MLP values and gradients for the same seed (relu hidden, gelu falls back)', () => {
    for (const activation of ['relu', 'gelu'] as const) {
      const stock = createMlp({ name: 's', inputDim: 5, units: [6, 3], activation, seed: 3 });
      const fused = createMlp({
        name: 'f',
        inputDim: 5,
        units: [6, 3],
        activation,
        seed: 3,
        fusedKernels: true,
      });
      const x = randomTensor([8, 5], 11) as tf.Tensor2D;
      const loss = (m: typeof stock) => (): tf.Scalar => tf.sum(tf.square(m.apply(x)));
      const a = tf.variableGrads(loss(stock), stock.variables);
      const b = tf.variableGrads(loss(fused), fused.variables);
      expectTensorsClose(b.value, a.value, 1e-5);
      stock.variables.forEach((variable, i) => {
        expectTensorsClose(
          b.grads[(fused.variables[i] as tf.Variable).name] as tf.Tensor,
          a.grads[variable.name] as tf.Tensor,
          1e-5,
        );
      });
      tf.dispose([x, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
      stock.dispose();
      fused.dispose();
    }
  });
});

describe('fusedL2Normalize', () => {
  it('equals l2Normalize and has its gradient, a zero row (clamped norm) included', () => {
    const values = randomTensor([5, 4], 12, 3);
    const x = tf.concat([values, tf.zeros([1, 4])]) as tf.Tensor2D;
    const weights = randomTensor([6, 4], 13);
    const loss = (f: (t: tf.Tensor2D) => tf.Tensor2D) => (t: tf.Tensor) =>
      tf.sum(tf.mul(f(t as tf.Tensor2D), weights));
    const value = fusedL2Normalize(x);
    const reference = l2Normalize(x);
    expectTensorsClose(value, reference, 0);
    const got = tf.grad(loss(fusedL2Normalize))(x);
    const expected = tf.grad(loss(l2Normalize))(x);
    expectTensorsClose(got, expected, 1e-5);
    // Below the clamp the gradient is dy / 1e-6, as the stock maximum gradient gives.
    expect(Math.abs((got.dataSync()[20] as number) - (weights.dataSync()[20] as number) * 1e6)).toBeLessThan(
      1,
    );
    tf.dispose([values, x, weights, value, reference, got, expected]);
  });

  it('leaks no tensors', async () => {
    const x = randomTensor([3, 4], 14) as tf.Tensor2D;
    await expectNoTensorLeak(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(fusedL2Normalize(t as tf.Tensor2D)))(x);
      g.dispose();
    }, 'fusedL2Normalize');
    x.dispose();
  });
});
