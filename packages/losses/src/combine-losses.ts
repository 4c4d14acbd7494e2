import { InvalidArgumentError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';
import { expectShape } from './validate';

/** One weighted loss term. */
export interface LossTerm {
  /** Name of the term in `parts`, e.g. `retrieval/id`, `retrieval/content`, `triplet`. Unique. */
  name: string;
  /** The term's scalar loss (not disposed). */
  loss: tf.Scalar;
  /** Weight multiplying the term (finite, may be 0). */
  weight: number;
}

/** Options of {@link combineLosses}. */
export interface CombineLossesOptions {
  /** The terms to add; at least one. */
  terms: readonly LossTerm[];
}

/**
 * Result of {@link combineLosses}: every tensor is new and owned by the caller. A type alias (not an
 * interface) so it is a `tf.TensorContainer` and `tf.dispose(combined)` type-checks.
 */
export type CombinedLoss = {
  /** `sum(weight_t * loss_t)`, the value to minimise. */
  total: tf.Scalar;
  /** Each weighted term `weight_t * loss_t` by name (they add up to `total`). */
  parts: Record<string, tf.Scalar>;
};

/**
 * Weighted sum of scalar losses for multi-task training (two retrieval losses + triplet in the base
 * model). Returns the total and the weighted parts; all are new tensors the caller disposes
 * (`tf.dispose(combined)` frees everything). Inside `tf.variableGrads(f)`, return `total` from `f` and
 * read the parts with {@link readLossParts} before returning: tensors not returned from `f` are freed.
 */
export function combineLosses(options: CombineLossesOptions): CombinedLoss {
  const { terms } = options;
  if (terms.length === 0) {
    throw new InvalidArgumentError({ argument: 'terms', message: 'needs at least one loss term' });
  }
  const names = new Set<string>();
  for (const [index, term] of terms.entries()) {
    if (names.has(term.name)) {
      throw new InvalidArgumentError({
        argument: `terms[${index}].name`,
        message: `duplicate name "${term.name}"`,
      });
    }
    names.add(term.name);
    if (!Number.isFinite(term.weight)) {
      throw new InvalidArgumentError({
        argument: `terms[${index}].weight`,
        message: `must be finite, got ${term.weight}`,
      });
    }
    expectShape(term.loss, [], `terms[${index}].loss`);
  }
  return tf.tidy(() => {
    const parts: Record<string, tf.Scalar> = {};
    const weighted = terms.map((term) => {
      const part = tf.mul(term.loss, term.weight) as tf.Scalar;
      parts[term.name] = part;
      return part;
    });
    const total = (weighted.length === 1 ? tf.clone(weighted[0]!) : tf.addN(weighted)) as tf.Scalar;
    return { total, parts };
  });
}

/** Options of {@link readLossParts}. */
export interface ReadLossPartsOptions {
  /** Scalars by name, e.g. `combineLosses(...).parts` (not disposed). */
  parts: Record<string, tf.Scalar>;
}

/** Reads scalar tensors into plain numbers (synchronously, for logging); disposes nothing. */
export function readLossParts(options: ReadLossPartsOptions): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [name, part] of Object.entries(options.parts)) values[name] = part.dataSync()[0]!;
  return values;
}
