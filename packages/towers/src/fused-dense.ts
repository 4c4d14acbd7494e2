import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';

/** Activations the fused dense kernel applies itself. */
export type FusedActivation = 'linear' | 'relu' | 'sigmoid';

/** Options of {@link fusedDense}. */
export interface FusedDenseOptions {
  /** `[B, in]`. */
  input: tf.Tensor2D;
  /** `[in, out]`. */
  kernel: tf.Tensor2D;
  /** `[out]`. */
  bias: tf.Tensor1D;
  /** Applied inside the same kernel. Default `linear`. */
  activation?: FusedActivation;
  /**
   * Whether a gradient with respect to `input` is needed. Default true. Pass false when the input is
   * a constant (raw feature vectors): its product `dy W^T` is then never computed.
   */
  inputGradient?: boolean;
}

const ACTIVATIONS: readonly string[] = ['linear', 'relu', 'sigmoid'];

/** One `_FusedMatMul` launch (the kernel takes rank-3 operands, as in tfjs-core's `fused.matMul`). */
function fusedKernel(
  input: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: FusedActivation,
): tf.Tensor2D {
  const [rows, inner] = input.shape;
  const outer = kernel.shape[1];
  const out = tf
    .engine()
    .runKernel(
      '_FusedMatMul',
      { a: tf.reshape(input, [1, rows, inner]), b: tf.reshape(kernel, [1, inner, outer]), bias },
      { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 },
    ) as tf.Tensor;
  return tf.reshape(out, [rows, outer]);
}

/** dy through the activation, from the layer's output y. */
function activationGradient(dy: tf.Tensor2D, y: tf.Tensor2D, activation: FusedActivation): tf.Tensor2D {
  // relu: y > 0 exactly where the pre-activation is (the stock Relu gradient, step(x)).
  if (activation === 'relu') return tf.mul(dy, tf.step(y));
  // sigmoid: y (1 - y), the stock Sigmoid gradient.
  if (activation === 'sigmoid') return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
  return dy;
}

/**
 * `activation(input kernel + bias)` as ONE kernel forward and plain (untransposed) products
 * backward: `dx = dz W^T`, `dW = x^T dz`, `db = sum(dz)`, with explicit transposes because the wasm
 * backend runs `transposeA`/`transposeB` products 10-25x slower. Replaces matMul + add + activation
 * (3 kernels forward, about 12 backward with the saved-tensor copies) by 1 + 5 to 7. The values equal
 * the unfused layer's up to float rounding (the bias is added inside the product on wasm).
 * tfjs-core's own `tf.fused.matMul` falls back to the unfused ops under a gradient tape for any
 * activation but linear, so it would not save anything while training.
 */
export function fusedDense(options: FusedDenseOptions): tf.Tensor2D {
  const { input, kernel, bias } = options;
  const activation = options.activation ?? 'linear';
  const inputGradient = options.inputGradient ?? true;
  if (!ACTIVATIONS.includes(activation)) {
    throw new InvalidArgumentError({
      argument: 'activation',
      message: `must be linear, relu or sigmoid, got ${String(activation)}`,
    });
  }
  if (input.rank !== 2 || kernel.rank !== 2 || input.shape[1] !== kernel.shape[0]) {
    throw new ShapeMismatchError({
      message: 'fusedDense: input [B, in] and kernel [in, out] must agree',
      expected: [-1, kernel.shape[0] ?? -1],
      actual: input.shape,
    });
  }
  if (bias.rank !== 1 || bias.shape[0] !== kernel.shape[1]) {
    throw new ShapeMismatchError({
      message: 'fusedDense: bias must be [out]',
      expected: [kernel.shape[1] ?? -1],
      actual: bias.shape,
    });
  }
  return tf.tidy(() => {
    if (inputGradient) {
      const op = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
        const y = fusedKernel(x, w, b, activation);
        save([x, w, y]);
        return {
          value: y,
          gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
            const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
            const dz = activationGradient(dy, ys, activation);
            return [tf.matMul(dz, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dz), tf.sum(dz, 0)];
          },
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]);
      return op(input, kernel, bias) as tf.Tensor2D;
    }
    const op = tf.customGrad(((w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
      const y = fusedKernel(input, w, b, activation);
      // The input is saved too: the caller's tidy may free it before the backward pass runs.
      save([input, y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
          const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
          const dz = activationGradient(dy, ys, activation);
          return [tf.matMul(tf.transpose(xs), dz), tf.sum(dz, 0)];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(kernel, bias) as tf.Tensor2D;
  });
}
