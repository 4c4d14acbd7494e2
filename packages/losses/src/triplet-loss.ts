import { InvalidArgumentError } from '@mmrecall/errors';
import { createRandom } from '@mmrecall/random';
import * as tf from '@tensorflow/tfjs-core';
import { expectReduction, expectShape, type LossReduction } from './validate';

/** How in-batch negatives are chosen for anchor `i` among `positives[j]`, `j != i`. */
export type TripletMining = 'hardest' | 'random' | 'semi-hard';

/** Distance between embeddings. */
export type TripletDistance = 'cosine' | 'squared-euclidean';

/** Options of {@link tripletLoss}. */
export interface TripletLossOptions {
  /** Anchors `[B, d]`, e.g. the behaviour (ID) embedding of item i. */
  anchors: tf.Tensor2D;
  /** Positives `[B, d]`, e.g. the content embedding of the same item i. */
  positives: tf.Tensor2D;
  /** Explicit negatives `[B, d]` (row i for anchor i). When given, `mining` is not used. */
  negatives?: tf.Tensor2D;
  /** Margin in `max(0, d(a, p) - d(a, n) + margin)`. Default 0.2. */
  margin?: number;
  /**
   * In-batch negative choice (the negative of anchor i is `positives[j]`, `j != i`). `'hardest'`: closest
   * `j`. `'semi-hard'` (FaceNet / TF-Addons): closest `j` farther than the positive, else the farthest `j`.
   * `'random'`: uniform `j != i` drawn with `seed`. Default `'semi-hard'`.
   */
  mining?: TripletMining;
  /** `'cosine'` = 1 - cosine similarity (default) or `'squared-euclidean'` = ||a - b||^2. */
  distance?: TripletDistance;
  /** Seed of `'random'` mining (pass e.g. the step number); without it `Math.random` is used. */
  seed?: number;
  /** `'mean'` (default) returns a scalar; `'none'` returns the per-anchor losses `[B]`. */
  reduction?: LossReduction;
}

/**
 * Triplet loss `max(0, d(a, p) - d(a, n) + margin)`, averaged over anchors unless `reduction: 'none'`.
 * Mining picks the negative from the distances without a separate gradient path: the gradient flows
 * through the selected distance only. In-batch mining needs B >= 2.
 */
export function tripletLoss(options: TripletLossOptions & { reduction?: 'mean' }): tf.Scalar;
export function tripletLoss(options: TripletLossOptions & { reduction: 'none' }): tf.Tensor1D;
export function tripletLoss(options: TripletLossOptions): tf.Scalar | tf.Tensor1D;
export function tripletLoss(options: TripletLossOptions): tf.Scalar | tf.Tensor1D {
  const { anchors, positives, negatives } = options;
  const margin = options.margin ?? 0.2;
  const mining = options.mining ?? 'semi-hard';
  const distance = options.distance ?? 'cosine';
  const reduction = options.reduction ?? 'mean';
  expectReduction(reduction);
  if (!Number.isFinite(margin) || margin < 0) {
    throw new InvalidArgumentError({
      argument: 'margin',
      message: `must be a finite number >= 0, got ${margin}`,
    });
  }
  if (mining !== 'hardest' && mining !== 'random' && mining !== 'semi-hard') {
    throw new InvalidArgumentError({
      argument: 'mining',
      message: `must be 'hardest', 'random' or 'semi-hard', got '${mining}'`,
    });
  }
  if (distance !== 'cosine' && distance !== 'squared-euclidean') {
    throw new InvalidArgumentError({
      argument: 'distance',
      message: `must be 'cosine' or 'squared-euclidean', got '${distance}'`,
    });
  }
  expectShape(anchors, [-1, -1], 'anchors');
  const [batch, dim] = anchors.shape;
  expectShape(positives, [batch, dim], 'positives');
  if (negatives !== undefined) expectShape(negatives, [batch, dim], 'negatives');
  else if (batch < 2) {
    throw new InvalidArgumentError({
      argument: 'anchors',
      message: `in-batch mining needs a batch of at least 2, got ${batch}`,
    });
  }
  const randomOffsets =
    negatives === undefined && mining === 'random' ? drawOffsets(batch, options.seed) : undefined;

  return tf.tidy(() => {
    const positiveDistance = rowDistance(anchors, positives, distance);
    let negativeDistance: tf.Tensor1D;
    if (negatives !== undefined) {
      negativeDistance = rowDistance(anchors, negatives, distance);
    } else if (randomOffsets !== undefined) {
      // Gather positives[(i + offset_i) % B] with a one-hot matmul (differentiable on every backend).
      const selector = new Float32Array(batch * batch);
      for (let i = 0; i < batch; i++) selector[i * batch + ((i + randomOffsets[i]!) % batch)] = 1;
      const chosen = tf.matMul(tf.tensor2d(selector, [batch, batch]), positives) as tf.Tensor2D;
      negativeDistance = rowDistance(anchors, chosen, distance);
    } else {
      const pairwise = pairwiseDistance(anchors, positives, distance);
      // Each anchor's negative is chosen in JS on a copy of the distances: the choice needs no
      // gradient, and min/max over masked distances would back-propagate through a broadcast
      // `equal` that the wasm backend runs very slowly. The chosen distances keep their gradient.
      const choice = chooseNegatives(
        pairwise.dataSync() as Float32Array,
        positiveDistance.dataSync() as Float32Array,
        batch,
        mining,
      );
      const selector = new Float32Array(batch * batch);
      for (let i = 0; i < batch; i++) selector[i * batch + choice[i]!] = 1;
      negativeDistance = tf.sum(tf.mul(pairwise, tf.tensor2d(selector, [batch, batch])), 1) as tf.Tensor1D;
    }
    const perAnchor = tf.relu(tf.add(tf.sub(positiveDistance, negativeDistance), margin)) as tf.Tensor1D;
    return reduction === 'none' ? perAnchor : tf.mean(perAnchor);
  });
}

/**
 * Column of each anchor's in-batch negative (never the diagonal). `hardest`: the closest other
 * positive; `semi-hard`: the closest one farther than the anchor's own positive, else the farthest.
 */
function chooseNegatives(
  pairwise: Float32Array,
  positive: Float32Array,
  batch: number,
  mining: TripletMining,
): Int32Array {
  const choice = new Int32Array(batch);
  for (let i = 0; i < batch; i++) {
    let closest = -1;
    let farthest = -1;
    let closestFarther = -1;
    for (let j = 0; j < batch; j++) {
      if (j === i) continue;
      const d = pairwise[i * batch + j]!;
      if (closest < 0 || d < pairwise[i * batch + closest]!) closest = j;
      if (farthest < 0 || d > pairwise[i * batch + farthest]!) farthest = j;
      if (d > positive[i]! && (closestFarther < 0 || d < pairwise[i * batch + closestFarther]!))
        closestFarther = j;
    }
    choice[i] = mining === 'hardest' ? closest : closestFarther >= 0 ? closestFarther : farthest;
  }
  return choice;
}

/** Offsets in [1, B - 1]: the random negative of anchor i is (i + offset) % B, never i itself. */
function drawOffsets(batch: number, seed: number | undefined): Int32Array {
  const random = seed === undefined ? Math.random : createRandom(seed);
  return Int32Array.from(
    { length: batch },
    () => 1 + Math.min(batch - 2, Math.floor(random() * (batch - 1))),
  );
}

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12)));
}

/** Distance between row i of `a` and row i of `b`, `[B]`. */
function rowDistance(a: tf.Tensor2D, b: tf.Tensor2D, distance: TripletDistance): tf.Tensor1D {
  if (distance === 'cosine') return tf.sub(1, tf.sum(tf.mul(l2Normalize(a), l2Normalize(b)), 1));
  return tf.sum(tf.square(tf.sub(a, b)), 1);
}

/** Distance between every row of `a` and every row of `b`, `[B, B]`. */
function pairwiseDistance(a: tf.Tensor2D, b: tf.Tensor2D, distance: TripletDistance): tf.Tensor2D {
  if (distance === 'cosine') return tf.sub(1, tf.matMul(l2Normalize(a), tf.transpose(l2Normalize(b))));
  const aa = tf.sum(tf.square(a), 1, true);
  const bb = tf.reshape(tf.sum(tf.square(b), 1), [1, -1]);
  return tf.relu(tf.sub(tf.add(aa, bb), tf.mul(2, tf.matMul(a, tf.transpose(b))))) as tf.Tensor2D;
}
