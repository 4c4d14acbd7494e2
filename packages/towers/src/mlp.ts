import { checkInteger, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { labelSeed, uniformArray } from '@mmrecall/random';
import * as tf from '@tensorflow/tfjs-core';
import { type FusedActivation, fusedDense } from './fused-dense';
import {
  createVariable,
  type NamedWeights,
  readSlots,
  variableSlot,
  type WeightSlot,
  writeSlots,
} from './named-weights';

/** Hidden-layer nonlinearity. `gelu` uses the tanh approximation. */
export type Activation = 'relu' | 'gelu' | 'tanh';

/** Options of `createMlp`. */
export interface MlpOptions {
  /** Logical name; weights export as `${name}/dense_${i}/kernel` and `.../bias`. */
  name: string;
  /** Width of the input, >= 1. */
  inputDim: number;
  /** Width of each layer, the last one being the output; at least one entry. */
  units: number[];
  /** Activation after every layer but the last. */
  activation: Activation;
  /** Activation after the last layer. Default `linear` (none). */
  outputActivation?: Activation | 'linear';
  /** Seed of the Glorot-uniform kernels (biases start at 0). */
  seed: number;
  /**
   * Run each layer as one fused matMul + bias + activation kernel with a plain-product gradient
   * (`fusedDense`) where the activation allows it (linear, relu). Same weights and, up to float
   * rounding, the same values. Default false.
   */
  fusedKernels?: boolean;
}

/** A stack of dense layers with tf.Variable weights. */
export interface Mlp {
  /** Logical name. */
  readonly name: string;
  /** Input width. */
  readonly inputDim: number;
  /** Output width (last entry of `units`). */
  readonly outputDim: number;
  /** Kernels and biases, layer by layer. */
  readonly variables: tf.Variable[];
  /** [batch, inputDim] -> [batch, outputDim]. */
  apply(input: tf.Tensor2D): tf.Tensor2D;
  /** Copies of every kernel and bias, keyed by name. */
  toNamedWeights(): NamedWeights;
  /** Restores every kernel and bias; MissingArtifactError / ShapeMismatchError, all-or-nothing. */
  loadNamedWeights(weights: NamedWeights): void;
  /** Disposes the variables. */
  dispose(): void;
}

/** A dense layer `x W + b` (internal building block shared by the towers). */
export interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
  slots: WeightSlot[];
  /**
   * `activation(x W + b)`; with `fused` one fused kernel when the activation allows it.
   * `inputGradient: false` (fused only) skips the gradient of a constant input.
   */
  apply(
    input: tf.Tensor2D,
    options?: { activation?: Activation | 'linear'; fused?: boolean; inputGradient?: boolean },
  ): tf.Tensor2D;
}

const FUSABLE: readonly string[] = ['linear', 'relu'];

/** Creates a Glorot-uniform dense layer with zero bias. */
export function createDenseLayer(options: {
  name: string;
  inputDim: number;
  outputDim: number;
  seed: number;
}): DenseLayer {
  const { name, inputDim, outputDim } = options;
  const limit = Math.sqrt(6 / (inputDim + outputDim));
  const kernel = createVariable(
    uniformArray(inputDim * outputDim, limit, options.seed),
    [inputDim, outputDim],
    `${name}/kernel`,
  );
  const bias = createVariable(new Float32Array(outputDim), [outputDim], `${name}/bias`);
  return {
    kernel,
    bias,
    slots: [variableSlot(`${name}/kernel`, kernel), variableSlot(`${name}/bias`, bias)],
    apply: (input, applyOptions = {}) => {
      const activation = applyOptions.activation ?? 'linear';
      if (applyOptions.fused === true && FUSABLE.includes(activation)) {
        return fusedDense({
          input,
          kernel: kernel as tf.Tensor as tf.Tensor2D,
          bias: bias as tf.Tensor as tf.Tensor1D,
          activation: activation as FusedActivation,
          inputGradient: applyOptions.inputGradient ?? true,
        });
      }
      return activate(tf.add(tf.matMul(input, kernel), bias), activation);
    },
  };
}

/** Applies an activation by name (inside the caller's tidy). */
export function activate(input: tf.Tensor2D, activation: Activation | 'linear'): tf.Tensor2D {
  switch (activation) {
    case 'linear':
      return input;
    case 'relu':
      return tf.relu(input);
    case 'tanh':
      return tf.tanh(input);
    case 'gelu': {
      // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
      const cubic = tf.mul(tf.mul(tf.mul(input, input), input), 0.044715);
      const inner = tf.mul(tf.add(input, cubic), Math.sqrt(2 / Math.PI));
      return tf.mul(tf.mul(input, 0.5), tf.add(tf.tanh(inner), 1));
    }
    default:
      throw new InvalidArgumentError({
        argument: 'activation',
        message: `unknown activation ${String(activation)}`,
      });
  }
}

const ACTIVATIONS: readonly string[] = ['relu', 'gelu', 'tanh'];

/** Creates a multilayer perceptron with seeded Glorot-uniform kernels. */
export function createMlp(options: MlpOptions): Mlp {
  return buildMlp(options).mlp;
}

/** `createMlp` plus the weight slots (internal: lets towers load all their weights atomically). */
export function buildMlp(options: MlpOptions): { mlp: Mlp; slots: WeightSlot[] } {
  const { name, inputDim, units, activation } = options;
  const outputActivation = options.outputActivation ?? 'linear';
  checkInteger({ argument: 'inputDim', value: inputDim, min: 1 });
  if (units.length === 0)
    throw new InvalidArgumentError({ argument: 'units', message: 'needs at least one layer' });
  units.forEach((width, i) => {
    checkInteger({ argument: `units[${i}]`, value: width, min: 1 });
  });
  if (!ACTIVATIONS.includes(activation)) {
    throw new InvalidArgumentError({
      argument: 'activation',
      message: `must be relu, gelu or tanh, got ${String(activation)}`,
    });
  }
  if (outputActivation !== 'linear' && !ACTIVATIONS.includes(outputActivation)) {
    throw new InvalidArgumentError({
      argument: 'outputActivation',
      message: `must be linear, relu, gelu or tanh, got ${String(outputActivation)}`,
    });
  }
  const layers: DenseLayer[] = [];
  let previous = inputDim;
  units.forEach((width, i) => {
    layers.push(
      createDenseLayer({
        name: `${name}/dense_${i}`,
        inputDim: previous,
        outputDim: width,
        seed: labelSeed(options.seed, `dense_${i}`),
      }),
    );
    previous = width;
  });
  const slots = layers.flatMap((layer) => layer.slots);
  const variables = layers.flatMap((layer) => [layer.kernel, layer.bias]);
  const mlp: Mlp = {
    name,
    inputDim,
    outputDim: previous,
    variables,
    apply: (input) => {
      if (input.rank !== 2 || input.shape[1] !== inputDim) {
        throw new ShapeMismatchError({
          message: `${name}: MLP input width`,
          expected: [-1, inputDim],
          actual: input.shape,
        });
      }
      return tf.tidy(() => {
        let x: tf.Tensor2D = input;
        layers.forEach((layer, i) => {
          x = layer.apply(x, {
            activation: i === layers.length - 1 ? outputActivation : activation,
            fused: options.fusedKernels === true,
          });
        });
        return x;
      });
    },
    toNamedWeights: () => readSlots(slots),
    loadNamedWeights: (weights) => writeSlots(slots, weights),
    dispose: () => {
      for (const variable of variables) variable.dispose();
    },
  };
  return { mlp, slots };
}
