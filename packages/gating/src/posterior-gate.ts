import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { createRandom } from '@mmrecall/random';
import { fusedDense } from '@mmrecall/towers';
import * as tf from '@tensorflow/tfjs-core';
import { POSTERIOR_FEATURE_COUNT } from './posterior-features';

/** Options of {@link createPosteriorGate}. */
export interface PosteriorGateOptions {
  /** Features per item. Default 4 (see `posteriorFeatures`). */
  inputDim?: number;
  /** Units of each hidden ReLU layer; `[]` makes the gate a logistic regression. Default `[16]`. */
  hiddenUnits?: readonly number[];
  /** Seed of the Glorot-uniform kernel initialisation. Default 1. */
  seed?: number;
  /** Initial bias of the output logit: a gate of all-zero hidden activations starts at sigmoid(initialBias). Default 0. */
  initialBias?: number;
  /** Prefix of the weight names in `toNamedWeights` (e.g. `posterior_gate/dense_0/kernel`). Default `posterior_gate`. */
  name?: string;
  /**
   * Run every layer as one fused matMul + bias + relu/sigmoid kernel with a plain-product gradient
   * (`fusedDense` of `@mmrecall/towers`): 1 kernel instead of 3 per layer forward. Same weights,
   * values equal up to float rounding. Default false.
   */
  fusedKernels?: boolean;
}

/** The posterior-statistics gate: an MLP with a sigmoid output, g in (0, 1) per item. */
export interface PosteriorGate {
  /** Features per item the gate expects. */
  readonly inputDim: number;
  /** Trainable variables (kernels and biases, layer by layer); pass them to `tf.variableGrads` / an optimizer. */
  readonly variables: readonly tf.Variable[];
  /** Gate values `[B, 1]` in (0, 1) for features `[B, inputDim]` (the input is not disposed). */
  apply(features: tf.Tensor2D): tf.Tensor2D;
  /** The variables by stable name, for `tf.io.encodeWeights`. They stay owned by the gate: do not dispose them. */
  toNamedWeights(): Record<string, tf.Variable>;
  /** Copies weights by name into the variables (shapes must match; extra names are ignored; nothing is disposed). */
  loadNamedWeights(weights: Record<string, tf.Tensor>): void;
  /** Frees the variables. */
  dispose(): void;
}

/**
 * Creates the gate of the gated fusion: `sigmoid(MLP(posterior features))`, ReLU hidden layers, Glorot
 * uniform kernels, zero biases except the output bias (`initialBias`). Items with few exposures/clicks are
 * expected to learn a high g (more content), popular items a low g.
 */
export function createPosteriorGate(options: PosteriorGateOptions = {}): PosteriorGate {
  const inputDim = options.inputDim ?? POSTERIOR_FEATURE_COUNT;
  const hiddenUnits = options.hiddenUnits ?? [16];
  const initialBias = options.initialBias ?? 0;
  const prefix = options.name ?? 'posterior_gate';
  const fused = options.fusedKernels ?? false;
  if (!Number.isInteger(inputDim) || inputDim < 1) {
    throw new InvalidArgumentError({
      argument: 'inputDim',
      message: `must be an integer >= 1, got ${inputDim}`,
    });
  }
  hiddenUnits.forEach((units, index) => {
    if (!Number.isInteger(units) || units < 1) {
      throw new InvalidArgumentError({
        argument: `hiddenUnits[${index}]`,
        message: `must be an integer >= 1, got ${units}`,
      });
    }
  });
  if (!Number.isFinite(initialBias)) {
    throw new InvalidArgumentError({
      argument: 'initialBias',
      message: `must be finite, got ${initialBias}`,
    });
  }
  const random = createRandom(options.seed ?? 1);
  const sizes = [inputDim, ...hiddenUnits, 1];
  const layers: { name: string; kernel: tf.Variable; bias: tf.Variable }[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const kernelValues = Float32Array.from({ length: fanIn * fanOut }, () => (random() * 2 - 1) * limit);
    const isOutput = l + 2 === sizes.length;
    const biasValues = new Float32Array(fanOut).fill(isOutput ? initialBias : 0);
    layers.push({
      name: isOutput ? `${prefix}/output` : `${prefix}/dense_${l}`,
      kernel: tf.tidy(() => tf.variable(tf.tensor2d(kernelValues, [fanIn, fanOut]), true)),
      bias: tf.tidy(() => tf.variable(tf.tensor1d(biasValues), true)),
    });
  }
  const variables = layers.flatMap((layer) => [layer.kernel, layer.bias]);
  const namedWeights = (): Record<string, tf.Variable> => {
    const named: Record<string, tf.Variable> = {};
    for (const layer of layers) {
      named[`${layer.name}/kernel`] = layer.kernel;
      named[`${layer.name}/bias`] = layer.bias;
    }
    return named;
  };
  let disposed = false;

  return {
    inputDim,
    variables,
    apply(features) {
      if (disposed) throw new InvalidArgumentError({ argument: 'gate', message: 'used after dispose()' });
      if (features.rank !== 2 || features.shape[1] !== inputDim) {
        throw new ShapeMismatchError({
          message: 'gate features must be [B, inputDim]',
          expected: [-1, inputDim],
          actual: features.shape,
        });
      }
      return tf.tidy(() => {
        let hidden: tf.Tensor2D = features;
        layers.forEach((layer, l) => {
          const output = l + 1 === layers.length;
          if (fused) {
            hidden = fusedDense({
              input: hidden,
              kernel: layer.kernel as tf.Tensor as tf.Tensor2D,
              bias: layer.bias as tf.Tensor as tf.Tensor1D,
              activation: output ? 'sigmoid' : 'relu',
              // The statistics are data: no gradient flows into them.
              inputGradient: l > 0,
            });
            return;
          }
          const linear = tf.add(tf.matMul(hidden, layer.kernel), layer.bias) as tf.Tensor2D;
          hidden = output ? tf.sigmoid(linear) : tf.relu(linear);
        });
        return hidden;
      });
    },
    toNamedWeights: namedWeights,
    loadNamedWeights(weights) {
      const targets = Object.entries(namedWeights());
      for (const [name, variable] of targets) {
        const source = weights[name];
        if (source === undefined) {
          throw new InvalidArgumentError({
            argument: `weights["${name}"]`,
            message: 'missing from the weight map',
          });
        }
        if (
          source.shape.length !== variable.shape.length ||
          source.shape.some((size, axis) => size !== variable.shape[axis])
        ) {
          throw new ShapeMismatchError({
            message: `weight "${name}"`,
            expected: variable.shape,
            actual: source.shape,
          });
        }
      }
      for (const [name, variable] of targets) {
        tf.tidy(() => variable.assign(tf.cast(weights[name]!, 'float32')));
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(variables);
    },
  };
}
