import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { uniformArray } from '@mmrecall/random';
import * as tf from '@tensorflow/tfjs-core';
import { createVariable, type NamedWeights, readSlots, type WeightSlot, writeSlots } from './named-weights';
import { assertIndicesInRange, assertInteger, assertPositive, validateBagOffsets } from './validate';

/** Update rule applied to the touched rows of an embedding table. */
export type SparseOptimizerKind = 'adam' | 'adagrad' | 'sgd';

/** Optimizer of an embedding table. Only rows that received a gradient are updated ("lazy"). */
export interface SparseOptimizerConfig {
  /** `adam` (lazy Adam, per-row step counts), `adagrad` or plain `sgd`. */
  kind: SparseOptimizerKind;
  /** Step size, > 0. */
  learningRate: number;
  /** Adam: decay of the first moment. Default 0.9. */
  beta1?: number;
  /** Adam: decay of the second moment. Default 0.999. */
  beta2?: number;
  /**
   * Adam: added to sqrt(v_hat); Adagrad: added to the accumulator inside the sqrt. Default 1e-7
   * (what `tf.train.adam` / `tf.train.adagrad` use on float32 backends).
   */
  epsilon?: number;
  /** Adagrad: starting value of every accumulator entry. Default 0.1 (as `tf.train.adagrad`). */
  initialAccumulator?: number;
}

/** Options of `createEmbeddingTable`. */
export interface EmbeddingTableOptions {
  /** Logical name; weights export as `${name}/embeddings`. Also names the tfjs anchor variable. */
  name: string;
  /** Number of rows (ids), >= 1. */
  rows: number;
  /** Embedding width, >= 1. */
  dim: number;
  /** Seed of the uniform initialisation; same seed, same weights. */
  seed: number;
  /** Initial weights are uniform in [-initScale, initScale]. Default 0.05. */
  initScale?: number;
  /** Optimizer used by `applySparseGradients`. Default `{ kind: 'adam', learningRate: 0.001 }`. */
  optimizer?: SparseOptimizerConfig;
}

/** Options of `EmbeddingTable.lookupBag`: CSR bags of row indices. */
export interface LookupBagOptions {
  /** Bag b holds `values[offsets[b] .. offsets[b + 1])`; length = bags + 1, starts at 0, ends at values.length. */
  offsets: Int32Array;
  /** Row indices of all bags, concatenated. */
  values: Int32Array;
  /** Optional weight per value (same length as `values`). Default 1 each. */
  weights?: Float32Array;
  /** `sum`: weighted sum of the rows; `mean`: weighted sum divided by the bag's weight total. Empty bag -> zeros. */
  combiner: 'mean' | 'sum';
}

/** Options of `EmbeddingTable.setRows`. */
export interface SetRowsOptions {
  /** Rows to overwrite. */
  indices: Int32Array;
  /** New values, `indices.length x dim`, row-major. */
  values: Float32Array;
}

/** Options of `EmbeddingTable.applySparseGradients`. */
export interface ApplySparseGradientsOptions {
  /** Multiplies the aggregated gradient before the update (used for global-norm clipping). Default 1. */
  scale?: number;
}

/** What `applySparseGradients` did. */
export interface SparseUpdateSummary {
  /** Distinct rows updated. */
  touchedRows: number;
}

/** Read-only view of the optimizer state (arrays are the live buffers; do not write to them). */
export interface SparseOptimizerState {
  /** The configured update rule. */
  kind: SparseOptimizerKind;
  /** Adam: per-row step counts (rows), 0 for rows never updated. */
  stepCounts?: Int32Array;
  /** Adam: first moments (rows x dim). */
  firstMoment?: Float32Array;
  /** Adam: second moments (rows x dim). */
  secondMoment?: Float32Array;
  /** Adagrad: squared-gradient accumulators (rows x dim). */
  accumulator?: Float32Array;
}

/**
 * An embedding table whose weights live in a JS Float32Array and whose gradients are sparse.
 * Use `trainStep` (or `tf.variableGrads` over `anchor` followed by `applySparseGradients`).
 */
export interface EmbeddingTable {
  /** Logical name given at creation. */
  readonly name: string;
  /** Number of rows. */
  readonly rows: number;
  /** Embedding width. */
  readonly dim: number;
  /**
   * Trainable scalar variable every lookup is tied to. Include it in `tf.variableGrads` so the
   * lookups' gradient functions run; its own gradient is always zero and must not be applied.
   */
  readonly anchor: tf.Variable;
  /** The live weights, rows x dim row-major. Prefer `setRows` for writes. */
  readonly weights: Float32Array;
  /** Number of recorded, not yet applied gradient blocks (0 outside training). */
  readonly pendingCount: number;
  /** Gathers rows -> [indices.length, dim]. Under a gradient tape the backward pass records dy. */
  lookup(indices: Int32Array): tf.Tensor2D;
  /** Pools the rows of each bag -> [bags, dim]; gradients are recorded per bag and spread at apply time. */
  lookupBag(options: LookupBagOptions): tf.Tensor2D;
  /** Squared L2 norm of the aggregated pending gradient (duplicates summed). */
  sparseGradientSquaredNorm(): number;
  /** Scatter-adds the pending gradients, updates the touched rows only, then clears pending state. */
  applySparseGradients(options?: ApplySparseGradientsOptions): SparseUpdateSummary;
  /** Drops pending gradients without applying them. */
  clearGradients(): void;
  /** Copy of one row. */
  getRow(index: number): Float32Array;
  /** Overwrites rows (optimizer state of those rows is kept). */
  setRows(options: SetRowsOptions): void;
  /** The optimizer state (empty until the first update allocates it). */
  optimizerState(): SparseOptimizerState;
  /**
   * Restores optimizer state saved from `optimizerState()` (copied), e.g. when resuming from a
   * checkpoint. Throws InvalidArgumentError for another optimizer kind or a missing field,
   * ShapeMismatchError for wrong lengths.
   */
  loadOptimizerState(state: SparseOptimizerState): void;
  /** `{ [`${name}/embeddings`]: { shape: [rows, dim], data: copy } }`. */
  toNamedWeights(): NamedWeights;
  /** Restores `${name}/embeddings`; throws MissingArtifactError / ShapeMismatchError. */
  loadNamedWeights(weights: NamedWeights): void;
  /** Frees the anchor variable and all buffers; the table is unusable afterwards. */
  dispose(): void;
}

interface PendingBlock {
  /** Row index per gradient source (lookup) or per value (bag). */
  indices: Int32Array;
  /** Gradient rows: one per index (lookup) or one per bag (bag), x dim. */
  gradient: Float32Array;
  /** Bags only: CSR offsets into `indices`. */
  bagOffsets?: Int32Array;
  /** Bags only: pooling coefficient of each value. */
  coefficients?: Float32Array;
}

interface AggregatedGradient {
  rows: Int32Array;
  gradients: Float32Array;
}

/** Creates an embedding table with sparse gradients. See the package README for the training loop. */
export function createEmbeddingTable(options: EmbeddingTableOptions): EmbeddingTable {
  const { name, rows, dim, seed } = options;
  assertInteger(rows, 'rows', 1);
  assertInteger(dim, 'dim', 1);
  const initScale = options.initScale ?? 0.05;
  if (!Number.isFinite(initScale) || initScale < 0) {
    throw new InvalidArgumentError({
      argument: 'initScale',
      message: `must be a finite number >= 0, got ${initScale}`,
    });
  }
  const optimizer = resolveOptimizer(options.optimizer);

  const weights = uniformArray(rows * dim, initScale, seed);
  const anchor = createVariable(new Float32Array(1), [], `${name}/anchor`);
  let pending: PendingBlock[] = [];
  let aggregated: AggregatedGradient | undefined;
  let disposed = false;
  // optimizer state and the row -> slot scratch map are allocated on first use
  let stepCounts: Int32Array | undefined;
  let firstMoment: Float32Array | undefined;
  let secondMoment: Float32Array | undefined;
  let accumulator: Float32Array | undefined;
  let slotOfRow: Int32Array | undefined;

  const assertAlive = (): void => {
    if (disposed) throw new InvalidArgumentError({ argument: name, message: 'embedding table was disposed' });
  };

  const record = (block: PendingBlock): void => {
    pending.push(block);
    aggregated = undefined;
  };

  const gatherRows = (indices: Int32Array): Float32Array => {
    const out = new Float32Array(indices.length * dim);
    for (let k = 0; k < indices.length; k++) {
      const start = (indices[k] as number) * dim;
      out.set(weights.subarray(start, start + dim), k * dim);
    }
    return out;
  };

  const lookup = (indices: Int32Array): tf.Tensor2D => {
    assertAlive();
    assertIndicesInRange(indices, rows, `${name}.lookup indices`);
    const ownIndices = Int32Array.from(indices);
    const gathered = gatherRows(ownIndices);
    const n = ownIndices.length;
    return tiedToAnchor(anchor, gathered, [n, dim], (gradient) => {
      if (n > 0) record({ indices: ownIndices, gradient });
    });
  };

  const lookupBag = (bag: LookupBagOptions): tf.Tensor2D => {
    assertAlive();
    const { offsets, values, combiner } = bag;
    const bags = validateBagOffsets(offsets, values.length, `${name}.lookupBag offsets`);
    assertIndicesInRange(values, rows, `${name}.lookupBag values`);
    if (bag.weights !== undefined && bag.weights.length !== values.length) {
      throw new ShapeMismatchError({
        message: `${name}.lookupBag weights must have one entry per value`,
        expected: [values.length],
        actual: [bag.weights.length],
      });
    }
    if (combiner !== 'mean' && combiner !== 'sum') {
      throw new InvalidArgumentError({
        argument: 'combiner',
        message: `must be 'mean' or 'sum', got ${String(combiner)}`,
      });
    }
    const ownValues = Int32Array.from(values);
    const ownOffsets = Int32Array.from(offsets);
    const coefficients = new Float32Array(values.length);
    for (let b = 0; b < bags; b++) {
      const start = ownOffsets[b] as number;
      const end = ownOffsets[b + 1] as number;
      let total = 0;
      for (let j = start; j < end; j++) {
        const w = bag.weights === undefined ? 1 : (bag.weights[j] as number);
        coefficients[j] = w;
        total += w;
      }
      if (combiner === 'mean' && end > start) {
        const inverse = total === 0 ? 0 : 1 / total;
        for (let j = start; j < end; j++) coefficients[j] = (coefficients[j] as number) * inverse;
      }
    }
    const pooled = new Float32Array(bags * dim);
    for (let b = 0; b < bags; b++) {
      const outStart = b * dim;
      for (let j = ownOffsets[b] as number; j < (ownOffsets[b + 1] as number); j++) {
        const c = coefficients[j] as number;
        const rowStart = (ownValues[j] as number) * dim;
        for (let d = 0; d < dim; d++)
          pooled[outStart + d] = (pooled[outStart + d] as number) + c * (weights[rowStart + d] as number);
      }
    }
    return tiedToAnchor(anchor, pooled, [bags, dim], (gradient) => {
      if (ownValues.length > 0)
        record({ indices: ownValues, gradient, bagOffsets: ownOffsets, coefficients });
    });
  };

  const aggregate = (): AggregatedGradient => {
    if (aggregated !== undefined) return aggregated;
    let capacity = 0;
    for (const block of pending) capacity += block.indices.length;
    slotOfRow ??= new Int32Array(rows).fill(-1);
    const slots = slotOfRow;
    const touched = new Int32Array(capacity);
    const sums = new Float32Array(capacity * dim);
    let count = 0;
    const add = (row: number, source: Float32Array, sourceStart: number, coefficient: number): void => {
      let slot = slots[row] as number;
      if (slot < 0) {
        slot = count++;
        slots[row] = slot;
        touched[slot] = row;
      }
      const target = slot * dim;
      for (let d = 0; d < dim; d++)
        sums[target + d] = (sums[target + d] as number) + coefficient * (source[sourceStart + d] as number);
    };
    for (const block of pending) {
      if (block.bagOffsets === undefined) {
        for (let k = 0; k < block.indices.length; k++)
          add(block.indices[k] as number, block.gradient, k * dim, 1);
      } else {
        const coefficients = block.coefficients as Float32Array;
        for (let b = 0; b + 1 < block.bagOffsets.length; b++) {
          for (let j = block.bagOffsets[b] as number; j < (block.bagOffsets[b + 1] as number); j++) {
            add(block.indices[j] as number, block.gradient, b * dim, coefficients[j] as number);
          }
        }
      }
    }
    for (let s = 0; s < count; s++) slots[touched[s] as number] = -1;
    aggregated = { rows: touched.subarray(0, count), gradients: sums.subarray(0, count * dim) };
    return aggregated;
  };

  const clearGradients = (): void => {
    pending = [];
    aggregated = undefined;
  };

  const applySparseGradients = (applyOptions: ApplySparseGradientsOptions = {}): SparseUpdateSummary => {
    assertAlive();
    const scale = applyOptions.scale ?? 1;
    if (!Number.isFinite(scale)) {
      throw new InvalidArgumentError({ argument: 'scale', message: `must be finite, got ${scale}` });
    }
    const { rows: touched, gradients } = aggregate();
    const count = touched.length;
    const lr = optimizer.learningRate;
    if (optimizer.kind === 'sgd') {
      for (let s = 0; s < count; s++) {
        const w0 = (touched[s] as number) * dim;
        const g0 = s * dim;
        for (let d = 0; d < dim; d++)
          weights[w0 + d] = (weights[w0 + d] as number) - lr * scale * (gradients[g0 + d] as number);
      }
    } else if (optimizer.kind === 'adagrad') {
      accumulator ??= new Float32Array(rows * dim).fill(optimizer.initialAccumulator);
      const acc = accumulator;
      const eps = optimizer.epsilon;
      for (let s = 0; s < count; s++) {
        const w0 = (touched[s] as number) * dim;
        const g0 = s * dim;
        for (let d = 0; d < dim; d++) {
          const g = scale * (gradients[g0 + d] as number);
          const a = (acc[w0 + d] as number) + g * g;
          acc[w0 + d] = a;
          weights[w0 + d] = (weights[w0 + d] as number) - (lr * g) / Math.sqrt(a + eps);
        }
      }
    } else {
      stepCounts ??= new Int32Array(rows);
      firstMoment ??= new Float32Array(rows * dim);
      secondMoment ??= new Float32Array(rows * dim);
      const steps = stepCounts;
      const m = firstMoment;
      const v = secondMoment;
      const { beta1, beta2, epsilon } = optimizer;
      for (let s = 0; s < count; s++) {
        const row = touched[s] as number;
        const t = (steps[row] as number) + 1;
        steps[row] = t;
        const correction1 = 1 - beta1 ** t;
        const correction2 = 1 - beta2 ** t;
        const w0 = row * dim;
        const g0 = s * dim;
        for (let d = 0; d < dim; d++) {
          const g = scale * (gradients[g0 + d] as number);
          const mNew = beta1 * (m[w0 + d] as number) + (1 - beta1) * g;
          const vNew = beta2 * (v[w0 + d] as number) + (1 - beta2) * g * g;
          m[w0 + d] = mNew;
          v[w0 + d] = vNew;
          weights[w0 + d] =
            (weights[w0 + d] as number) -
            (lr * (mNew / correction1)) / (Math.sqrt(vNew / correction2) + epsilon);
        }
      }
    }
    clearGradients();
    return { touchedRows: count };
  };

  const slot: WeightSlot = {
    key: `${name}/embeddings`,
    shape: [rows, dim],
    read: () => weights.slice(),
    write: (data) => weights.set(data),
  };

  return {
    name,
    rows,
    dim,
    anchor,
    weights,
    get pendingCount() {
      return pending.length;
    },
    lookup,
    lookupBag,
    sparseGradientSquaredNorm: () => {
      const { gradients } = aggregate();
      let total = 0;
      for (let i = 0; i < gradients.length; i++) total += (gradients[i] as number) ** 2;
      return total;
    },
    applySparseGradients,
    clearGradients,
    getRow: (index) => {
      assertInteger(index, 'index', 0);
      if (index >= rows)
        throw new InvalidArgumentError({
          argument: 'index',
          message: `row ${index} is outside [0, ${rows})`,
        });
      return weights.slice(index * dim, index * dim + dim);
    },
    setRows: ({ indices, values }) => {
      assertIndicesInRange(indices, rows, `${name}.setRows indices`);
      if (values.length !== indices.length * dim) {
        throw new ShapeMismatchError({
          message: `${name}.setRows values must be indices.length x dim`,
          expected: [indices.length, dim],
          actual: [values.length],
        });
      }
      for (let k = 0; k < indices.length; k++)
        weights.set(values.subarray(k * dim, k * dim + dim), (indices[k] as number) * dim);
    },
    optimizerState: () => ({
      kind: optimizer.kind,
      ...(stepCounts === undefined ? {} : { stepCounts }),
      ...(firstMoment === undefined ? {} : { firstMoment }),
      ...(secondMoment === undefined ? {} : { secondMoment }),
      ...(accumulator === undefined ? {} : { accumulator }),
    }),
    loadOptimizerState: (state) => {
      if (state.kind !== optimizer.kind) {
        throw new InvalidArgumentError({
          argument: `${name}.loadOptimizerState.kind`,
          message: `the table uses ${optimizer.kind}, the state is for ${state.kind}`,
        });
      }
      const check = (field: string, array: ArrayLike<number> | undefined, length: number) => {
        if (array === undefined) {
          throw new InvalidArgumentError({
            argument: `${name}.loadOptimizerState.${field}`,
            message: `is required for ${optimizer.kind}`,
          });
        }
        if (array.length !== length) {
          throw new ShapeMismatchError({
            message: `${name}.loadOptimizerState.${field} has the wrong length`,
            expected: [length],
            actual: [array.length],
          });
        }
      };
      if (optimizer.kind === 'adam') {
        check('stepCounts', state.stepCounts, rows);
        check('firstMoment', state.firstMoment, rows * dim);
        check('secondMoment', state.secondMoment, rows * dim);
        stepCounts = Int32Array.from(state.stepCounts!);
        firstMoment = Float32Array.from(state.firstMoment!);
        secondMoment = Float32Array.from(state.secondMoment!);
      } else if (optimizer.kind === 'adagrad') {
        check('accumulator', state.accumulator, rows * dim);
        accumulator = Float32Array.from(state.accumulator!);
      }
    },
    toNamedWeights: () => readSlots([slot]),
    loadNamedWeights: (named) => writeSlots([slot], named),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      clearGradients();
      anchor.dispose();
      stepCounts = undefined;
      firstMoment = undefined;
      secondMoment = undefined;
      accumulator = undefined;
      slotOfRow = undefined;
    },
  };
}

/**
 * A [rows, cols] tensor holding `values` whose backward pass hands a copy of dy to `onGradient`
 * and gives `anchor` a zero gradient. Outside a gradient tape the backward pass never runs.
 */
function tiedToAnchor(
  anchor: tf.Variable,
  values: Float32Array,
  shape: [number, number],
  onGradient: (gradient: Float32Array) => void,
): tf.Tensor2D {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const anchorInput = inputs[0] as tf.Tensor;
    return {
      value: tf.tensor2d(values, shape, 'float32'),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const upstream = Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy;
        // copy: on the cpu backend dataSync() returns the backend's own buffer
        onGradient(Float32Array.from(upstream.dataSync() as Float32Array));
        return tf.zerosLike(anchorInput);
      },
    };
  });
  return tf.tidy(() => op(anchor) as tf.Tensor2D);
}

/** The table's weights as a slot (internal: lets towers load all their weights atomically). */
export function tableSlot(table: EmbeddingTable): WeightSlot {
  return {
    key: `${table.name}/embeddings`,
    shape: [table.rows, table.dim],
    read: () => table.weights.slice(),
    write: (data) => table.weights.set(data),
  };
}

interface ResolvedOptimizer {
  kind: SparseOptimizerKind;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  initialAccumulator: number;
}

function resolveOptimizer(config: SparseOptimizerConfig | undefined): ResolvedOptimizer {
  const resolved: ResolvedOptimizer = {
    kind: config?.kind ?? 'adam',
    learningRate: config?.learningRate ?? 0.001,
    beta1: config?.beta1 ?? 0.9,
    beta2: config?.beta2 ?? 0.999,
    epsilon: config?.epsilon ?? 1e-7,
    initialAccumulator: config?.initialAccumulator ?? 0.1,
  };
  if (!['adam', 'adagrad', 'sgd'].includes(resolved.kind)) {
    throw new InvalidArgumentError({
      argument: 'optimizer.kind',
      message: `must be adam, adagrad or sgd, got ${String(resolved.kind)}`,
    });
  }
  assertPositive(resolved.learningRate, 'optimizer.learningRate');
  for (const [key, value] of [
    ['beta1', resolved.beta1],
    ['beta2', resolved.beta2],
  ] as const) {
    if (!(value >= 0 && value < 1))
      throw new InvalidArgumentError({
        argument: `optimizer.${key}`,
        message: `must be in [0, 1), got ${value}`,
      });
  }
  if (!(resolved.epsilon >= 0))
    throw new InvalidArgumentError({
      argument: 'optimizer.epsilon',
      message: `must be >= 0, got ${resolved.epsilon}`,
    });
  if (!(resolved.initialAccumulator >= 0)) {
    throw new InvalidArgumentError({
      argument: 'optimizer.initialAccumulator',
      message: `must be >= 0, got ${resolved.initialAccumulator}`,
    });
  }
  return resolved;
}
