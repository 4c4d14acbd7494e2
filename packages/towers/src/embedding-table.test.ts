import { InvalidArgumentError, MissingArtifactError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddingTable, type EmbeddingTable } from './embedding-table';
import { createSparseOptimizer, type SparseOptimizer, type SparseOptimizerConfig } from './sparse-optimizer';

const created: EmbeddingTable[] = [];
const optimizers = new Map<EmbeddingTable, SparseOptimizer>();
function table(options: {
  rows: number;
  dim: number;
  seed?: number;
  optimizer?: SparseOptimizerConfig;
  initScale?: number;
}): EmbeddingTable {
  const { optimizer, ...tableOptions } = options;
  const t = createEmbeddingTable({ name: 'test/table', seed: options.seed ?? 7, ...tableOptions });
  created.push(t);
  optimizers.set(t, createSparseOptimizer({ table: t, ...optimizer }));
  return t;
}
/** The sparse optimizer `table()` made for `t`. */
const sparse = (t: EmbeddingTable): SparseOptimizer => optimizers.get(t) as SparseOptimizer;
afterEach(() => {
  for (const t of created.splice(0)) t.dispose();
  optimizers.clear();
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

/** Loss 0.5 * sum((E - T)^2) + sum(E * C) on the looked-up rows E; dL/dE = E - T + C. */
function quadraticLoss(rows: tf.Tensor2D, target: tf.Tensor2D, linear: tf.Tensor2D): tf.Scalar {
  return tf.add(
    tf.mul(tf.sum(tf.square(tf.sub(rows, target))), 0.5),
    tf.sum(tf.mul(rows, linear)),
  ) as tf.Scalar;
}

describe('createEmbeddingTable', () => {
  it('initialises uniformly in [-initScale, initScale], deterministically by seed', () => {
    const a = table({ rows: 50, dim: 8, seed: 3, initScale: 0.2 });
    const b = table({ rows: 50, dim: 8, seed: 3, initScale: 0.2 });
    const c = table({ rows: 50, dim: 8, seed: 4, initScale: 0.2 });
    expect(a.weights).toHaveLength(400);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(Array.from(a.weights)).not.toEqual(Array.from(c.weights));
    const max = Math.max(...Array.from(a.weights, Math.abs));
    expect(max).toBeLessThanOrEqual(0.2);
    expect(max).toBeGreaterThan(0.15);
    const mean = a.weights.reduce((s, v) => s + v, 0) / a.weights.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
  });

  it('gives each table its own anchor variable even with the same name', () => {
    const a = table({ rows: 2, dim: 2 });
    const b = table({ rows: 2, dim: 2 });
    expect(a.anchor.name).not.toBe(b.anchor.name);
    expect(a.anchor.trainable).toBe(true);
    expect(a.anchor.shape).toEqual([]);
  });

  it('rejects bad options with InvalidArgumentError', () => {
    expect(() => createEmbeddingTable({ name: 'x', rows: 0, dim: 2, seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => createEmbeddingTable({ name: 'x', rows: 2, dim: 1.5, seed: 1 })).toThrow(
      InvalidArgumentError,
    );
    const t = table({ rows: 2, dim: 2 });
    expect(() => createSparseOptimizer({ table: t, kind: 'sgd', learningRate: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => createSparseOptimizer({ table: t, kind: 'adam', learningRate: 0.1, beta1: 1 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('lookup', () => {
  it('returns the requested rows in order, duplicates included', () => {
    const t = table({ rows: 5, dim: 3 });
    const out = t.lookup(Int32Array.from([4, 0, 4]));
    expect(out.shape).toEqual([3, 3]);
    expectTensorsClose(out, [...t.getRow(4), ...t.getRow(0), ...t.getRow(4)], 0);
    out.dispose();
  });

  it('leaves nothing pending and no tensors behind when not training', async () => {
    const t = table({ rows: 5, dim: 3 });
    await expectNoTensorLeak(() => {
      const out = t.lookup(Int32Array.from([1, 2]));
      const pooled = t.lookupBag({
        offsets: Int32Array.from([0, 1, 2]),
        values: Int32Array.from([3, 4]),
        combiner: 'mean',
      });
      const s = tf.tidy(() => tf.add(tf.sum(out), tf.sum(pooled)));
      s.dataSync();
      tf.dispose([out, pooled, s]);
    }, 'lookup');
    expect(t.pendingCount).toBe(0);
  });

  it('throws InvalidArgumentError for an index outside the table', () => {
    const t = table({ rows: 5, dim: 3 });
    expect(() => t.lookup(Int32Array.from([5]))).toThrow(InvalidArgumentError);
    expect(() => t.lookup(Int32Array.from([-1]))).toThrow(/outside/);
  });

  it('does not see later changes to the caller index array', () => {
    const t = table({ rows: 4, dim: 2, optimizer: { kind: 'sgd', learningRate: 1 } });
    const indices = Int32Array.from([1]);
    const before = t.getRow(1);
    const { value, grads } = tf.variableGrads(() => {
      const rows = t.lookup(indices);
      indices[0] = 2;
      return tf.sum(rows) as tf.Scalar;
    }, [t.anchor]);
    tf.dispose([value, ...Object.values(grads)]);
    sparse(t).applyGradients();
    expectTensorsClose(
      t.getRow(1),
      Array.from(before, (v) => v - 1),
      1e-6,
    );
  });
});

describe('lookupBag', () => {
  it('pools with mean, sum and weights; an empty bag gives zeros', () => {
    const t = table({ rows: 6, dim: 2 });
    t.setRows({
      indices: Int32Array.from([0, 1, 2, 3]),
      values: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
    });
    const offsets = Int32Array.from([0, 2, 2, 5]);
    const values = Int32Array.from([0, 1, 2, 3, 3]);
    const mean = t.lookupBag({ offsets, values, combiner: 'mean' });
    expectTensorsClose(mean, [2, 3, 0, 0, (5 + 7 + 7) / 3, (6 + 8 + 8) / 3], 1e-6);
    const sum = t.lookupBag({ offsets, values, combiner: 'sum' });
    expectTensorsClose(sum, [4, 6, 0, 0, 19, 22], 1e-6);
    const weights = Float32Array.from([1, 3, 2, 1, 1]);
    const weightedMean = t.lookupBag({ offsets, values, weights, combiner: 'mean' });
    expectTensorsClose(
      weightedMean,
      [(1 + 9) / 4, (2 + 12) / 4, 0, 0, (10 + 7 + 7) / 4, (12 + 8 + 8) / 4],
      1e-6,
    );
    const weightedSum = t.lookupBag({ offsets, values, weights, combiner: 'sum' });
    expectTensorsClose(weightedSum, [10, 14, 0, 0, 24, 28], 1e-6);
    tf.dispose([mean, sum, weightedMean, weightedSum]);
  });

  it('validates offsets and weights', () => {
    const t = table({ rows: 3, dim: 2 });
    const values = Int32Array.from([0, 1]);
    expect(() => t.lookupBag({ offsets: Int32Array.from([1, 2]), values, combiner: 'mean' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => t.lookupBag({ offsets: Int32Array.from([0, 2, 1]), values, combiner: 'mean' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => t.lookupBag({ offsets: Int32Array.from([0, 1]), values, combiner: 'mean' })).toThrow(
      ShapeMismatchError,
    );
    expect(() =>
      t.lookupBag({
        offsets: Int32Array.from([0, 2]),
        values,
        weights: new Float32Array(1),
        combiner: 'sum',
      }),
    ).toThrow(ShapeMismatchError);
    expect(() =>
      t.lookupBag({ offsets: Int32Array.from([0, 2]), values: Int32Array.from([0, 3]), combiner: 'sum' }),
    ).toThrow(InvalidArgumentError);
  });

  it('gradient equals the dense reference (tf.gather + pooling matMul) under SGD', () => {
    const rows = 12;
    const dim = 4;
    const lr = 0.3;
    const t = table({ rows, dim, optimizer: { kind: 'sgd', learningRate: lr } });
    const offsets = Int32Array.from([0, 3, 3, 4, 8]);
    const values = Int32Array.from([1, 5, 1, 7, 5, 5, 2, 9]);
    const bagWeights = Float32Array.from([1, 2, 0.5, 1, 1, 3, 1, 2]);
    const target = tf.tensor2d(randomArray(4 * dim, 1), [4, dim]);
    const linear = tf.tensor2d(randomArray(4 * dim, 2), [4, dim]);
    // dense reference: pooling matrix P[b, j] = w_j / sum_b w (mean)
    const pooling = new Float32Array(4 * values.length);
    for (let b = 0; b < 4; b++) {
      const start = offsets[b] as number;
      const end = offsets[b + 1] as number;
      let total = 0;
      for (let j = start; j < end; j++) total += bagWeights[j] as number;
      for (let j = start; j < end; j++) pooling[b * values.length + j] = (bagWeights[j] as number) / total;
    }
    const reference = tf.variable(tf.tensor2d(t.weights.slice(), [rows, dim]));
    const referenceOptimizer = tf.train.sgd(lr);
    const referenceLoss = referenceOptimizer.minimize(
      () =>
        tf.tidy(() =>
          quadraticLoss(
            tf.matMul(tf.tensor2d(pooling, [4, values.length]), denseGather(reference, values)),
            target,
            linear,
          ),
        ),
      true,
      [reference],
    ) as tf.Scalar;

    const { value, grads } = tf.variableGrads(
      () =>
        quadraticLoss(
          t.lookupBag({ offsets, values, weights: bagWeights, combiner: 'mean' }),
          target,
          linear,
        ),
      [t.anchor],
    );
    expect(value.dataSync()[0]).toBeCloseTo(referenceLoss.dataSync()[0] as number, 4);
    expect(grads[t.anchor.name]?.dataSync()[0]).toBe(0);
    expect(t.pendingCount).toBe(1);
    const summary = sparse(t).applyGradients();
    expect(summary.touchedRows).toBe(5);
    expect(t.pendingCount).toBe(0);
    expectTensorsClose(t.weights, reference, 1e-5);
    tf.dispose([value, ...Object.values(grads), reference, referenceLoss, target, linear]);
    referenceOptimizer.dispose();
  });
});

describe('sparse gradients vs the dense tf.gather reference', () => {
  const rows = 20;
  const dim = 6;
  const indices = Int32Array.from([3, 7, 3, 11, 0, 3, 7]); // duplicates: 3 x3, 7 x2

  function denseStep(
    initial: Float32Array,
    optimizer: tf.Optimizer,
    steps: Int32Array[],
    target: tf.Tensor2D,
    linear: tf.Tensor2D,
  ): Float32Array {
    const reference = tf.variable(tf.tensor2d(initial.slice(), [rows, dim]));
    for (const stepIndices of steps) {
      const loss = optimizer.minimize(
        () => tf.tidy(() => quadraticLoss(denseGather(reference, stepIndices), target, linear)),
        true,
        [reference],
      );
      loss?.dispose();
    }
    const out = Float32Array.from(reference.dataSync() as Float32Array);
    reference.dispose();
    optimizer.dispose();
    return out;
  }

  function sparseStep(
    t: EmbeddingTable,
    steps: Int32Array[],
    target: tf.Tensor2D,
    linear: tf.Tensor2D,
  ): void {
    for (const stepIndices of steps) {
      const { value, grads } = tf.variableGrads(
        () => quadraticLoss(t.lookup(stepIndices), target, linear),
        [t.anchor],
      );
      tf.dispose([value, ...Object.values(grads)]);
      sparse(t).applyGradients();
    }
  }

  it('SGD: identical updated rows, duplicates summed, other rows untouched', () => {
    const lr = 0.05;
    const t = table({ rows, dim, optimizer: { kind: 'sgd', learningRate: lr } });
    const initial = t.weights.slice();
    const target = tf.tensor2d(randomArray(indices.length * dim, 11), [indices.length, dim]);
    const linear = tf.tensor2d(randomArray(indices.length * dim, 12), [indices.length, dim]);
    const expected = denseStep(initial, tf.train.sgd(lr), [indices], target, linear);
    sparseStep(t, [indices], target, linear);
    expectTensorsClose(t.weights, expected, 1e-5);
    // duplicates summed: row 3 moved by lr * sum over its 3 occurrences of (E - T + C)
    const e = initial.subarray(3 * dim, 4 * dim);
    const tData = target.dataSync();
    const cData = linear.dataSync();
    for (let d = 0; d < dim; d++) {
      let g = 0;
      for (const k of [0, 2, 5])
        g += (e[d] as number) - (tData[k * dim + d] as number) + (cData[k * dim + d] as number);
      expect(t.weights[3 * dim + d]).toBeCloseTo((e[d] as number) - lr * g, 5);
    }
    for (const row of [1, 2, 4, 5, 6, 8, 19])
      expect(Array.from(t.getRow(row))).toEqual(Array.from(initial.subarray(row * dim, (row + 1) * dim)));
    tf.dispose([target, linear]);
  });

  it('Adagrad: identical to tf.train.adagrad over several steps', () => {
    const lr = 0.1;
    const t = table({ rows, dim, optimizer: { kind: 'adagrad', learningRate: lr, initialAccumulator: 0.1 } });
    const initial = t.weights.slice();
    const steps = [indices, Int32Array.from([1, 2, 3, 4, 5, 6, 7]), indices];
    const target = tf.tensor2d(randomArray(indices.length * dim, 21), [indices.length, dim]);
    const linear = tf.tensor2d(randomArray(indices.length * dim, 22), [indices.length, dim]);
    const expected = denseStep(initial, tf.train.adagrad(lr, 0.1), steps, target, linear);
    sparseStep(t, steps, target, linear);
    expectTensorsClose(t.weights, expected, 1e-5);
    const accumulator = sparse(t).state().accumulator as Float32Array;
    expect(accumulator[19 * dim]).toBeCloseTo(0.1, 7); // never touched
    expect(accumulator[3 * dim]).toBeGreaterThan(0.1);
    tf.dispose([target, linear]);
  });

  it('Adam: rows touched every step match tf.train.adam; untouched rows keep weights and moments (lazy)', () => {
    const lr = 0.01;
    const t = table({ rows, dim, optimizer: { kind: 'adam', learningRate: lr } });
    const initial = t.weights.slice();
    const stepA = Int32Array.from([3, 7, 3, 11]);
    const stepB = Int32Array.from([3, 12, 3, 7]);
    const target = tf.tensor2d(randomArray(4 * dim, 31), [4, dim]);
    const linear = tf.tensor2d(randomArray(4 * dim, 32), [4, dim]);
    const expected = denseStep(initial, tf.train.adam(lr), [stepA, stepB], target, linear);

    sparseStep(t, [stepA], target, linear);
    const state = sparse(t).state();
    const momentsOf = (row: number) => ({
      m: Array.from((state.firstMoment as Float32Array).subarray(row * dim, (row + 1) * dim)),
      v: Array.from((state.secondMoment as Float32Array).subarray(row * dim, (row + 1) * dim)),
    });
    const row11AfterA = { weights: Array.from(t.getRow(11)), ...momentsOf(11) };
    sparseStep(t, [stepB], target, linear);

    // rows 3 and 7 were touched in both steps: same as dense Adam (step count 2)
    for (const row of [3, 7])
      expectTensorsClose(t.getRow(row), expected.subarray(row * dim, (row + 1) * dim), 1e-5);
    // row 11: touched in step A only -> no momentum drift in step B, moments and step count frozen
    expect(Array.from(t.getRow(11))).toEqual(row11AfterA.weights);
    expect(momentsOf(11)).toEqual({ m: row11AfterA.m, v: row11AfterA.v });
    expect(expected[11 * dim]).not.toBeCloseTo(row11AfterA.weights[0] as number, 6); // dense Adam does drift
    // row 12: first touch in step B -> bias correction with its own step count 1: update = -lr * g / (|g| + eps)
    const stepCounts = state.stepCounts as Int32Array;
    expect([stepCounts[3], stepCounts[7], stepCounts[11], stepCounts[12], stepCounts[0]]).toEqual([
      2, 2, 1, 1, 0,
    ]);
    const e12 = initial.subarray(12 * dim, 13 * dim);
    const tData = target.dataSync();
    const cData = linear.dataSync();
    for (let d = 0; d < dim; d++) {
      const g = (e12[d] as number) - (tData[1 * dim + d] as number) + (cData[1 * dim + d] as number);
      expect(t.weights[12 * dim + d]).toBeCloseTo((e12[d] as number) - (lr * g) / (Math.abs(g) + 1e-7), 5);
    }
    // never touched rows: unchanged, zero moments
    for (const row of [0, 1, 19]) {
      expect(Array.from(t.getRow(row))).toEqual(Array.from(initial.subarray(row * dim, (row + 1) * dim)));
      expect(momentsOf(row).m.every((x) => x === 0)).toBe(true);
    }
    tf.dispose([target, linear]);
  });

  it('lookups from several calls in one loss are all recorded and summed', () => {
    const lr = 0.5;
    const t = table({ rows: 4, dim: 2, optimizer: { kind: 'sgd', learningRate: lr } });
    const initial = t.weights.slice();
    const { value, grads } = tf.variableGrads(
      () =>
        tf.add(
          tf.sum(t.lookup(Int32Array.from([1]))),
          tf.mul(tf.sum(t.lookup(Int32Array.from([1, 2]))), 2),
        ) as tf.Scalar,
      [t.anchor],
    );
    tf.dispose([value, ...Object.values(grads)]);
    expect(t.pendingCount).toBe(2);
    expect(t.sparseGradientSquaredNorm()).toBeCloseTo(2 * 3 * 3 + 2 * 2 * 2, 6);
    sparse(t).applyGradients();
    expect(Array.from(t.getRow(1))).toEqual(
      Array.from(initial.subarray(2, 4), (v) => Math.fround(v - lr * 3)),
    );
    expect(Array.from(t.getRow(2))).toEqual(
      Array.from(initial.subarray(4, 6), (v) => Math.fround(v - lr * 2)),
    );
    expect(Array.from(t.getRow(0))).toEqual(Array.from(initial.subarray(0, 2)));
  });

  it('clearGradients drops pending state and applyGradients with scale scales the step', () => {
    const t = table({ rows: 3, dim: 2, optimizer: { kind: 'sgd', learningRate: 1 } });
    const initial = t.weights.slice();
    const record = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(t.lookup(Int32Array.from([0]))) as tf.Scalar,
        [t.anchor],
      );
      tf.dispose([value, ...Object.values(grads)]);
    };
    record();
    t.clearGradients();
    expect(sparse(t).applyGradients().touchedRows).toBe(0);
    expect(Array.from(t.weights)).toEqual(Array.from(initial));
    record();
    sparse(t).applyGradients({ scale: 0.25 });
    expect(Array.from(t.getRow(0))).toEqual(Array.from(initial.subarray(0, 2), (v) => Math.fround(v - 0.25)));
  });

  it('the gradient pass leaks no tensors', async () => {
    const t = table({ rows, dim, optimizer: { kind: 'adam', learningRate: 0.01 } });
    await expectNoTensorLeak(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(t.lookup(indices))) as tf.Scalar,
        [t.anchor],
      );
      tf.dispose([value, ...Object.values(grads)]);
      sparse(t).applyGradients();
    }, 'gradient pass');
  });
});

describe('weights access', () => {
  it('getRow/setRows read and write rows and validate', () => {
    const t = table({ rows: 4, dim: 3 });
    t.setRows({ indices: Int32Array.from([2]), values: Float32Array.from([1, 2, 3]) });
    expect(Array.from(t.getRow(2))).toEqual([1, 2, 3]);
    const row = t.getRow(2);
    row[0] = 99;
    expect(t.getRow(2)[0]).toBe(1);
    expect(() => t.setRows({ indices: Int32Array.from([2]), values: new Float32Array(2) })).toThrow(
      ShapeMismatchError,
    );
    expect(() => t.getRow(4)).toThrow(InvalidArgumentError);
  });

  it('round-trips through named weights and rejects bad maps', () => {
    const a = table({ rows: 4, dim: 3, seed: 1 });
    const b = table({ rows: 4, dim: 3, seed: 2 });
    const named = a.toNamedWeights();
    expect(Object.keys(named)).toEqual(['test/table/embeddings']);
    expect(named['test/table/embeddings']?.shape).toEqual([4, 3]);
    b.loadNamedWeights(named);
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
    expect(() => b.loadNamedWeights({})).toThrow(MissingArtifactError);
    expect(() =>
      b.loadNamedWeights({ 'test/table/embeddings': { shape: [3, 4], data: new Float32Array(12) } }),
    ).toThrow(ShapeMismatchError);
  });

  it('dispose frees the anchor and makes the table unusable', () => {
    const t = createEmbeddingTable({ name: 'disposable', rows: 2, dim: 2, seed: 1 });
    const before = tf.memory().numTensors;
    t.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    expect(() => t.lookup(Int32Array.from([0]))).toThrow(InvalidArgumentError);
  });
});

describe('sparse optimizer loadState', () => {
  const step = (optimizer: SparseOptimizer, indices: number[], target: number) => {
    const { table } = optimizer;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(tf.sub(table.lookup(Int32Array.from(indices)), target))) as tf.Scalar,
      [table.anchor],
    );
    tf.dispose([value, ...Object.values(grads)]);
    optimizer.applyGradients();
  };

  it('a table restored from weights + optimizer state continues exactly like the original', () => {
    const config = { kind: 'adam' as const, learningRate: 0.05 };
    const original = createEmbeddingTable({ name: 'orig', rows: 6, dim: 3, seed: 4 });
    const originalOptimizer = createSparseOptimizer({ table: original, ...config });
    step(originalOptimizer, [0, 1, 1], 0.5);
    step(originalOptimizer, [2, 1], -0.3);
    const restored = createEmbeddingTable({ name: 'copy', rows: 6, dim: 3, seed: 99 });
    const restoredOptimizer = createSparseOptimizer({ table: restored, ...config });
    restored.loadNamedWeights({ 'copy/embeddings': original.toNamedWeights()['orig/embeddings']! });
    restoredOptimizer.loadState(originalOptimizer.state());
    step(originalOptimizer, [1, 3], 0.2);
    step(restoredOptimizer, [1, 3], 0.2);
    expect(Array.from(restored.weights)).toEqual(Array.from(original.weights));
    expect(Array.from(restoredOptimizer.state().stepCounts!)).toEqual([1, 3, 1, 1, 0, 0]);
    original.dispose();
    restored.dispose();
  });

  it('rejects another optimizer kind, missing fields and wrong lengths', () => {
    const table = createEmbeddingTable({ name: 't', rows: 4, dim: 2, seed: 1 });
    const optimizer = createSparseOptimizer({ table, kind: 'adam', learningRate: 0.1 });
    expect(() => optimizer.loadState({ kind: 'adagrad', accumulator: new Float32Array(8) })).toThrow(
      /uses adam, the state is for adagrad/,
    );
    expect(() => optimizer.loadState({ kind: 'adam', stepCounts: new Int32Array(4) })).toThrow(
      /firstMoment: is required/,
    );
    expect(() =>
      optimizer.loadState({
        kind: 'adam',
        stepCounts: new Int32Array(4),
        firstMoment: new Float32Array(8),
        secondMoment: new Float32Array(7),
      }),
    ).toThrow(/secondMoment has the wrong length/);
    table.dispose();
  });
});
