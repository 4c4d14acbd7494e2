// The core sparse-gradient check on the wasm backend, which has no UnsortedSegmentSum kernel and so
// no stock tf.gather gradient. The reference gradient comes from tf.grads with respect to the
// looked-up rows (matMul/sub/square/mean gradients only), scatter-added in JS.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddingTable } from './embedding-table';
import { sparseOptimizersOf, withSparseOptimizer } from './test-sparse-optimizers';
import { trainStep } from './train-step';

let previousBackend = '';
let unavailable: string | undefined;

beforeAll(async () => {
  previousBackend = tf.getBackend();
  try {
    // @tensorflow/tfjs-backend-wasm is a dependency of @mmrecall/test-utils, not of this package:
    // resolve it from there.
    const fromTestUtils = createRequire(
      createRequire(import.meta.url).resolve('@mmrecall/test-utils/setup-tf'),
    );
    await import(pathToFileURL(fromTestUtils.resolve('@tensorflow/tfjs-backend-wasm')).href);
    // Threaded wasm needs blob: workers, which Node's worker_threads refuse.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend("wasm") returned false');
    await tf.ready();
  } catch (error) {
    unavailable = error instanceof Error ? error.message : String(error);
    console.warn(`SKIPPED: wasm backend could not initialise under vitest: ${unavailable}`);
  }
});

afterAll(async () => {
  if (previousBackend !== '' && tf.getBackend() !== previousBackend) await tf.setBackend(previousBackend);
});

function randomArray(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random() * 2 - 1);
}

describe('sparse gradients on the wasm backend', () => {
  it('runs on wasm', (context) => {
    if (unavailable !== undefined) context.skip(`wasm unavailable: ${unavailable}`);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('the stock tf.gather gradient is missing on wasm (why the tables exist)', (context) => {
    if (unavailable !== undefined) context.skip(`wasm unavailable: ${unavailable}`);
    const table = tf.variable(tf.ones([5, 2]));
    const indices = tf.tensor1d([1, 1, 3], 'int32');
    expect(() => tf.variableGrads(() => tf.sum(tf.gather(table, indices)), [table])).toThrow(
      /UnsortedSegmentSum/,
    );
    tf.dispose([table, indices]);
  });

  it('trainStep with SGD matches the reference: summed duplicates, untouched rows, dense kernel; no leaks', async (context) => {
    if (unavailable !== undefined) context.skip(`wasm unavailable: ${unavailable}`);
    const rows = 40;
    const dim = 4;
    const lr = 0.3;
    const indices = Int32Array.from([5, 12, 5, 39, 0, 12, 5, 7]);
    const table = withSparseOptimizer(
      createEmbeddingTable({ name: 'wasm/table', rows, dim, seed: 3, initScale: 0.5 }),
      { kind: 'sgd', learningRate: lr },
    );
    const kernel = tf.variable(tf.tensor2d(randomArray(dim * 3, 4), [dim, 3]));
    const target = tf.tensor2d(randomArray(indices.length * 3, 5), [indices.length, 3]);
    const loss = (rowsTensor: tf.Tensor2D, w: tf.Tensor): tf.Scalar =>
      tf.mean(tf.square(tf.sub(tf.matMul(rowsTensor, w as tf.Tensor2D), target)));
    const initial = table.weights.slice();
    const initialKernel = Float32Array.from(kernel.dataSync());

    // reference: gradients with respect to the gathered rows and the kernel, scatter-added in JS
    const gathered = tf.tensor2d(
      Array.from(indices).flatMap((r) => Array.from(initial.subarray(r * dim, r * dim + dim))),
      [indices.length, dim],
    );
    const kernelCopy = tf.tensor2d(initialKernel, [dim, 3]);
    const [gradRows, gradKernel] = tf.grads((e: tf.Tensor, w: tf.Tensor) =>
      loss(e as tf.Tensor2D, w as tf.Tensor2D),
    )([gathered, kernelCopy]) as [tf.Tensor, tf.Tensor];
    const expected = initial.slice();
    const gRows = gradRows.dataSync();
    indices.forEach((row, k) => {
      for (let d = 0; d < dim; d++)
        expected[row * dim + d] = (expected[row * dim + d] as number) - lr * (gRows[k * dim + d] as number);
    });
    const expectedKernel = Float32Array.from(
      gradKernel.dataSync(),
      (g, i) => (initialKernel[i] as number) - lr * g,
    );
    const expectedLoss = loss(gathered, kernelCopy);

    const optimizer = tf.train.sgd(lr);
    let value = 0;
    await expectNoTensorLeak(() => {
      value = trainStep({
        loss: () => loss(table.lookup(indices), kernel),
        variables: [kernel],
        sparseOptimizers: sparseOptimizersOf([table]),
        optimizer,
      });
    }, 'wasm trainStep');
    expect(value).toBeCloseTo(expectedLoss.dataSync()[0] as number, 5);
    expectTensorsClose(table.weights, expected, 1e-5);
    expectTensorsClose(kernel, expectedKernel, 1e-5);
    for (const row of [1, 2, 6, 8, 38])
      expect(Array.from(table.getRow(row))).toEqual(Array.from(initial.subarray(row * dim, row * dim + dim)));
    // row 5 appears 3 times: its step is the sum of three per-occurrence gradients
    const row5Change = table.getRow(5).map((v, d) => v - (initial[5 * dim + d] as number));
    const threeOccurrences = Array.from(
      { length: dim },
      (_, d) => -lr * [0, 2, 6].reduce((s, k) => s + (gRows[k * dim + d] as number), 0),
    );
    expectTensorsClose(row5Change, threeOccurrences, 1e-5);

    tf.dispose([kernel, target, gathered, kernelCopy, gradRows, gradKernel, expectedLoss]);
    optimizer.dispose();
    table.dispose();
  });

  it('lookupBag trains on wasm (no UnsortedSegmentSum needed)', (context) => {
    if (unavailable !== undefined) context.skip(`wasm unavailable: ${unavailable}`);
    const table = withSparseOptimizer(createEmbeddingTable({ name: 'wasm/bag', rows: 10, dim: 3, seed: 1 }), {
      kind: 'adam',
      learningRate: 0.05,
    });
    const target = tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3]);
    const optimizer = tf.train.adam(0.05);
    const bags = {
      offsets: Int32Array.from([0, 2, 5]),
      values: Int32Array.from([1, 2, 3, 4, 3]),
      combiner: 'mean' as const,
    };
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) {
      losses.push(
        trainStep({
          loss: () => tf.mean(tf.square(tf.sub(table.lookupBag(bags), target))),
          variables: [],
          sparseOptimizers: sparseOptimizersOf([table]),
          optimizer,
        }),
      );
    }
    expect(losses[39] as number).toBeLessThan((losses[0] as number) / 20);
    const fresh = createEmbeddingTable({ name: 'wasm/bag', rows: 10, dim: 3, seed: 1 });
    expect(Array.from(table.getRow(9))).toEqual(Array.from(fresh.getRow(9))); // never looked up
    fresh.dispose();
    tf.dispose(target);
    optimizer.dispose();
    table.dispose();
  });
});
