import { ShapeMismatchError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';
import { expectPositive, expectReduction, expectShape, type LossReduction } from './validate';

/** Options of {@link inBatchSoftmaxLoss}. */
export interface InBatchSoftmaxLossOptions {
  /** Query (user / trigger) embeddings, `[B, d]`. */
  queries: tf.Tensor2D;
  /** Candidate (item) embeddings, `[B, d]`; row `i` is the positive of query `i`, every other row a negative. */
  candidates: tf.Tensor2D;
  /** Softmax temperature: logits are `q . c / temperature`. Default 0.05. */
  temperature?: number;
  /**
   * Log sampling probability of each in-batch candidate, `[B]` (see `logQFromCounts`). Subtracted from
   * every column, the positive included (logQ correction, Yi et al. 2019 / TFRS), after the temperature.
   */
  candidateLogQ?: tf.Tensor1D;
  /**
   * Item ids of the in-batch candidates, length B. Column `j != i` holding the same id as query `i`'s
   * positive is an accidental hit and is removed from row `i` (logit -Infinity). The diagonal is kept.
   */
  candidateIds?: Int32Array;
  /** Extra negatives shared by all queries (e.g. uniformly sampled items), `[M, d]`. */
  extraNegatives?: tf.Tensor2D;
  /** Log sampling probability of each extra negative, `[M]`, subtracted like `candidateLogQ`. */
  extraNegativeLogQ?: tf.Tensor1D;
  /** Item ids of the extra negatives, length M; with `candidateIds`, an extra negative equal to a query's positive is masked. */
  extraNegativeIds?: Int32Array;
  /** `'mean'` (default) returns a scalar; `'none'` returns the per-query losses `[B]`. */
  reduction?: LossReduction;
  /**
   * One softmax kernel forward and a closed-form gradient `(softmax - onehot) / (B T)` backward
   * (about 20 kernels per loss instead of about 60; see the package README). Same value and gradient
   * up to float rounding. Default false.
   */
  fusedKernels?: boolean;
}

/**
 * Sampled softmax over in-batch negatives: cross-entropy of each query against its own candidate among
 * all B candidates (plus M extra negatives), computed as `logSumExp(row) - logit(positive)`, which is
 * numerically stable for any temperature. Logits are `q . c / temperature - logQ(c)`.
 */
export function inBatchSoftmaxLoss(options: InBatchSoftmaxLossOptions & { reduction?: 'mean' }): tf.Scalar;
export function inBatchSoftmaxLoss(options: InBatchSoftmaxLossOptions & { reduction: 'none' }): tf.Tensor1D;
export function inBatchSoftmaxLoss(options: InBatchSoftmaxLossOptions): tf.Scalar | tf.Tensor1D;
export function inBatchSoftmaxLoss(options: InBatchSoftmaxLossOptions): tf.Scalar | tf.Tensor1D {
  const {
    queries,
    candidates,
    candidateLogQ,
    candidateIds,
    extraNegatives,
    extraNegativeLogQ,
    extraNegativeIds,
  } = options;
  const temperature = options.temperature ?? 0.05;
  const reduction = options.reduction ?? 'mean';
  expectPositive(temperature, 'temperature');
  expectReduction(reduction);
  expectShape(queries, [-1, -1], 'queries');
  const [batch, dim] = queries.shape;
  expectShape(candidates, [batch, dim], 'candidates');
  if (candidateLogQ !== undefined) expectShape(candidateLogQ, [batch], 'candidateLogQ');
  if (candidateIds !== undefined && candidateIds.length !== batch) {
    throw new ShapeMismatchError({
      message: 'candidateIds needs one id per candidate',
      expected: [batch],
      actual: [candidateIds.length],
    });
  }
  let extraCount = 0;
  if (extraNegatives !== undefined) {
    expectShape(extraNegatives, [-1, dim], 'extraNegatives');
    extraCount = extraNegatives.shape[0];
    if (extraNegativeLogQ !== undefined) expectShape(extraNegativeLogQ, [extraCount], 'extraNegativeLogQ');
    if (extraNegativeIds !== undefined && extraNegativeIds.length !== extraCount) {
      throw new ShapeMismatchError({
        message: 'extraNegativeIds needs one id per extra negative',
        expected: [extraCount],
        actual: [extraNegativeIds.length],
      });
    }
  } else if (extraNegativeLogQ !== undefined || extraNegativeIds !== undefined) {
    throw new ShapeMismatchError({
      message: 'extraNegativeLogQ / extraNegativeIds given without extraNegatives',
      expected: [0],
      actual: [1],
    });
  }

  if (options.fusedKernels === true) {
    return tf.tidy(() => {
      const all = extraNegatives === undefined ? candidates : tf.concat([candidates, extraNegatives], 0);
      let logQ: tf.Tensor1D | undefined;
      if (candidateLogQ !== undefined || extraNegativeLogQ !== undefined) {
        const inBatch: tf.Tensor1D = candidateLogQ ?? tf.zeros([batch]);
        logQ =
          extraNegatives === undefined
            ? inBatch
            : tf.concat([inBatch, extraNegativeLogQ ?? (tf.zeros([extraCount]) as tf.Tensor1D)]);
      }
      let hits: Uint8Array | undefined;
      if (candidateIds !== undefined) {
        const inBatchHits = accidentalHits(candidateIds, candidateIds, true);
        const extraHits =
          extraNegativeIds === undefined ? undefined : accidentalHits(candidateIds, extraNegativeIds, false);
        hits = joinHits(batch, batch, inBatchHits, extraCount, extraHits);
      }
      const perQuery = fusedSoftmaxCrossEntropy({
        queries,
        candidates: all,
        temperature,
        ...(logQ ? { logQ } : {}),
        ...(hits ? { hits } : {}),
        reduction,
      });
      return perQuery;
    });
  }

  return tf.tidy(() => {
    // Explicit transpose: the wasm kernel runs transposed products 10-25x slower than plain ones.
    let logits: tf.Tensor2D = tf.div(tf.matMul(queries, tf.transpose(candidates)), temperature);
    if (candidateLogQ !== undefined) logits = tf.sub(logits, tf.reshape(candidateLogQ, [1, batch]));
    // Positive logits taken from the same matrix (before any masking) so both terms agree exactly.
    const positive = tf.sum(tf.mul(logits, tf.eye(batch)), 1);
    if (candidateIds !== undefined)
      logits = maskColumns(logits, accidentalHits(candidateIds, candidateIds, true));
    if (extraNegatives !== undefined) {
      let extra: tf.Tensor2D = tf.div(tf.matMul(queries, tf.transpose(extraNegatives)), temperature);
      if (extraNegativeLogQ !== undefined)
        extra = tf.sub(extra, tf.reshape(extraNegativeLogQ, [1, extraCount]));
      if (candidateIds !== undefined && extraNegativeIds !== undefined) {
        extra = maskColumns(extra, accidentalHits(candidateIds, extraNegativeIds, false));
      }
      logits = tf.concat([logits, extra], 1);
    }
    const perQuery = tf.sub(rowLogSumExp(logits), positive) as tf.Tensor1D;
    return reduction === 'none' ? perQuery : tf.mean(perQuery);
  });
}

/**
 * Row-wise log-sum-exp whose gradient is the row softmax. `tf.logSumExp`'s own gradient runs through
 * `max` and its `equal` mask, which dominated a training step on the wasm backend.
 */
const rowLogSumExp = tf.customGrad(((logits: tf.Tensor, save: tf.GradSaveFunc) => {
  const value = tf.logSumExp(logits, 1);
  save([logits, value]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input, lse] = saved as [tf.Tensor2D, tf.Tensor1D];
      const rows = input.shape[0];
      return tf.mul(tf.reshape(dy, [rows, 1]), tf.exp(tf.sub(input, tf.reshape(lse, [rows, 1]))));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (logits: tf.Tensor2D) => tf.Tensor1D;

/** Options of {@link fusedSoftmaxCrossEntropy}. */
interface FusedSoftmaxOptions {
  queries: tf.Tensor2D;
  /** `[N, d]`: the B in-batch candidates (row i = positive of query i), then any extra negatives. */
  candidates: tf.Tensor2D;
  temperature: number;
  /** `[N]`, subtracted from every row. */
  logQ?: tf.Tensor1D;
  /** B x N, 1 = masked (logit -Infinity). Never on the diagonal. */
  hits?: Uint8Array;
  reduction: LossReduction;
}

/**
 * Cross-entropy of each query against column i of `softmax(q C^T / T - logQ)`. The value is
 * `max_j z_ij - z_ii - log max_j p_ij` (= logSumExp - positive, stable for any logit range, without
 * an exp kernel: the softmax kernel is the only transcendental pass). The gradient is written out:
 * G = (P - I) dy / (B T), dq = G C, dC = G^T q, so the backward pass runs 6 kernels.
 */
function fusedSoftmaxCrossEntropy(options: FusedSoftmaxOptions): tf.Scalar | tf.Tensor1D {
  const { temperature, logQ, hits, reduction } = options;
  const [batch] = options.queries.shape;
  const columns = options.candidates.shape[0];
  const eyeValues = identityValues(batch, columns);
  const op = tf.customGrad(((queries: tf.Tensor2D, candidates: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const eye = tf.tensor2d(eyeValues, [batch, columns]);
    // Explicit transpose: the wasm kernel runs transposed products 10-25x slower than plain ones.
    let logits: tf.Tensor2D = tf.matMul(tf.mul(queries, 1 / temperature), tf.transpose(candidates));
    if (logQ !== undefined) logits = tf.sub(logits, tf.reshape(logQ, [1, columns]));
    const positive = tf.sum(tf.mul(logits, eye), 1);
    if (hits !== undefined) {
      const mask = new Float32Array(hits.length);
      for (let k = 0; k < hits.length; k++) if (hits[k] === 1) mask[k] = Number.NEGATIVE_INFINITY;
      logits = tf.add(logits, tf.tensor2d(mask, [batch, columns]));
    }
    const probabilities = tf.softmax(logits);
    const perQuery = tf.sub(
      tf.sub(tf.max(logits, 1), positive),
      tf.log(tf.max(probabilities, 1)),
    ) as tf.Tensor1D;
    save([queries, candidates, probabilities, eye]);
    return {
      value: reduction === 'none' ? perQuery : tf.mean(perQuery),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [q, c, p, identity] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const scale =
          reduction === 'none'
            ? tf.mul(tf.reshape(dy, [batch, 1]), 1 / temperature)
            : tf.mul(dy, 1 / (batch * temperature));
        const g = tf.mul(tf.sub(p, identity), scale);
        return [tf.matMul(g, c), tf.matMul(tf.transpose(g), q)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(options.queries, options.candidates) as tf.Scalar | tf.Tensor1D;
}

let identityCache: Float32Array | undefined;
let identityShape = '';

/**
 * The B x N identity (ones at (i, i)) as values: kept between calls because the three losses of a
 * step share it. Never written to; only data, no tensor.
 */
function identityValues(rows: number, columns: number): Float32Array {
  const shape = `${rows}x${columns}`;
  if (identityCache === undefined || identityShape !== shape) {
    identityCache = new Float32Array(rows * columns);
    for (let i = 0; i < rows; i++) identityCache[i * columns + i] = 1;
    identityShape = shape;
  }
  return identityCache;
}

/** The B x (B + M) hit mask from the in-batch and the extra parts (undefined when nothing is masked). */
function joinHits(
  rows: number,
  inBatchColumns: number,
  inBatch: Uint8Array | undefined,
  extraColumns: number,
  extra: Uint8Array | undefined,
): Uint8Array | undefined {
  if (inBatch === undefined && extra === undefined) return undefined;
  if (extraColumns === 0) return inBatch;
  const columns = inBatchColumns + extraColumns;
  const joined = new Uint8Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    if (inBatch) joined.set(inBatch.subarray(i * inBatchColumns, (i + 1) * inBatchColumns), i * columns);
    if (extra)
      joined.set(extra.subarray(i * extraColumns, (i + 1) * extraColumns), i * columns + inBatchColumns);
  }
  return joined;
}

/** `hits[i * columns + j] = 1` when column `j`'s id equals row `i`'s positive id (diagonal skipped when `skipDiagonal`). */
function accidentalHits(
  rowIds: Int32Array,
  columnIds: Int32Array,
  skipDiagonal: boolean,
): Uint8Array | undefined {
  const columns = columnIds.length;
  // Columns by id (O(B + M) instead of comparing every pair: 3 losses x 256^2 per step showed in profiles).
  const columnsOf = new Map<number, number[]>();
  for (let j = 0; j < columns; j++) {
    const id = columnIds[j] as number;
    const list = columnsOf.get(id);
    if (list === undefined) columnsOf.set(id, [j]);
    else list.push(j);
  }
  let hits: Uint8Array | undefined;
  for (let i = 0; i < rowIds.length; i++) {
    const list = columnsOf.get(rowIds[i] as number);
    if (list === undefined) continue;
    for (const j of list) {
      if (skipDiagonal && i === j) continue;
      hits ??= new Uint8Array(rowIds.length * columns);
      hits[i * columns + j] = 1;
    }
  }
  return hits;
}

/** Sets masked logits to -Infinity (their softmax weight and gradient become exactly 0). */
function maskColumns(logits: tf.Tensor2D, hits: Uint8Array | undefined): tf.Tensor2D {
  if (hits === undefined) return logits;
  const mask = tf.tensor2d(hits, logits.shape, 'bool');
  return tf.where(mask, tf.fill(logits.shape, Number.NEGATIVE_INFINITY), logits);
}
