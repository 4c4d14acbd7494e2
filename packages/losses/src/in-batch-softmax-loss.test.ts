import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type InBatchSoftmaxLossOptions, inBatchSoftmaxLoss } from './in-batch-softmax-loss';

const E = Math.E;
const lse = (...values: number[]) => Math.log(values.reduce((sum, v) => sum + Math.exp(v), 0));

// q0 = [1, 0], q1 = [0, 1]; c0 = [1, 0], c1 = [1, 1] -> raw logits [[1, 1], [0, 1]]
function twoByTwo() {
  return {
    queries: tf.tensor2d([
      [1, 0],
      [0, 1],
    ]),
    candidates: tf.tensor2d([
      [1, 0],
      [1, 1],
    ]),
  };
}

describe('inBatchSoftmaxLoss', () => {
  it('matches hand-computed cross-entropy with temperature 1 and 0.5', () => {
    const { queries, candidates } = twoByTwo();
    // T = 1: row 0 log(e + e) - 1 = ln 2; row 1 log(1 + e) - 1
    const perQuery = inBatchSoftmaxLoss({ queries, candidates, temperature: 1, reduction: 'none' });
    expectTensorsClose(perQuery, [Math.LN2, Math.log(1 + E) - 1]);
    const mean = inBatchSoftmaxLoss({ queries, candidates, temperature: 1 });
    expect(mean.shape).toEqual([]);
    expectTensorsClose(mean, [(Math.LN2 + Math.log(1 + E) - 1) / 2]);
    // T = 0.5: logits [[2, 2], [0, 2]]
    const sharp = inBatchSoftmaxLoss({ queries, candidates, temperature: 0.5, reduction: 'none' });
    expectTensorsClose(sharp, [Math.LN2, Math.log(1 + E ** 2) - 2]);
    tf.dispose([queries, candidates, perQuery, mean, sharp]);
  });

  it('uses temperature 0.05 by default', () => {
    const { queries, candidates } = twoByTwo();
    const loss = inBatchSoftmaxLoss({ queries, candidates, reduction: 'none' });
    // logits [[20, 20], [0, 20]]: row 1 = log(1 + e^20) - 20 = log(1 + e^-20)
    expectTensorsClose(loss, [Math.LN2, Math.log1p(Math.exp(-20))], 1e-6);
    tf.dispose([queries, candidates, loss]);
  });

  it('subtracts logQ from every column, the positive included', () => {
    const { queries, candidates } = twoByTwo();
    const candidateLogQ = tf.tensor1d([Math.log(0.5), Math.log(0.25)]);
    // logits - logQ = [[1 + ln2, 1 + ln4], [ln2, 1 + ln4]]
    // row 0: log(2e + 4e) - (1 + ln 2) = ln 3; row 1: log(2 + 4e) - (1 + ln 4) = log(1 + 1 / (2e))
    const loss = inBatchSoftmaxLoss({
      queries,
      candidates,
      temperature: 1,
      candidateLogQ,
      reduction: 'none',
    });
    expectTensorsClose(loss, [Math.log(3), Math.log(1 + 1 / (2 * E))]);
    tf.dispose([queries, candidates, candidateLogQ, loss]);
  });

  it('masks accidental hits (same id as the positive) but keeps the diagonal', () => {
    // q = [[1,0],[0,1],[1,1]], c = [[1,0],[0,1],[0.5,0.5]] -> logits [[1,0,.5],[0,1,.5],[1,1,1]]; ids 5, 6, 5
    const queries = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    const candidates = tf.tensor2d([
      [1, 0],
      [0, 1],
      [0.5, 0.5],
    ]);
    const candidateIds = Int32Array.of(5, 6, 5);
    const loss = inBatchSoftmaxLoss({ queries, candidates, temperature: 1, candidateIds, reduction: 'none' });
    // row 0 drops column 2, row 2 drops column 0, row 1 keeps everything
    expectTensorsClose(loss, [lse(1, 0) - 1, lse(0, 1, 0.5) - 1, lse(1, 1) - 1]);
    const unmasked = inBatchSoftmaxLoss({ queries, candidates, temperature: 1, reduction: 'none' });
    expectTensorsClose(unmasked, [lse(1, 0, 0.5) - 1, lse(0, 1, 0.5) - 1, lse(1, 1, 1) - 1]);
    // all-same ids: only the diagonal survives, loss 0
    const allSame = inBatchSoftmaxLoss({
      queries,
      candidates,
      temperature: 1,
      candidateIds: Int32Array.of(1, 1, 1),
    });
    expectTensorsClose(allSame, [0]);
    tf.dispose([queries, candidates, loss, unmasked, allSame]);
  });

  it('adds extra negatives with their own logQ and id masking', () => {
    const { queries, candidates } = twoByTwo();
    const extraNegatives = tf.tensor2d([[0, 2]]); // logits 0 (row 0) and 2 (row 1)
    const extraNegativeLogQ = tf.tensor1d([Math.log(0.5)]);
    const loss = inBatchSoftmaxLoss({
      queries,
      candidates,
      temperature: 1,
      extraNegatives,
      extraNegativeLogQ,
      reduction: 'none',
    });
    // extra column after correction: row 0 ln 2 (exp 2), row 1 2 + ln 2 (exp 2e^2)
    expectTensorsClose(loss, [Math.log(2 * E + 2) - 1, Math.log(1 + E + 2 * E ** 2) - 1]);
    const masked = inBatchSoftmaxLoss({
      queries,
      candidates,
      temperature: 1,
      extraNegatives,
      extraNegativeLogQ,
      candidateIds: Int32Array.of(1, 2),
      extraNegativeIds: Int32Array.of(2), // the extra negative is query 1's positive
      reduction: 'none',
    });
    expectTensorsClose(masked, [Math.log(2 * E + 2) - 1, Math.log(1 + E) - 1]);
    tf.dispose([queries, candidates, extraNegatives, extraNegativeLogQ, loss, masked]);
  });

  it('stays finite for huge logits (log-sum-exp is stabilised)', () => {
    const queries = tf.tensor2d([
      [100, 0],
      [0, 100],
    ]);
    const candidates = tf.tensor2d([
      [100, 0],
      [0, 100],
    ]);
    // temperature 0.01: logits [[1e6, 0], [0, 1e6]] -> loss ~ 0; swapped positives -> 1e6
    const loss = inBatchSoftmaxLoss({ queries, candidates, temperature: 0.01, reduction: 'none' });
    expectTensorsClose(loss, [0, 0]);
    const swapped = tf.reverse(candidates, 0) as tf.Tensor2D;
    const wrong = inBatchSoftmaxLoss({ queries, candidates: swapped, temperature: 0.01, reduction: 'none' });
    expectTensorsClose(wrong, [1e6, 1e6], 1);
    tf.dispose([queries, candidates, loss, swapped, wrong]);
  });

  it('has finite gradients with masking, logQ and extra negatives', () => {
    const random = seededRandom(7);
    const queries = tf.tensor2d(
      Array.from({ length: 12 }, () => random() - 0.5),
      [4, 3],
    );
    const candidates = tf.tensor2d(
      Array.from({ length: 12 }, () => random() - 0.5),
      [4, 3],
    );
    const extraNegatives = tf.tensor2d(
      Array.from({ length: 6 }, () => random() - 0.5),
      [2, 3],
    );
    const candidateLogQ = tf.tensor1d([-1, -2, -3, -1]);
    const [gq, gc] = tf.grads((q: tf.Tensor, c: tf.Tensor) =>
      inBatchSoftmaxLoss({
        queries: q as tf.Tensor2D,
        candidates: c as tf.Tensor2D,
        candidateLogQ,
        candidateIds: Int32Array.of(0, 1, 0, 2),
        extraNegatives,
      }),
    )([queries, candidates]);
    for (const gradient of [gq!, gc!]) {
      const values = Array.from(gradient.dataSync());
      expect(values.every(Number.isFinite)).toBe(true);
      expect(values.some((v) => v !== 0)).toBe(true);
    }
    tf.dispose([queries, candidates, extraNegatives, candidateLogQ, gq!, gc!]);
  });

  it('decreases under a few SGD steps on a toy problem', () => {
    const random = seededRandom(3);
    const queries = tf.variable(
      tf.tensor2d(
        Array.from({ length: 24 }, () => random() - 0.5),
        [6, 4],
      ),
    );
    const candidates = tf.variable(
      tf.tensor2d(
        Array.from({ length: 24 }, () => random() - 0.5),
        [6, 4],
      ),
    );
    const optimizer = tf.train.sgd(0.5);
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const cost = optimizer.minimize(
        () => inBatchSoftmaxLoss({ queries, candidates, temperature: 0.5 }),
        true,
        [queries, candidates],
      );
      losses.push(cost!.dataSync()[0]!);
      cost!.dispose();
    }
    expect(losses[19]!).toBeLessThan(losses[0]! * 0.5);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThanOrEqual(losses[i - 1]! + 1e-6);
    tf.dispose([queries, candidates]);
    optimizer.dispose();
  });

  it('does not leak tensors and does not dispose its inputs', async () => {
    const { queries, candidates } = twoByTwo();
    const candidateLogQ = tf.tensor1d([-1, -2]);
    const extraNegatives = tf.tensor2d([[0, 2]]);
    const extraNegativeLogQ = tf.tensor1d([0]);
    await expectNoTensorLeak(() => {
      const loss = inBatchSoftmaxLoss({
        queries,
        candidates,
        candidateLogQ,
        candidateIds: Int32Array.of(1, 1),
        extraNegatives,
        extraNegativeLogQ,
        extraNegativeIds: Int32Array.of(3),
      });
      loss.dispose();
    }, 'inBatchSoftmaxLoss');
    expect(queries.isDisposed || candidates.isDisposed || candidateLogQ.isDisposed).toBe(false);
    tf.dispose([queries, candidates, candidateLogQ, extraNegatives, extraNegativeLogQ]);
  });

  it('rejects bad shapes and arguments with typed errors', () => {
    const { queries, candidates } = twoByTwo();
    const wide = tf.zeros([2, 3]) as tf.Tensor2D;
    const logQ3 = tf.zeros([3]) as tf.Tensor1D;
    expect(() => inBatchSoftmaxLoss({ queries, candidates: wide })).toThrow(ShapeMismatchError);
    expect(() => inBatchSoftmaxLoss({ queries, candidates, candidateLogQ: logQ3 })).toThrow(
      ShapeMismatchError,
    );
    expect(() => inBatchSoftmaxLoss({ queries, candidates, candidateIds: Int32Array.of(1) })).toThrow(
      ShapeMismatchError,
    );
    expect(() => inBatchSoftmaxLoss({ queries, candidates, extraNegatives: wide })).toThrow(
      ShapeMismatchError,
    );
    expect(() => inBatchSoftmaxLoss({ queries, candidates, temperature: 0 })).toThrow(InvalidArgumentError);
    expect(() => inBatchSoftmaxLoss({ queries, candidates, reduction: 'sum' as 'mean' })).toThrow(
      InvalidArgumentError,
    );
    tf.dispose([queries, candidates, wide, logQ3]);
  });
});

describe('inBatchSoftmaxLoss gradient', () => {
  it('matches the gradient of the stock tf.logSumExp formulation, masking included', () => {
    const queries = tf.tensor2d([
      [0.3, -0.2],
      [0.1, 0.9],
      [-0.5, 0.4],
    ]);
    const candidates = tf.tensor2d([
      [0.2, 0.1],
      [-0.3, 0.7],
      [0.6, -0.1],
    ]);
    const ids = Int32Array.from([4, 9, 4]);
    const ours = tf.grads((q: tf.Tensor, c: tf.Tensor) =>
      inBatchSoftmaxLoss({
        queries: q as tf.Tensor2D,
        candidates: c as tf.Tensor2D,
        temperature: 0.5,
        candidateIds: ids,
      }),
    )([queries, candidates]);
    const mask = tf.tensor2d(
      [
        [0, 0, 1],
        [0, 0, 0],
        [1, 0, 0],
      ],
      [3, 3],
      'bool',
    );
    const reference = tf.grads((q: tf.Tensor, c: tf.Tensor) => {
      const logits = tf.div(tf.matMul(q as tf.Tensor2D, c as tf.Tensor2D, false, true), 0.5);
      const positive = tf.sum(tf.mul(logits, tf.eye(3)), 1);
      const masked = tf.where(mask, tf.fill([3, 3], Number.NEGATIVE_INFINITY), logits);
      return tf.mean(tf.sub(tf.logSumExp(masked, 1), positive));
    })([queries, candidates]);
    expectTensorsClose(ours[0]!, reference[0]!, 1e-6);
    expectTensorsClose(ours[1]!, reference[1]!, 1e-6);
    tf.dispose([queries, candidates, mask, ...ours, ...reference]);
  });
});

describe('inBatchSoftmaxLoss with fusedKernels', () => {
  const random = seededRandom(21);
  const matrix = (rows: number, columns: number, scale = 1) =>
    tf.tensor2d(
      Array.from({ length: rows * columns }, () => (random() * 2 - 1) * scale),
      [rows, columns],
    );
  type Case = Omit<InBatchSoftmaxLossOptions, 'queries' | 'candidates'>;
  const cases: [string, Case][] = [
    ['plain, temperature 0.3', { temperature: 0.3 }],
    ['logQ and accidental hits', { temperature: 0.1, candidateIds: Int32Array.of(3, 1, 3, 7, 1, 2) }],
    ['extra negatives with logQ and id masking, per-query', { temperature: 0.2, reduction: 'none' }],
    ['extra negatives without any logQ', { temperature: 0.5 }],
  ];
  for (const [label, base] of cases) {
    it(`gives the stock value and gradients: ${label}`, () => {
      const queries = matrix(6, 4);
      const candidates = matrix(6, 4);
      const options: Case = { ...base };
      const owned: tf.Tensor[] = [queries, candidates];
      if (label.includes('logQ and')) {
        options.candidateLogQ = tf.tensor1d([-1, -2.5, -0.3, -4, -1.2, -2]);
        owned.push(options.candidateLogQ);
      }
      if (label.startsWith('extra')) {
        options.extraNegatives = matrix(3, 4);
        owned.push(options.extraNegatives);
        if (label.includes('with logQ')) {
          options.candidateLogQ = tf.tensor1d([-1, -2, -3, -1, -2, -3]);
          options.extraNegativeLogQ = tf.tensor1d([-5, -5, -5]);
          options.candidateIds = Int32Array.of(0, 1, 2, 3, 4, 5);
          options.extraNegativeIds = Int32Array.of(9, 4, 1);
          owned.push(options.candidateLogQ, options.extraNegativeLogQ);
        }
      }
      const run = (fusedKernels: boolean) =>
        tf.tidy(() => {
          // Weights per query make the 'none' reduction's upstream gradient non-uniform.
          const weights = tf.tensor1d([1, 2, 0.5, 1, 3, 1]);
          const f = (q: tf.Tensor, c: tf.Tensor) => {
            const loss = inBatchSoftmaxLoss({
              ...options,
              queries: q as tf.Tensor2D,
              candidates: c as tf.Tensor2D,
              fusedKernels,
            });
            return loss.rank === 0 ? loss : tf.sum(tf.mul(loss, weights));
          };
          const value = f(queries, candidates);
          const [gq, gc] = tf.grads(f)([queries, candidates]);
          return { value, gq: gq as tf.Tensor, gc: gc as tf.Tensor };
        });
      const stock = run(false);
      const fused = run(true);
      expectTensorsClose(fused.value, stock.value, 2e-5);
      expectTensorsClose(fused.gq, stock.gq, 2e-5);
      expectTensorsClose(fused.gc, stock.gc, 2e-5);
      tf.dispose([...owned, stock, fused]);
    });
  }

  it('is exact for huge logits and when every off-diagonal id is a hit', () => {
    const queries = tf.tensor2d([
      [100, 0],
      [0, 100],
    ]);
    const swapped = tf.tensor2d([
      [0, 100],
      [100, 0],
    ]);
    const wrong = inBatchSoftmaxLoss({
      queries,
      candidates: swapped,
      temperature: 0.01,
      reduction: 'none',
      fusedKernels: true,
    });
    expectTensorsClose(wrong, [1e6, 1e6], 1);
    const allSame = inBatchSoftmaxLoss({
      queries,
      candidates: swapped,
      temperature: 1,
      candidateIds: Int32Array.of(4, 4),
      fusedKernels: true,
    });
    expectTensorsClose(allSame, [0]);
    tf.dispose([queries, swapped, wrong, allSame]);
  });

  it('does not leak tensors and does not dispose its inputs', async () => {
    const queries = matrix(4, 3);
    const candidates = matrix(4, 3);
    const extraNegatives = matrix(2, 3);
    await expectNoTensorLeak(() => {
      const [gq, gc] = tf.grads((q: tf.Tensor, c: tf.Tensor) =>
        inBatchSoftmaxLoss({
          queries: q as tf.Tensor2D,
          candidates: c as tf.Tensor2D,
          candidateIds: Int32Array.of(1, 1, 2, 3),
          extraNegatives,
          fusedKernels: true,
        }),
      )([queries, candidates]);
      tf.dispose([gq!, gc!]);
    }, 'fused in-batch softmax');
    expect(queries.isDisposed || candidates.isDisposed || extraNegatives.isDisposed).toBe(false);
    tf.dispose([queries, candidates, extraNegatives]);
  });
});
