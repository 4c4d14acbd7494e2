import { InvalidArgumentError } from '@mmrecall/errors';
import type { InteractionMatrix } from './interaction-matrix';
import { createFactorizedScorer, type FactorizedScorer } from './scorer';

/** One epoch of an iterative baseline. */
export interface BaselineEpoch {
  /** 1-based epoch. */
  epoch: number;
  /** Mean training loss of the epoch (BPR loss plus L2 term). */
  loss: number;
  /** The validation metric, on epochs where `validate` ran. */
  valid?: number;
}

/** Model options shared by the embedding baselines (BPR-MF, LightGCN). */
export interface EmbeddingBaselineOptions {
  /** Training positives. */
  matrix: InteractionMatrix;
  /** Embedding dimension. Default 64. */
  dim?: number;
  /** Step size (SGD for BPR-MF, Adam for LightGCN). */
  learningRate?: number;
  /** L2 weight on the embeddings touched by each triple. */
  regularization?: number;
  /** Standard deviation of the initial embeddings. Default 0.1. */
  initScale?: number;
  /** Seed of the initialisation and the sampling. Default 1. */
  seed?: number;
}

/** Validation and stopping options shared by the iterative baselines. */
export interface EpochScheduleOptions {
  /** Maximum number of epochs. */
  epochs: number;
  /**
   * Scores the current embeddings on the validation split (higher is better, e.g. Recall@20). When
   * given, the returned embeddings are those of the best validated epoch; without it, the last epoch's.
   */
  validate?: (scorer: FactorizedScorer, epoch: number) => number;
  /** Run `validate` every this many epochs (and after the last). Default 5. */
  validateEvery?: number;
  /** Stop after this many validations without improvement (0 = never). Default 3. */
  patience?: number;
}

/** What an iterative baseline returns. */
export interface IterativeBaselineResult {
  /** The embeddings of the best validated epoch (or of the last one without `validate`). */
  scorer: FactorizedScorer;
  /** Per-epoch loss and validation metric. */
  history: BaselineEpoch[];
  /** Epoch whose embeddings were returned. */
  bestEpoch: number;
}

/** Runs `step` for each epoch with validation, early stopping and best-epoch selection. */
export function runEpochs(
  options: EpochScheduleOptions & {
    /** One epoch of training; returns its mean loss. */
    step: (epoch: number) => number;
    /** The current embeddings (copied when kept as the best). */
    current: () => FactorizedScorer;
  },
): IterativeBaselineResult {
  const { epochs, validate } = options;
  const validateEvery = options.validateEvery ?? 5;
  const patience = options.patience ?? 3;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new InvalidArgumentError({ argument: 'epochs', message: `must be an integer >= 1, got ${epochs}` });
  if (!Number.isInteger(validateEvery) || validateEvery < 1)
    throw new InvalidArgumentError({
      argument: 'validateEvery',
      message: `must be an integer >= 1, got ${validateEvery}`,
    });
  if (!Number.isInteger(patience) || patience < 0)
    throw new InvalidArgumentError({
      argument: 'patience',
      message: `must be an integer >= 0, got ${patience}`,
    });
  const history: BaselineEpoch[] = [];
  let best: FactorizedScorer | undefined;
  let bestValue = Number.NEGATIVE_INFINITY;
  let bestEpoch = 0;
  let stale = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const record: BaselineEpoch = { epoch, loss: options.step(epoch) };
    history.push(record);
    if (validate === undefined || (epoch % validateEvery !== 0 && epoch !== epochs)) continue;
    const scorer = options.current();
    record.valid = validate(scorer, epoch);
    if (record.valid > bestValue) {
      bestValue = record.valid;
      bestEpoch = epoch;
      best = copyScorer(scorer);
      stale = 0;
    } else if (patience > 0 && ++stale >= patience) {
      break;
    }
  }
  if (best === undefined)
    return { scorer: copyScorer(options.current()), history, bestEpoch: history.length };
  return { scorer: best, history, bestEpoch };
}

function copyScorer(scorer: FactorizedScorer): FactorizedScorer {
  return createFactorizedScorer({
    userEmbeddings: scorer.userEmbeddings.slice(),
    itemEmbeddings: scorer.itemEmbeddings.slice(),
    dim: scorer.dim,
  });
}

/** Draws an item the user has not clicked (uniform over the rest of the catalogue); the user must miss at least one item. */
export function sampleNegative(matrix: InteractionMatrix, user: number, random: () => number): number {
  const { numItems, offsets, items } = matrix;
  const start = offsets[user]!;
  const end = offsets[user + 1]!;
  for (;;) {
    const j = Math.floor(random() * numItems);
    let lo = start;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid]! < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo === end || items[lo] !== j) return j;
  }
}

/** log(1 + exp(-x)) without overflow. */
export function softplusNegative(x: number): number {
  return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
}

/** 1 / (1 + exp(x)) = sigmoid(-x), the gradient factor of the BPR loss. */
export function sigmoidNegative(x: number): number {
  return x > 0 ? Math.exp(-x) / (1 + Math.exp(-x)) : 1 / (1 + Math.exp(x));
}
