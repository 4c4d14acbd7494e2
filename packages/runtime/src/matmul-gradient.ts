import * as tf from '@tensorflow/tfjs-core';

type Saved = tf.Tensor[];

function transposeLast(x: tf.Tensor): tf.Tensor {
  const rank = x.rank;
  const perm = [...Array(rank).keys()];
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return tf.transpose(x, perm);
}

/** Plain (untransposed) matMul of rank-2 tensors: the only form the wasm kernel runs at full speed. */
function nn(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
}

/**
 * The gradient of `BatchMatMul` that `installFastMatMulGradient` registers. For rank-2 operands it
 * only runs untransposed products on explicitly transposed copies; rank > 2 keeps the stock formula.
 */
const fastMatMulGradient: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: Saved, attrs?: tf.NamedAttrMap) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const grad = dy as tf.Tensor;
    const transposeA = Boolean(attrs?.transposeA);
    const transposeB = Boolean(attrs?.transposeB);
    if (a.rank !== 2 || b.rank !== 2) {
      // Stock formulas (tfjs-core BatchMatMul_grad) for batched operands.
      if (!transposeA && !transposeB) {
        return { a: () => tf.matMul(grad, b, false, true), b: () => tf.matMul(a, grad, true, false) };
      }
      if (!transposeA && transposeB) {
        return { a: () => tf.matMul(grad, b, false, false), b: () => tf.matMul(grad, a, true, false) };
      }
      if (transposeA && !transposeB) {
        return { a: () => tf.matMul(b, grad, false, true), b: () => tf.matMul(a, grad, false, false) };
      }
      return { a: () => tf.matMul(b, grad, true, true), b: () => tf.matMul(grad, a, true, true) };
    }
    if (!transposeA && !transposeB) {
      // C = A B: dA = dC B^T, dB = A^T dC
      return { a: () => nn(grad, transposeLast(b)), b: () => nn(transposeLast(a), grad) };
    }
    if (!transposeA && transposeB) {
      // C = A B^T: dA = dC B, dB = dC^T A
      return { a: () => nn(grad, b), b: () => nn(transposeLast(grad), a) };
    }
    if (transposeA && !transposeB) {
      // C = A^T B: dA = B dC^T, dB = A dC
      return { a: () => nn(b, transposeLast(grad)), b: () => nn(a, grad) };
    }
    // C = A^T B^T: dA = B^T dC^T, dB = dC^T A^T
    return {
      a: () => nn(transposeLast(b), transposeLast(grad)),
      b: () => nn(transposeLast(grad), transposeLast(a)),
    };
  },
};

/**
 * Replaces TensorFlow.js's gradient of `BatchMatMul` for rank-2 operands with one that only runs
 * untransposed products on explicitly transposed copies. The stock gradient multiplies with
 * `transposeA`/`transposeB` set, which the wasm backend runs 10-25x slower than the plain form
 * (measured in this package's README); the values are the same up to float rounding (on wasm the
 * last bits differ, so training numbers depend on which gradient is registered). Rank > 2 keeps the
 * stock formula.
 * Idempotent, and registers again when something replaced it (loading the `@tensorflow/tfjs`
 * bundle does, e.g. through `@tensorflow/tfjs-node`); apps call it through `selectBackend`.
 */
export function installFastMatMulGradient(): void {
  if (tf.getGradient('BatchMatMul') !== fastMatMulGradient) tf.registerGradient(fastMatMulGradient);
}
