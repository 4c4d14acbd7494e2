import { InvalidArgumentError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddingTable, type EmbeddingTable } from './embedding-table';
import type { SparseOptimizerConfig } from './sparse-optimizer';
import { sparseOptimizersOf, withSparseOptimizer } from './test-sparse-optimizers';
import { trainStep } from './train-step';

const owned: { dispose(): void }[] = [];
afterEach(() => {
  for (const item of owned.splice(0)) item.dispose();
});

/**
 * The dense reference lookup: stock `tf.gather` on a tf.Variable (its gradient goes through
 * UnsortedSegmentSum). The wasm backend has no such kernel, so there (MMRECALL_TEST_BACKEND=wasm)
 * the equivalent one-hot matMul is used instead.
 */
function denseGather(table: tf.Tensor, indices: Int32Array): tf.Tensor2D {
  const index = tf.tensor1d(indices, 'int32');
  if (tf.getBackend() === 'wasm')
    return tf.matMul(tf.oneHot(index, table.shape[0] as number), table as tf.Tensor2D);
  return tf.gather(table, index) as tf.Tensor2D;
}

function randomArray(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random() * 2 - 1);
}

function setup(optimizer: SparseOptimizerConfig): {
  table: EmbeddingTable;
  kernel: tf.Variable;
  target: tf.Tensor2D;
} {
  const table = withSparseOptimizer(
    createEmbeddingTable({ name: 'step/table', rows: 30, dim: 4, seed: 5, initScale: 0.5 }),
    optimizer,
  );
  const kernel = tf.variable(tf.tensor2d(randomArray(12, 6), [4, 3]));
  const target = tf.tensor2d(randomArray(8 * 3, 7), [8, 3]);
  owned.push(table, kernel, target);
  return { table, kernel, target };
}

const indices = Int32Array.from([2, 9, 2, 17, 28, 9, 2, 0]);

/** mean((E W - Y)^2) with E the looked-up rows. */
function regressionLoss(rows: tf.Tensor2D, kernel: tf.Tensor, target: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(tf.matMul(rows, kernel as tf.Tensor2D), target)));
}

describe('trainStep', () => {
  it('matches one SGD step of the dense tf.gather + tf.Variable model (table rows and dense kernel)', () => {
    const lr = 0.2;
    const { table, kernel, target } = setup({ kind: 'sgd', learningRate: lr });
    const referenceTable = tf.variable(tf.tensor2d(table.weights.slice(), [30, 4]));
    const referenceKernel = tf.variable(kernel.clone());
    owned.push(referenceTable, referenceKernel);
    const initial = table.weights.slice();
    const referenceOptimizer = tf.train.sgd(lr);
    const referenceLoss = referenceOptimizer.minimize(
      () => tf.tidy(() => regressionLoss(denseGather(referenceTable, indices), referenceKernel, target)),
      true,
      [referenceTable, referenceKernel],
    ) as tf.Scalar;
    owned.push(referenceLoss, referenceOptimizer);

    const optimizer = tf.train.sgd(lr);
    owned.push(optimizer);
    const loss = trainStep({
      loss: () => regressionLoss(table.lookup(indices), kernel, target),
      variables: [kernel],
      sparseOptimizers: sparseOptimizersOf([table]),
      optimizer,
    });
    expect(loss).toBeCloseTo(referenceLoss.dataSync()[0] as number, 5);
    expectTensorsClose(table.weights, referenceTable, 1e-5);
    expectTensorsClose(kernel, referenceKernel, 1e-5);
    // rows never looked up are bit-identical
    const looked = new Set(indices);
    for (let row = 0; row < 30; row++) {
      if (!looked.has(row))
        expect(Array.from(table.getRow(row))).toEqual(Array.from(initial.subarray(row * 4, row * 4 + 4)));
    }
    expect(table.pendingCount).toBe(0);
  });

  it('trains: loss falls by more than 10x in 60 Adam steps', () => {
    const { table, kernel, target } = setup({ kind: 'adam', learningRate: 0.05 });
    const optimizer = tf.train.adam(0.05);
    owned.push(optimizer);
    const distinct = Int32Array.from([2, 9, 17, 28, 0, 5, 6, 7]);
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      losses.push(
        trainStep({
          loss: () => regressionLoss(table.lookup(distinct), kernel, target),
          variables: [kernel],
          sparseOptimizers: sparseOptimizersOf([table]),
          optimizer,
        }),
      );
    }
    expect(losses[0]).toBeGreaterThan(0.2);
    expect(losses[59] as number).toBeLessThan((losses[0] as number) / 10);
  });

  it('leaves tf.memory().numTensors unchanged after a step (after the optimizer created its state)', async () => {
    const { table, kernel, target } = setup({ kind: 'adam', learningRate: 0.01 });
    const optimizer = tf.train.adam(0.01);
    owned.push(optimizer);
    const step = () =>
      trainStep({
        loss: () =>
          regressionLoss(
            table.lookupBag({
              offsets: Int32Array.from([0, 2, 3, 3, 4, 6, 7, 8, 8]),
              values: indices,
              combiner: 'mean',
            }),
            kernel,
            target,
          ),
        variables: [kernel],
        sparseOptimizers: sparseOptimizersOf([table]),
        optimizer,
        clipNorm: 1,
      });
    step();
    await expectNoTensorLeak(step, 'trainStep');
    await expectNoTensorLeak(step, 'trainStep again');
  });

  it('clipNorm scales dense and sparse gradients together to the global norm', () => {
    const lr = 1;
    const { table, kernel, target } = setup({ kind: 'sgd', learningRate: lr });
    const initialTable = table.weights.slice();
    const initialKernel = Float32Array.from(kernel.dataSync());
    const optimizer = tf.train.sgd(lr);
    owned.push(optimizer);
    const clipNorm = 0.01;
    trainStep({
      loss: () => regressionLoss(table.lookup(indices), kernel, target),
      variables: [kernel],
      sparseOptimizers: sparseOptimizersOf([table]),
      optimizer,
      clipNorm,
    });
    let squared = 0;
    table.weights.forEach((v, i) => {
      squared += (v - (initialTable[i] as number)) ** 2;
    });
    kernel.dataSync().forEach((v, i) => {
      squared += (v - (initialKernel[i] as number)) ** 2;
    });
    expect(Math.sqrt(squared)).toBeCloseTo(lr * clipNorm, 5);
  });

  it('updates a table listed twice (shared) only once, and zero-fills variables the loss does not use', () => {
    const lr = 0.5;
    const table = withSparseOptimizer(createEmbeddingTable({ name: 'shared', rows: 3, dim: 2, seed: 1 }), {
      kind: 'sgd',
      learningRate: lr,
    });
    const unused = tf.variable(tf.ones([2]));
    const optimizer = tf.train.sgd(lr);
    owned.push(table, unused, optimizer);
    const initial = table.weights.slice();
    trainStep({
      loss: () => tf.sum(table.lookup(Int32Array.from([1]))),
      variables: [unused],
      sparseOptimizers: sparseOptimizersOf([table, table]),
      optimizer,
    });
    expect(Array.from(table.getRow(1))).toEqual(
      Array.from(initial.subarray(2, 4), (v) => Math.fround(v - lr)),
    );
    expect(Array.from(unused.dataSync())).toEqual([1, 1]);
  });

  it('rejects a bad clipNorm or an empty parameter list', () => {
    const optimizer = tf.train.sgd(0.1);
    owned.push(optimizer);
    const variable = tf.variable(tf.scalar(1));
    owned.push(variable);
    expect(() =>
      trainStep({
        loss: () => tf.square(variable),
        variables: [variable],
        sparseOptimizers: [],
        optimizer,
        clipNorm: 0,
      }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      trainStep({ loss: () => tf.scalar(1), variables: [], sparseOptimizers: [], optimizer }),
    ).toThrow(InvalidArgumentError);
  });
});
