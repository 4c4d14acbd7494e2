import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';

/** A tensor with a name, as optimizers take and return them. */
type NamedTensor = { name: string; tensor: tf.Tensor };

import { afterEach, describe, expect, it } from 'vitest';
import { createFlatAdam } from './flat-adam';

const owned: tf.TensorContainer[] = [];
afterEach(() => {
  tf.dispose(owned.splice(0));
});

function randomArray(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random() * 2 - 1);
}

const SHAPES: number[][] = [[3, 4], [4], [2, 3, 2], []];

/** Variables with the given seed and a prefix, so two sets can live side by side. */
function makeVariables(prefix: string): tf.Variable[] {
  const variables = SHAPES.map((shape, i) =>
    tf.variable(
      tf.tensor(
        randomArray(
          shape.reduce((a, b) => a * b, 1),
          10 + i,
        ),
        shape,
      ),
      true,
      `${prefix}/v${i}`,
    ),
  );
  owned.push(variables);
  return variables;
}

/** Gradients of step `step`: fixed pseudo-random values, some exactly zero. */
function gradientsFor(variables: tf.Variable[], step: number): NamedTensor[] {
  return variables.map((variable, i) => {
    const values = randomArray(variable.size, 100 * step + i).map((x, k) => ((k + step) % 5 === 0 ? 0 : x));
    return { name: variable.name, tensor: tf.tensor(values, variable.shape) };
  });
}

function bits(variables: tf.Variable[]): number[][] {
  return variables.map((variable) =>
    Array.from(new Uint32Array((variable.dataSync() as Float32Array).slice().buffer)),
  );
}

describe('createFlatAdam', () => {
  it('gives bit-identical weights to tf.train.adam over several steps', () => {
    const stockVariables = makeVariables('stock');
    const flatVariables = makeVariables('flat');
    const stock = tf.train.adam(0.01);
    const flat = createFlatAdam({ learningRate: 0.01 });
    owned.push(stock as unknown as tf.Tensor, flat as unknown as tf.Tensor);
    for (let step = 0; step < 6; step++) {
      const stockGradients = gradientsFor(stockVariables, step);
      const flatGradients = gradientsFor(flatVariables, step);
      stock.applyGradients(stockGradients);
      flat.applyGradients(flatGradients);
      tf.dispose([...stockGradients, ...flatGradients].map(({ tensor }) => tensor));
    }
    expect(bits(flatVariables)).toEqual(bits(stockVariables));
    // The weights moved (the comparison above is not between two untouched sets).
    expect(bits(flatVariables)).not.toEqual(bits(makeVariables('fresh')));
    stock.dispose();
    flat.dispose();
  });

  it('exports the stock format and resumes bit-identically from either optimizer', async () => {
    const stockVariables = makeVariables('s');
    const flatVariables = makeVariables('f');
    const stock = tf.train.adam(0.02, 0.8, 0.95);
    const flat = createFlatAdam({ learningRate: 0.02, beta1: 0.8, beta2: 0.95 });
    const run = (optimizer: tf.Optimizer, variables: tf.Variable[], steps: number[]) => {
      for (const step of steps) {
        const gradients = gradientsFor(variables, step);
        optimizer.applyGradients(gradients);
        tf.dispose(gradients.map(({ tensor }) => tensor));
      }
    };
    run(stock, stockVariables, [0, 1, 2]);
    run(flat, flatVariables, [0, 1, 2]);
    const stockWeights = await stock.getWeights();
    const flatWeights = await flat.getWeights();
    expect(flatWeights.map(({ name }) => name.replace(/^f\//, ''))).toEqual(
      stockWeights.map(({ name }) => name.replace(/^s\//, '')),
    );
    flatWeights.forEach(({ tensor }, i) => {
      const reference = (stockWeights[i] as NamedTensor).tensor;
      expect(tensor.shape).toEqual(reference.shape);
      expect(Array.from(tensor.dataSync())).toEqual(Array.from(reference.dataSync()));
    });
    // A flat optimizer restored from the stock state continues exactly like the stock one.
    const restored = createFlatAdam({ learningRate: 0.02, beta1: 0.8, beta2: 0.95 });
    await restored.setWeights(
      stockWeights.map(({ name, tensor }) => ({ name: name.replace(/^s\//, 'f/'), tensor })),
    );
    stockWeights[0]?.tensor.dispose();
    flatWeights[0]?.tensor.dispose();
    const restoredVariables = makeVariables('r');
    restoredVariables.forEach((variable, i) => {
      variable.assign(flatVariables[i] as tf.Variable);
    });
    run(stock, stockVariables, [3, 4]);
    run(restored, restoredVariables, [3, 4]);
    expect(bits(restoredVariables)).toEqual(bits(stockVariables));
    stock.dispose();
    flat.dispose();
    restored.dispose();
  });

  it('leaks no tensors per step and frees its state on dispose', async () => {
    const variables = makeVariables('leak');
    await expectNoTensorLeak(async () => {
      const flat = createFlatAdam({ learningRate: 0.01 });
      const first = gradientsFor(variables, 0);
      flat.applyGradients(first);
      tf.dispose(first.map(({ tensor }) => tensor));
      const before = tf.memory().numTensors;
      for (let step = 1; step < 4; step++) {
        const gradients = gradientsFor(variables, step);
        flat.applyGradients(gradients);
        tf.dispose(gradients.map(({ tensor }) => tensor));
        (await flat.getWeights())[0]?.tensor.dispose();
      }
      // The exported moments (2 per variable) are owned by the optimizer and replaced on each call.
      expect(tf.memory().numTensors - before).toBe(2 * variables.length);
      flat.dispose();
    }, 'flat Adam');
  });

  it('rejects a missing gradient, a changed layout and a bad learning rate', () => {
    const variables = makeVariables('bad');
    const flat = createFlatAdam({ learningRate: 0.01 });
    const gradients = gradientsFor(variables, 0);
    flat.applyGradients(gradients);
    expect(() => flat.applyGradients(gradients.slice(1))).toThrow(ShapeMismatchError);
    expect(() =>
      flat.applyGradients([{ name: 'bad/v0', tensor: undefined as unknown as tf.Tensor }]),
    ).toThrow(InvalidArgumentError);
    tf.dispose(gradients.map(({ tensor }) => tensor));
    expect(() => createFlatAdam({ learningRate: 0 })).toThrow(InvalidArgumentError);
    flat.dispose();
  });
});
