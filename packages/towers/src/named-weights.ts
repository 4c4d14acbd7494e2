import { MissingArtifactError, ShapeMismatchError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';

/** One weight array with its shape, row-major float32. */
export interface NamedWeight {
  /** Tensor shape, e.g. `[rows, dim]` for a table or `[inputDim, units]` for a kernel. */
  shape: number[];
  /** Row-major values; length is the product of `shape`. */
  data: Float32Array;
}

/** Weights keyed by a stable logical name such as `user/mlp/dense_0/kernel`. */
export type NamedWeights = Record<string, NamedWeight>;

/** A weight slot a component can export and restore (internal building block). */
export interface WeightSlot {
  key: string;
  shape: number[];
  read(): Float32Array;
  write(data: Float32Array): void;
}

/** Exports every slot as a copy. */
export function readSlots(slots: readonly WeightSlot[]): NamedWeights {
  const out: NamedWeights = {};
  for (const slot of slots) out[slot.key] = { shape: [...slot.shape], data: slot.read() };
  return out;
}

/**
 * Checks every slot against `weights` first (missing key -> MissingArtifactError, wrong shape or
 * length -> ShapeMismatchError), then writes them all, so a failed load changes nothing.
 * Keys in `weights` that no slot asks for are ignored.
 */
export function writeSlots(slots: readonly WeightSlot[], weights: NamedWeights): void {
  for (const slot of slots) {
    const entry = weights[slot.key];
    if (entry === undefined) {
      throw new MissingArtifactError({
        path: slot.key,
        message: 'weight missing from the named weights map',
      });
    }
    const sameShape =
      entry.shape.length === slot.shape.length && entry.shape.every((d, i) => d === slot.shape[i]);
    if (!sameShape) {
      throw new ShapeMismatchError({
        message: `weight ${slot.key} has the wrong shape`,
        expected: slot.shape,
        actual: entry.shape,
      });
    }
    const size = slot.shape.reduce((a, b) => a * b, 1);
    if (entry.data.length !== size) {
      throw new ShapeMismatchError({
        message: `weight ${slot.key} has the wrong number of values`,
        expected: [size],
        actual: [entry.data.length],
      });
    }
  }
  for (const slot of slots) slot.write((weights[slot.key] as NamedWeight).data);
}

/** Returns `base`, or `base_1`, `base_2`, ... when tfjs already has a variable of that name. */
export function uniqueVariableName(base: string): string {
  const registered = tf.engine().registeredVariables;
  if (registered[base] === undefined) return base;
  for (let i = 1; ; i++) {
    const candidate = `${base}_${i}`;
    if (registered[candidate] === undefined) return candidate;
  }
}

/** Creates a trainable float32 variable holding a copy of `data`. */
export function createVariable(data: Float32Array, shape: number[], name: string): tf.Variable {
  const initial = tf.tensor(data, shape, 'float32');
  try {
    return tf.variable(initial, true, uniqueVariableName(name));
  } finally {
    initial.dispose();
  }
}

/** A weight slot backed by a tf.Variable. */
export function variableSlot(key: string, variable: tf.Variable): WeightSlot {
  return {
    key,
    shape: [...variable.shape],
    read: () => Float32Array.from(variable.dataSync() as Float32Array),
    write: (data) => {
      tf.tidy(() => variable.assign(tf.tensor(data, variable.shape, 'float32')));
    },
  };
}
