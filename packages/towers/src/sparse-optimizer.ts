import { checkFiniteNumber, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import type { EmbeddingTable } from './embedding-table';

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

/** Options of `SparseOptimizer.applyGradients`. */
export interface ApplySparseGradientsOptions {
  /** Multiplies the aggregated gradient before the update (used for global-norm clipping). Default 1. */
  scale?: number;
}

/** What `applyGradients` did. */
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

/** Options of {@link createSparseOptimizer}. */
export interface CreateSparseOptimizerOptions extends Partial<SparseOptimizerConfig> {
  /** The table whose pending gradients it applies (its live weights are updated in place). */
  table: EmbeddingTable;
}

/** A lazy optimizer of one embedding table: only rows that received a gradient are updated. */
export interface SparseOptimizer {
  /** The configured update rule. */
  readonly kind: SparseOptimizerKind;
  /** The table it updates. */
  readonly table: EmbeddingTable;
  /** Applies the table's pending gradients (duplicates summed) to the touched rows, then clears them. */
  applyGradients(options?: ApplySparseGradientsOptions): SparseUpdateSummary;
  /** The state (live buffers, do not write to them; empty until the first update allocates it). */
  state(): SparseOptimizerState;
  /**
   * Restores a state saved from `state()` (copied), e.g. when resuming from a checkpoint. Throws
   * InvalidArgumentError for another optimizer kind or a missing field, ShapeMismatchError for wrong lengths.
   */
  loadState(state: SparseOptimizerState): void;
  /** Frees the state; the optimizer is unusable afterwards (the table is not disposed). */
  dispose(): void;
}

/**
 * Lazy Adam (per-row step counts), Adagrad or SGD over one embedding table, kept apart from the
 * table so inference code never loads it. Default `{ kind: 'adam', learningRate: 0.001 }`.
 */
export function createSparseOptimizer(options: CreateSparseOptimizerOptions): SparseOptimizer {
  const { table } = options;
  const { name, rows, dim, weights } = table;
  const optimizer = resolveOptimizer(options);
  // the state is allocated on the first update
  let stepCounts: Int32Array | undefined;
  let firstMoment: Float32Array | undefined;
  let secondMoment: Float32Array | undefined;
  let accumulator: Float32Array | undefined;
  let disposed = false;
  const assertAlive = (): void => {
    if (disposed)
      throw new InvalidArgumentError({ argument: name, message: 'sparse optimizer was disposed' });
  };

  const applyGradients = (applyOptions: ApplySparseGradientsOptions = {}): SparseUpdateSummary => {
    assertAlive();
    const scale = applyOptions.scale ?? 1;
    if (!Number.isFinite(scale)) {
      throw new InvalidArgumentError({ argument: 'scale', message: `must be finite, got ${scale}` });
    }
    const { rows: touched, gradients } = table.aggregatedGradient();
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
    table.clearGradients();
    return { touchedRows: count };
  };

  return {
    kind: optimizer.kind,
    table,
    applyGradients,
    state: () => ({
      kind: optimizer.kind,
      ...(stepCounts === undefined ? {} : { stepCounts }),
      ...(firstMoment === undefined ? {} : { firstMoment }),
      ...(secondMoment === undefined ? {} : { secondMoment }),
      ...(accumulator === undefined ? {} : { accumulator }),
    }),
    loadState: (state) => {
      if (state.kind !== optimizer.kind) {
        throw new InvalidArgumentError({
          argument: `${name}.loadState.kind`,
          message: `the table uses ${optimizer.kind}, the state is for ${state.kind}`,
        });
      }
      const check = (field: string, array: ArrayLike<number> | undefined, length: number) => {
        if (array === undefined) {
          throw new InvalidArgumentError({
            argument: `${name}.loadState.${field}`,
            message: `is required for ${optimizer.kind}`,
          });
        }
        if (array.length !== length) {
          throw new ShapeMismatchError({
            message: `${name}.loadState.${field} has the wrong length`,
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

    dispose: () => {
      disposed = true;
      stepCounts = undefined;
      firstMoment = undefined;
      secondMoment = undefined;
      accumulator = undefined;
    },
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

function resolveOptimizer(config: Partial<SparseOptimizerConfig>): ResolvedOptimizer {
  const resolved: ResolvedOptimizer = {
    kind: config.kind ?? 'adam',
    learningRate: config.learningRate ?? 0.001,
    beta1: config.beta1 ?? 0.9,
    beta2: config.beta2 ?? 0.999,
    epsilon: config.epsilon ?? 1e-7,
    initialAccumulator: config.initialAccumulator ?? 0.1,
  };
  if (!['adam', 'adagrad', 'sgd'].includes(resolved.kind)) {
    throw new InvalidArgumentError({
      argument: 'optimizer.kind',
      message: `must be adam, adagrad or sgd, got ${String(resolved.kind)}`,
    });
  }
  checkFiniteNumber({
    argument: 'optimizer.learningRate',
    value: resolved.learningRate,
    min: 0,
    exclusiveMin: true,
  });
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
