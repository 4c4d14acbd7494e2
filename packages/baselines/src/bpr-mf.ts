import { InvalidArgumentError } from '@mmrecall/errors';
import { createRandom, shuffleInPlace } from '@mmrecall/random';
import { validateInteractionMatrix } from './interaction-matrix';
import { gaussian } from './random';
import { createFactorizedScorer } from './scorer';
import {
  type EmbeddingBaselineOptions,
  type EpochScheduleOptions,
  type IterativeBaselineResult,
  runEpochs,
  sampleNegative,
  sigmoidNegative,
  softplusNegative,
} from './training-loop';

/** Options of {@link fitBprMf}. */
export interface FitBprMfOptions extends EmbeddingBaselineOptions, EpochScheduleOptions {
  /** SGD step size. Default 0.05. */
  learningRate?: number;
  /** L2 weight on the user and the two item embeddings of each triple. Default 0.001. */
  regularization?: number;
}

/**
 * BPR matrix factorisation (Rendle et al., UAI 2009): per epoch one SGD step per training positive
 * (u, i), in shuffled order, on `-log σ(x_ui - x_uj) + reg (|p_u|² + |q_i|² + |q_j|²)` with `j` drawn
 * uniformly among the items `u` did not click.
 */
export function fitBprMf(options: FitBprMfOptions): IterativeBaselineResult {
  const { matrix } = options;
  const dim = options.dim ?? 64;
  const learningRate = options.learningRate ?? 0.05;
  const reg = options.regularization ?? 0.001;
  const initScale = options.initScale ?? 0.1;
  validateInteractionMatrix(matrix);
  checkPositive('dim', dim, true);
  checkPositive('learningRate', learningRate);
  if (!(reg >= 0))
    throw new InvalidArgumentError({ argument: 'regularization', message: `must be >= 0, got ${reg}` });
  const { numUsers, numItems, offsets, items } = matrix;
  const random = createRandom(options.seed ?? 1);
  const userEmbeddings = Float32Array.from({ length: numUsers * dim }, () => initScale * gaussian(random));
  const itemEmbeddings = Float32Array.from({ length: numItems * dim }, () => initScale * gaussian(random));
  const scorer = createFactorizedScorer({ userEmbeddings, itemEmbeddings, dim });
  // Positives of users who miss at least one item (a negative exists).
  const order: number[] = [];
  const owner = new Int32Array(items.length);
  for (let u = 0; u < numUsers; u++) {
    for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
      owner[e] = u;
      if (offsets[u + 1]! - offsets[u]! < numItems) order.push(e);
    }
  }
  const step = (): number => {
    shuffleInPlace(order, random);
    let total = 0;
    for (const e of order) {
      const u = owner[e]!;
      const i = items[e]!;
      const j = sampleNegative(matrix, u, random);
      const pu = u * dim;
      const qi = i * dim;
      const qj = j * dim;
      let x = 0;
      let norm = 0;
      for (let t = 0; t < dim; t++) {
        const p = userEmbeddings[pu + t]!;
        const a = itemEmbeddings[qi + t]!;
        const b = itemEmbeddings[qj + t]!;
        x += p * (a - b);
        norm += p * p + a * a + b * b;
      }
      total += softplusNegative(x) + reg * norm;
      const g = sigmoidNegative(x); // -d loss / d x
      for (let t = 0; t < dim; t++) {
        const p = userEmbeddings[pu + t]!;
        const a = itemEmbeddings[qi + t]!;
        const b = itemEmbeddings[qj + t]!;
        userEmbeddings[pu + t] = p + learningRate * (g * (a - b) - 2 * reg * p);
        itemEmbeddings[qi + t] = a + learningRate * (g * p - 2 * reg * a);
        itemEmbeddings[qj + t] = b + learningRate * (-g * p - 2 * reg * b);
      }
    }
    return order.length === 0 ? 0 : total / order.length;
  };
  return runEpochs({ ...options, step, current: () => scorer });
}

/** Checks a positive option (an integer when `integer`). */
export function checkPositive(argument: string, value: number, integer = false): void {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new InvalidArgumentError({
      argument,
      message: `must be a ${integer ? 'positive integer' : 'finite number > 0'}, got ${value}`,
    });
}
