import { InvalidArgumentError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { SparseOptimizer } from './sparse-optimizer';

/** What `trainStep` needs of a dense optimizer: `tf.train.adam(...)` and other tfjs optimizers qualify. */
export interface DenseOptimizer {
  /** Applies one update; gets every dense variable, in the same order every step. */
  applyGradients(gradients: { name: string; tensor: tf.Tensor }[]): void;
}

/** Options of `trainStep`. */
export interface TrainStepOptions {
  /** Builds the scalar loss; runs under the gradient tape (no `await`, no tidy needed). */
  loss: () => tf.Scalar;
  /** Dense trainable variables updated by `optimizer` (duplicates are ignored). */
  variables: tf.Variable[];
  /** One sparse optimizer per embedding table the loss looks up (duplicates ignored). */
  sparseOptimizers: SparseOptimizer[];
  /** Dense optimizer, e.g. `tf.train.adam(1e-3)`; sees the dense variables in the same order every step. */
  optimizer: DenseOptimizer;
  /**
   * Clip the global L2 norm of all gradients (dense and sparse, duplicates summed) to this value.
   * Default: no clipping.
   */
  clipNorm?: number;
}

/**
 * One training step: gradients of `loss` for the dense variables and the tables' anchors, dense
 * update through `optimizer.applyGradients`, sparse update through each table's sparse optimizer.
 * Returns the loss value before the update. Leaves no tensors behind (besides the optimizer's own
 * state, created on its first call).
 */
export function trainStep(options: TrainStepOptions): number {
  const variables = [...new Set(options.variables)];
  const sparse = [...new Set(options.sparseOptimizers)];
  const tables = sparse.map((optimizer) => optimizer.table);
  const { clipNorm } = options;
  if (clipNorm !== undefined && !(Number.isFinite(clipNorm) && clipNorm > 0)) {
    throw new InvalidArgumentError({
      argument: 'clipNorm',
      message: `must be a finite number > 0, got ${clipNorm}`,
    });
  }
  if (variables.length + tables.length === 0) {
    throw new InvalidArgumentError({
      argument: 'variables',
      message: 'nothing to train: no variables and no tables',
    });
  }
  for (const table of tables) table.clearGradients();

  const { value, grads } = tf.variableGrads(options.loss, [
    ...variables,
    ...tables.map((table) => table.anchor),
  ]);
  const owned: tf.Tensor[] = [value, ...Object.values(grads)];
  try {
    const lossValue = (value.dataSync() as Float32Array)[0] as number;
    // Every dense variable gets an entry, in a fixed order (tf optimizers index their state by position).
    const dense = variables.map((variable) => {
      let tensor = grads[variable.name];
      if (tensor === undefined) {
        tensor = tf.zerosLike(variable);
        owned.push(tensor);
      }
      return { name: variable.name, tensor };
    });
    let scale = 1;
    if (clipNorm !== undefined) {
      let squared = 0;
      if (dense.length > 0) {
        const denseSquared = tf.tidy(() => tf.addN(dense.map(({ tensor }) => tf.sum(tf.square(tensor)))));
        squared += (denseSquared.dataSync() as Float32Array)[0] as number;
        denseSquared.dispose();
      }
      for (const table of tables) squared += table.sparseGradientSquaredNorm();
      const norm = Math.sqrt(squared);
      if (norm > clipNorm) scale = clipNorm / norm;
    }
    if (dense.length > 0) {
      if (scale !== 1) {
        const scaled = dense.map(({ name, tensor }) => ({ name, tensor: tf.mul(tensor, scale) }));
        owned.push(...scaled.map(({ tensor }) => tensor));
        options.optimizer.applyGradients(scaled);
      } else {
        options.optimizer.applyGradients(dense);
      }
    }
    for (const optimizer of sparse) optimizer.applyGradients({ scale });
    return lossValue;
  } finally {
    for (const table of tables) table.clearGradients();
    tf.dispose(owned);
  }
}
