import { InvalidArgumentError } from '@mmrecall/errors';
import type { CandidateSet } from '@mmrecall/metrics';
import type { RecallLossOptions } from '@mmrecall/model';
import { DEFAULT_LEARNING_RATE, DEFAULT_SEED } from './trainable-model';

/** One epoch of the history. */
export interface EpochRecord {
  /** 1-based epoch. */
  epoch: number;
  /** Steps run. */
  steps: number;
  /** Mean total loss over the epoch. */
  loss: number;
  /** Mean weighted loss parts (retrieval/id, retrieval/content, triplet, ...). */
  lossParts: Record<string, number>;
  /** Validation Recall@K (all items). */
  validRecall: number;
  /** Validation NDCG@K (all items). */
  validNdcg: number;
  /** Validation Recall@K on cold items. */
  validColdRecall: number;
  /** Validation Recall@K on warm items. */
  validWarmRecall?: number;
  /** Wall time of the training steps of the epoch. */
  seconds: number;
  /** Training examples per second (positive pairs). */
  examplesPerSecond: number;
  /** Live tfjs tensors after the epoch (constant from epoch 2 on when nothing leaks). */
  liveTensors: number;
}

/** A stage of `evaluate`: embedding every item, then ranking every query. */
export type EvaluateStage = 'items' | 'ranking';

/** What `fit` reports while it runs (for progress bars and logs). */
export type FitEvent =
  /** Training continues from a checkpoint written after `afterEpoch`. */
  | { type: 'resumed'; path: string; afterEpoch: number; finished: boolean }
  /** A new run will replace the checkpoint found at `path`. */
  | { type: 'overwriting-checkpoint'; path: string }
  | { type: 'epoch-start'; epoch: number; epochs: number; steps: number; batchSize: number }
  /** After each step: the mean loss of the epoch so far. */
  | { type: 'step'; epoch: number; step: number; steps: number; meanLoss: number }
  /** The epoch's steps are done (in `seconds`); validation, a long step on large catalogues, starts. */
  | { type: 'validation-start'; epoch: number; steps: number; seconds: number }
  /** Inside validation: items embedded (`stage` items), then queries ranked (`stage` ranking). */
  | { type: 'validation-progress'; epoch: number; stage: EvaluateStage; done: number; total: number }
  /** After validation (`validationSeconds`); `improved` = new best validation Recall@K. */
  | {
      type: 'epoch-end';
      record: EpochRecord;
      epochs: number;
      k: number;
      improved: boolean;
      validationSeconds: number;
    }
  | { type: 'early-stop'; epochsWithoutImprovement: number; bestEpoch: number; k: number };

/** Options of `fit`; every field has the CLI's default. */
export interface FitOptions {
  /** Maximum number of epochs. Default 5. */
  epochs?: number;
  /** Positive pairs per step (the in-batch softmax sees batchSize - 1 negatives). Default 256. */
  batchSize?: number;
  /** Adam learning rate of the dense variables. Default 0.005. */
  learningRate?: number;
  /** Softmax temperature (logits = score / temperature). Default 0.1. */
  temperature?: number;
  /** Margin of the multiview triplet loss. Default 0.2. */
  tripletMargin?: number;
  /** Weights of the multiview losses (and of the gated kinds' auxiliary per-view losses). Default 1, 1, 0.5. */
  lossWeights?: { id: number; content: number; triplet: number };
  /** Weight of the gated kinds' auxiliary per-view losses (0 = off). Default 0.25. */
  auxiliaryWeight?: number;
  /** Multiview only, not in MODEL.md: weight of the serving-mixed softmax (0 = off). Default 0. */
  mixedViewWeight?: number;
  /** Negatives: logQ correction of the in-batch ones, extra uniformly sampled warm ones per step. */
  negatives?: { logQ?: boolean; extra?: number };
  /** Seed of shuffling, negatives and the loss's random choices. Default 7. */
  seed?: number;
  /**
   * Validation after each epoch: Recall@K of the valid split, on at most `maxQueries` users (0 = all),
   * over `candidates` (`all`, or warm/cold held-out items among warm/cold items). Default 20, 0, `all`.
   */
  validation?: { k?: number; maxQueries?: number; candidates?: CandidateSet };
  /** Stop when validation Recall@K has not improved for `patience` epochs (0 = never). Default 2. */
  earlyStopping?: { patience?: number };
  /** Cap on steps per epoch. Default: one full pass over the training pairs. */
  maxStepsPerEpoch?: number;
  /** Clip the global gradient norm to this value (0 = off). Default 0. */
  clipNorm?: number;
  /**
   * Write a checkpoint to `path` after every epoch (atomic); with `resume`, continue from it (it
   * must exist and come from the same data, model and options; `epochs` may grow). Default: none.
   */
  checkpoint?: { path: string; resume?: boolean };
  /** Progress events (epoch start, steps, validation, early stop, resume). */
  onProgress?: (event: FitEvent) => void;
  /** Called after each epoch once its checkpoint is written (a throw here leaves a resumable run). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

/** The numeric options with defaults filled in (what a checkpoint fingerprints). */
export interface ResolvedFitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  loss: RecallLossOptions;
  logQ: boolean;
  extraNegatives: number;
  seed: number;
  k: number;
  maxQueries: number;
  candidates: CandidateSet;
  patience: number;
  maxStepsPerEpoch?: number;
  clipNorm: number;
}

function check(ok: boolean, argument: string, message: string, value: unknown): void {
  if (!ok)
    throw new InvalidArgumentError({ argument: `options.${argument}`, message: `${message}, got ${value}` });
}

const isInt = (value: number, min: number) => Number.isInteger(value) && value >= min;
const isNumber = (value: number, min: number) => Number.isFinite(value) && value >= min;

/** Fills in defaults and checks every value (InvalidArgumentError naming `options.<field>`). */
export function resolveFitOptions(options: FitOptions = {}): ResolvedFitOptions {
  const loss: RecallLossOptions = {
    temperature: options.temperature ?? 0.1,
    tripletMargin: options.tripletMargin ?? 0.2,
    lossWeights: { ...(options.lossWeights ?? { id: 1, content: 1, triplet: 0.5 }) },
    auxiliaryWeight: options.auxiliaryWeight ?? 0.25,
    mixedViewWeight: options.mixedViewWeight ?? 0,
    seed: options.seed ?? DEFAULT_SEED,
  };
  const resolved: ResolvedFitOptions = {
    epochs: options.epochs ?? 5,
    batchSize: options.batchSize ?? 256,
    learningRate: options.learningRate ?? DEFAULT_LEARNING_RATE,
    loss,
    logQ: options.negatives?.logQ ?? true,
    extraNegatives: options.negatives?.extra ?? 0,
    seed: loss.seed,
    k: options.validation?.k ?? 20,
    maxQueries: options.validation?.maxQueries ?? 0,
    candidates: options.validation?.candidates ?? 'all',
    patience: options.earlyStopping?.patience ?? 2,
    ...(options.maxStepsPerEpoch === undefined ? {} : { maxStepsPerEpoch: options.maxStepsPerEpoch }),
    clipNorm: options.clipNorm ?? 0,
  };
  const r = resolved;
  check(isInt(r.epochs, 1), 'epochs', 'must be an integer >= 1', r.epochs);
  check(isInt(r.batchSize, 2), 'batchSize', 'must be an integer >= 2', r.batchSize);
  check(isNumber(r.learningRate, 0) && r.learningRate > 0, 'learningRate', 'must be > 0', r.learningRate);
  check(
    isNumber(loss.temperature, 0) && loss.temperature > 0,
    'temperature',
    'must be > 0',
    loss.temperature,
  );
  check(isNumber(loss.tripletMargin, 0), 'tripletMargin', 'must be >= 0', loss.tripletMargin);
  for (const key of ['id', 'content', 'triplet'] as const)
    check(isNumber(loss.lossWeights[key], 0), `lossWeights.${key}`, 'must be >= 0', loss.lossWeights[key]);
  check(isNumber(loss.auxiliaryWeight, 0), 'auxiliaryWeight', 'must be >= 0', loss.auxiliaryWeight);
  check(isNumber(loss.mixedViewWeight, 0), 'mixedViewWeight', 'must be >= 0', loss.mixedViewWeight);
  check(isInt(r.extraNegatives, 0), 'negatives.extra', 'must be an integer >= 0', r.extraNegatives);
  check(isInt(r.seed, 0), 'seed', 'must be an integer >= 0', r.seed);
  check(isInt(r.k, 1), 'validation.k', 'must be an integer >= 1', r.k);
  check(isInt(r.maxQueries, 0), 'validation.maxQueries', 'must be an integer >= 0', r.maxQueries);
  check(isInt(r.patience, 0), 'earlyStopping.patience', 'must be an integer >= 0', r.patience);
  if (r.maxStepsPerEpoch !== undefined)
    check(isInt(r.maxStepsPerEpoch, 1), 'maxStepsPerEpoch', 'must be an integer >= 1', r.maxStepsPerEpoch);
  check(isNumber(r.clipNorm, 0), 'clipNorm', 'must be >= 0', r.clipNorm);
  return resolved;
}
