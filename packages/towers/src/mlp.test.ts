import { InvalidArgumentError, MissingArtifactError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMlp, type Mlp, type MlpOptions } from './mlp';

const created: Mlp[] = [];
function mlp(options: Partial<MlpOptions> = {}): Mlp {
  const m = createMlp({ name: 'm', inputDim: 3, units: [5, 2], activation: 'relu', seed: 1, ...options });
  created.push(m);
  return m;
}
afterEach(() => {
  for (const m of created.splice(0)) m.dispose();
});

describe('createMlp', () => {
  it('has Glorot-uniform kernels, zero biases and the expected variable shapes', () => {
    const m = mlp({ inputDim: 30, units: [50, 2] });
    expect(m.variables.map((v) => v.shape)).toEqual([[30, 50], [50], [50, 2], [2]]);
    expect(m.outputDim).toBe(2);
    const kernel = Array.from(m.variables[0]?.dataSync() ?? []);
    const limit = Math.sqrt(6 / 80);
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect(Array.from(m.variables[1]?.dataSync() ?? []).every((b) => b === 0)).toBe(true);
  });

  it('computes relu(x W0 + b0) W1 + b1 and is deterministic by seed', () => {
    const m = mlp();
    const same = mlp();
    const other = mlp({ seed: 2 });
    const x = tf.tensor2d([1, -2, 0.5, 0, 1, 1], [2, 3]);
    const [w0, b0, w1, b1] = m.variables as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const expected = tf.tidy(() => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w0), b0)), w1), b1));
    const out = m.apply(x);
    expectTensorsClose(out, expected, 1e-6);
    const sameOut = same.apply(x);
    const otherOut = other.apply(x);
    expectTensorsClose(sameOut, out, 0);
    expect(Math.abs((otherOut.dataSync()[0] as number) - (out.dataSync()[0] as number))).toBeGreaterThan(
      1e-4,
    );
    tf.dispose([x, expected, out, sameOut, otherOut]);
  });

  it('implements gelu (tanh form) and tanh, and an output activation', () => {
    const gelu = mlp({ inputDim: 1, units: [1, 1], activation: 'gelu', outputActivation: 'tanh' });
    gelu.loadNamedWeights({
      'm/dense_0/kernel': { shape: [1, 1], data: Float32Array.from([1]) },
      'm/dense_0/bias': { shape: [1], data: Float32Array.from([0]) },
      'm/dense_1/kernel': { shape: [1, 1], data: Float32Array.from([1]) },
      'm/dense_1/bias': { shape: [1], data: Float32Array.from([0]) },
    });
    const x = tf.tensor2d([1, -1, 2], [3, 1]);
    const out = gelu.apply(x);
    // gelu(1) = 0.841192, gelu(-1) = -0.158808, gelu(2) = 1.954598 (tanh approximation)
    expectTensorsClose(out, [Math.tanh(0.841192), Math.tanh(-0.158808), Math.tanh(1.954598)], 1e-5);
    tf.dispose([x, out]);
  });

  it('round-trips named weights and validates them', () => {
    const a = mlp({ seed: 3 });
    const b = mlp({ seed: 4 });
    const weights = a.toNamedWeights();
    expect(Object.keys(weights)).toEqual([
      'm/dense_0/kernel',
      'm/dense_0/bias',
      'm/dense_1/kernel',
      'm/dense_1/bias',
    ]);
    b.loadNamedWeights(weights);
    expectTensorsClose(b.variables[2] as tf.Variable, a.variables[2] as tf.Variable, 0);
    const { 'm/dense_1/bias': _dropped, ...missing } = weights;
    expect(() => b.loadNamedWeights(missing)).toThrow(MissingArtifactError);
    expect(() =>
      b.loadNamedWeights({ ...weights, 'm/dense_1/bias': { shape: [3], data: new Float32Array(3) } }),
    ).toThrow(ShapeMismatchError);
  });

  it('rejects bad options and inputs', () => {
    expect(() => createMlp({ name: 'x', inputDim: 3, units: [], activation: 'relu', seed: 1 })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      createMlp({ name: 'x', inputDim: 3, units: [2], activation: 'swish' as 'relu', seed: 1 }),
    ).toThrow(InvalidArgumentError);
    const m = mlp();
    const wrong = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => m.apply(wrong)).toThrow(ShapeMismatchError);
    wrong.dispose();
  });

  it('apply leaks no tensors and does not dispose its input', async () => {
    const m = mlp({ activation: 'gelu' });
    const x = tf.ones([4, 3]) as tf.Tensor2D;
    await expectNoTensorLeak(() => m.apply(x).dispose(), 'mlp.apply');
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });
});
