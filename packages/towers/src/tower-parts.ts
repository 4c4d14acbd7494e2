import { checkInteger, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { labelSeed } from '@mmrecall/random';
import * as tf from '@tensorflow/tfjs-core';
import { createEmbeddingTable, type EmbeddingTable } from './embedding-table';
import { type Activation, buildMlp, type Mlp } from './mlp';
import type { NamedWeights, WeightSlot } from './named-weights';
import { validateBagOffsets } from './validate';

/** CSR bags: bag b = `values[offsets[b] .. offsets[b + 1])`. */
export interface Bags {
  /** Length bags + 1, starts at 0, ends at values.length. */
  offsets: Int32Array;
  /** Indices of all bags, concatenated. */
  values: Int32Array;
}

/** Per-call options of a tower's `apply`. */
export interface TowerApplyOptions {
  /** Training mode: applies input dropout when the tower has `dropoutRate > 0`. Default false. */
  training?: boolean;
  /** Overrides the tower's `normalize` setting for this call. */
  normalize?: boolean;
}

/** Options every tower factory accepts. */
export interface TowerCommonOptions {
  /** Logical name, prefix of every weight key (`${name}/...`). */
  name: string;
  /** Widths of the hidden layers of the tower's MLP (may be empty). */
  hiddenUnits: number[];
  /** Width of the output embedding. */
  outputDim: number;
  /** Seed of all initialisations (tables and dense layers get derived seeds). */
  seed: number;
  /** Hidden-layer activation. Default `relu`. */
  activation?: Activation;
  /** L2-normalise the output rows. Default true. */
  normalize?: boolean;
  /** Dropout rate on the concatenated features when `apply(..., { training: true })`. Default 0. */
  dropoutRate?: number;
  /**
   * Fewer kernels per step: fused matMul + bias + activation layers (`fusedDense`) and an L2
   * normalisation with its own three-line gradient. Same weights; values equal the stock ops' up to
   * float rounding. Default false.
   */
  fusedKernels?: boolean;
}

/** What every tower exposes. */
export interface Tower<Input> {
  /** Logical name. */
  readonly name: string;
  /** Width of `apply`'s output. */
  readonly outputDim: number;
  /** Width of the concatenated features fed to the MLP. */
  readonly featureDim: number;
  /** Dense trainable variables (projections and MLP). */
  readonly variables: tf.Variable[];
  /** Every embedding table the tower reads, including shared ones it does not own. */
  readonly tables: EmbeddingTable[];
  /** Encodes a batch -> [B, outputDim], L2-normalised unless `normalize: false`. */
  apply(input: Input, options?: TowerApplyOptions): tf.Tensor2D;
  /** Copies of the weights the tower owns (shared tables are exported by their owner). */
  toNamedWeights(): NamedWeights;
  /** Restores the weights the tower owns; extra keys are ignored. All-or-nothing. */
  loadNamedWeights(weights: NamedWeights): void;
  /** Frees owned variables and tables (never a shared table). */
  dispose(): void;
}

/** Row-wise L2 normalisation, x / max(||x||, 1e-6). */
export function l2Normalize(input: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(input), 1, true), 1e-12));
    return tf.div(input, norm);
  });
}

/**
 * {@link l2Normalize} with a closed-form gradient, `dx = (dy - y sum(dy y) [|x|^2 >= 1e-12]) / n`:
 * 8 kernels backward instead of the ~20 the stock square / sum / maximum / sqrt / div chain records.
 * Values are identical to `l2Normalize`; gradients agree up to float rounding.
 */
export const fusedL2Normalize = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
  const squared = tf.sum(tf.square(x), 1, true);
  const norm = tf.sqrt(tf.maximum(squared, 1e-12));
  const y = tf.div(x, norm);
  save([y, norm, squared]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [ys, norms, squares] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      // Below the clamp the norm is a constant and only dy / n remains (the stock maximum gradient).
      const active = tf.cast(tf.greaterEqual(squares, 1e-12), 'float32');
      const projection = tf.mul(tf.sum(tf.mul(dy, ys), 1, true), active);
      return tf.div(tf.sub(dy, tf.mul(ys, projection)), norms);
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;

/** Validated common options with defaults filled in. */
export interface ResolvedCommon {
  name: string;
  hiddenUnits: number[];
  outputDim: number;
  seed: number;
  activation: Activation;
  normalize: boolean;
  dropoutRate: number;
  fusedKernels: boolean;
}

export function resolveCommon(options: TowerCommonOptions): ResolvedCommon {
  checkInteger({ argument: 'outputDim', value: options.outputDim, min: 1 });
  options.hiddenUnits.forEach((width, i) => {
    checkInteger({ argument: `hiddenUnits[${i}]`, value: width, min: 1 });
  });
  const dropoutRate = options.dropoutRate ?? 0;
  if (!(dropoutRate >= 0 && dropoutRate < 1)) {
    throw new InvalidArgumentError({
      argument: 'dropoutRate',
      message: `must be in [0, 1), got ${dropoutRate}`,
    });
  }
  return {
    name: options.name,
    hiddenUnits: [...options.hiddenUnits],
    outputDim: options.outputDim,
    seed: options.seed,
    activation: options.activation ?? 'relu',
    normalize: options.normalize ?? true,
    dropoutRate,
    fusedKernels: options.fusedKernels ?? false,
  };
}

/** The MLP head and the final dropout / MLP / normalisation of a tower. */
export interface TowerHead {
  mlp: Mlp;
  slots: WeightSlot[];
  finish(features: tf.Tensor2D[], options: TowerApplyOptions | undefined): tf.Tensor2D;
}

/**
 * Returns `makeTable(part, rows, dim)`: creates the tower's table `${name}/${part}` with a seed derived
 * from the tower seed and the part, and records it in `owned` (the tables the tower frees).
 */
export function tableMaker(
  common: ResolvedCommon,
  owned: EmbeddingTable[],
): (part: string, rows: number, dim: number) => EmbeddingTable {
  return (part, rows, dim) => {
    const table = createEmbeddingTable({
      name: `${common.name}/${part}`,
      rows,
      dim,
      seed: labelSeed(common.seed, part),
    });
    owned.push(table);
    return table;
  };
}

export function createTowerHead(common: ResolvedCommon, featureDim: number): TowerHead {
  const { mlp, slots } = buildMlp({
    name: `${common.name}/mlp`,
    inputDim: featureDim,
    units: [...common.hiddenUnits, common.outputDim],
    activation: common.activation,
    seed: labelSeed(common.seed, 'mlp'),
    fusedKernels: common.fusedKernels,
  });
  let dropoutCalls = 0;
  return {
    mlp,
    slots,
    finish: (features, options) => {
      let x = features.length === 1 ? (features[0] as tf.Tensor2D) : tf.concat(features, 1);
      if (options?.training === true && common.dropoutRate > 0) {
        x = tf.dropout(
          x,
          common.dropoutRate,
          undefined,
          labelSeed(common.seed, `dropout/${dropoutCalls++}`),
        ) as tf.Tensor2D;
      }
      const out = mlp.apply(x);
      if (!(options?.normalize ?? common.normalize)) return out;
      return common.fusedKernels ? fusedL2Normalize(out) : l2Normalize(out);
    },
  };
}

/** Checks a bag input has `batch` bags and returns it. */
export function checkBags(bags: Bags, batch: number, argument: string): Bags {
  const count = validateBagOffsets(bags.offsets, bags.values.length, `${argument}.offsets`);
  if (count !== batch) {
    throw new ShapeMismatchError({
      message: `${argument}: one bag per example`,
      expected: [batch],
      actual: [count],
    });
  }
  return bags;
}

/** Throws when `value` is present but the tower has no such feature, or absent but required. */
export function checkPresence(configured: boolean, provided: boolean, argument: string): void {
  if (configured && !provided)
    throw new InvalidArgumentError({
      argument,
      message: 'the tower was built with this feature; provide it',
    });
  if (!configured && provided)
    throw new InvalidArgumentError({ argument, message: 'the tower was built without this feature' });
}
