import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';

/** Adam's two moments of one variable (copies). */
export interface AdamSlot {
  /** Position of the variable in the optimizer's `variables` (names differ between model instances). */
  variable: number;
  /** Shape of the variable. */
  shape: number[];
  /** First moment, row-major. */
  firstMoment: Float32Array;
  /** Second moment, row-major. */
  secondMoment: Float32Array;
}

/** Everything a dense Adam optimizer needs to continue exactly where it stopped. */
export interface DenseAdamState {
  /** Updates applied so far. */
  step: number;
  /**
   * beta1^(step + 1) and beta2^(step + 1) as the float32 running products the optimizer multiplied
   * step by step (recomputing them with pow() differs in the last bits and would change a resumed run).
   */
  accBeta1: number;
  /** See `accBeta1`. */
  accBeta2: number;
  /** The moments of every variable updated so far. */
  slots: AdamSlot[];
}

/** Options of {@link createDenseAdam}. */
export interface CreateDenseAdamOptions {
  /** The variables it updates (gradients are matched to them by name, state by position). */
  variables: readonly tf.Variable[];
  /** Step size, > 0. */
  learningRate: number;
  /** Decay of the first moment. Default 0.9. */
  beta1?: number;
  /** Decay of the second moment. Default 0.999. */
  beta2?: number;
  /** Added to sqrt(v_hat). Default: the backend's epsilon (1e-7 on float32 backends), as `tf.train.adam`. */
  epsilon?: number;
}

/** Adam over dense tfjs variables whose whole state can be read and restored. */
export interface DenseAdam {
  /** One update: the same arithmetic, in the same order, as `tf.train.adam(learningRate).applyGradients`. */
  applyGradients(gradients: readonly { name: string; tensor: tf.Tensor }[]): void;
  /** A copy of the state (for checkpoints). */
  state(): Promise<DenseAdamState>;
  /** Restores a state read by `state()`; InvalidArgumentError / ShapeMismatchError for a state of other variables. */
  loadState(state: DenseAdamState): void;
  /** Frees the moments and the running products. */
  dispose(): void;
}

/**
 * Adam for the dense variables, written against public tfjs ops so its state has an explicit API
 * (`tf.train.adam` keeps beta^t in private fields a checkpoint cannot reach). The moments of all
 * variables live in two flat vectors, so one update runs about 14 kernels in total instead of 14 per
 * variable; each element goes through exactly the float32 operations of `tf.train.adam` in the same
 * order, proven equal to it bit for bit in its test. Every update takes a gradient for every variable
 * (as `trainStep` passes them; zeros for unused ones).
 */
export function createDenseAdam(options: CreateDenseAdamOptions): DenseAdam {
  const { learningRate } = options;
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  if (!(Number.isFinite(learningRate) && learningRate > 0)) {
    throw new InvalidArgumentError({ argument: 'learningRate', message: `must be > 0, got ${learningRate}` });
  }
  for (const [name, value] of [
    ['beta1', beta1],
    ['beta2', beta2],
  ] as const) {
    if (!(value >= 0 && value < 1))
      throw new InvalidArgumentError({ argument: name, message: `must be in [0, 1), got ${value}` });
  }
  const epsilon = options.epsilon ?? tf.backend().epsilon();
  const variables = [...options.variables];
  const indexOf = new Map(variables.map((variable, index) => [variable.name, index]));
  const sizes = variables.map((variable) => variable.size);
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += size;
  }
  /** The flat moments, created at the first update (or by loadState). */
  let moments: { m: tf.Variable; v: tf.Variable } | undefined;
  let step = 0;
  let accBeta1 = tf.tidy(() => tf.scalar(beta1).variable(false));
  let accBeta2 = tf.tidy(() => tf.scalar(beta2).variable(false));

  const flatGradient = (gradients: readonly { name: string; tensor: tf.Tensor }[]): tf.Tensor => {
    const ordered: (tf.Tensor | undefined)[] = new Array(variables.length);
    for (const { name, tensor } of gradients) {
      const index = indexOf.get(name);
      if (index === undefined)
        throw new InvalidArgumentError({
          argument: 'gradients',
          message: `no variable named ${JSON.stringify(name)}`,
        });
      if (tensor.size !== sizes[index])
        throw new ShapeMismatchError({
          message: `gradient of ${name} does not fit its variable`,
          expected: [...(variables[index] as tf.Variable).shape],
          actual: [...tensor.shape],
        });
      ordered[index] = tensor;
    }
    const missing = ordered.findIndex((tensor) => tensor === undefined);
    if (missing !== -1 || ordered.length !== variables.length)
      throw new InvalidArgumentError({
        argument: 'gradients',
        message: `needs a gradient for every variable (zeros for unused ones); none for ${JSON.stringify((variables[missing] as tf.Variable).name)}`,
      });
    const list = ordered as tf.Tensor[];
    return list.length === 1
      ? tf.reshape(list[0] as tf.Tensor, [total])
      : tf.concat(list.map((tensor) => (tensor.rank === 1 ? tensor : tf.reshape(tensor, [-1]))));
  };

  const disposeMoments = (): void => {
    if (moments) tf.dispose([moments.m, moments.v]);
    moments = undefined;
  };

  return {
    applyGradients(gradients) {
      if (variables.length === 0) return;
      tf.tidy(() => {
        // The same operations as tf.train.adam, element by element (tfjs-core adam_optimizer.ts).
        const gradient = flatGradient(gradients);
        moments ??= tf.tidy(() => ({
          m: tf.zeros([total]).variable(false),
          v: tf.zeros([total]).variable(false),
        }));
        const { m, v } = moments;
        const oneMinusAccBeta1 = tf.sub(1, accBeta1);
        const oneMinusAccBeta2 = tf.sub(1, accBeta2);
        const newFirstMoment = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
        const newSecondMoment = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccBeta1);
        const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccBeta2);
        m.assign(newFirstMoment);
        v.assign(newSecondMoment);
        const update = tf.mul(
          tf.div(biasCorrectedFirstMoment, tf.add(tf.sqrt(biasCorrectedSecondMoment), epsilon)),
          -learningRate,
        );
        const pieces = variables.length === 1 ? [update] : tf.split(update, sizes);
        variables.forEach((value, i) => {
          const piece = pieces[i] as tf.Tensor;
          value.assign(tf.add(value.rank === 1 ? piece : tf.reshape(piece, value.shape), value));
        });
        accBeta1.assign(tf.mul(accBeta1, beta1));
        accBeta2.assign(tf.mul(accBeta2, beta2));
      });
      step++;
    },
    async state() {
      const saved: AdamSlot[] = [];
      if (moments) {
        const first = (await moments.m.data()) as Float32Array;
        const second = (await moments.v.data()) as Float32Array;
        variables.forEach((variable, index) => {
          const from = offsets[index] as number;
          const to = from + (sizes[index] as number);
          saved.push({
            variable: index,
            shape: [...variable.shape],
            firstMoment: first.slice(from, to),
            secondMoment: second.slice(from, to),
          });
        });
      }
      return {
        step,
        accBeta1: ((await accBeta1.data()) as Float32Array)[0] as number,
        accBeta2: ((await accBeta2.data()) as Float32Array)[0] as number,
        slots: saved,
      };
    },
    loadState(state) {
      state.slots.forEach((slot, position) => {
        const variable = variables[slot.variable];
        if (!variable) {
          throw new InvalidArgumentError({
            argument: `state.slots[${position}].variable`,
            message: `must be in [0, ${variables.length}), got ${slot.variable}`,
          });
        }
        if (slot.firstMoment.length !== variable.size || slot.secondMoment.length !== variable.size) {
          throw new ShapeMismatchError({
            message: `optimizer state of variable ${slot.variable} (${variable.name}) does not fit it`,
            expected: [...variable.shape],
            actual: slot.shape,
          });
        }
      });
      disposeMoments();
      if (state.slots.length > 0) {
        // A variable without a slot has not been updated yet: its moments are zero.
        const first = new Float32Array(total);
        const second = new Float32Array(total);
        for (const slot of state.slots) {
          first.set(slot.firstMoment, offsets[slot.variable]);
          second.set(slot.secondMoment, offsets[slot.variable]);
        }
        moments = tf.tidy(() => ({
          m: tf.tensor1d(first).variable(false),
          v: tf.tensor1d(second).variable(false),
        }));
      }
      tf.dispose([accBeta1, accBeta2]);
      accBeta1 = tf.tidy(() => tf.scalar(state.accBeta1).variable(false));
      accBeta2 = tf.tidy(() => tf.scalar(state.accBeta2).variable(false));
      step = state.step;
    },
    dispose() {
      disposeMoments();
      tf.dispose([accBeta1, accBeta2]);
    },
  };
}
