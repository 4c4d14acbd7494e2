import { InvalidArgumentError } from '@mmrecall/errors';
import {
  createTrainableModel,
  type FitOptions,
  type TrainableModel,
  type TrainingData,
} from '@mmrecall/training';
import type { ExperimentConfig } from './experiment-config';

/** The fit options of a training config (train section plus the validation K and query cap). */
export function fitOptionsOf(config: ExperimentConfig): FitOptions {
  const train = config.train;
  return {
    epochs: train.epochs,
    batchSize: train.batchSize,
    learningRate: train.learningRate,
    temperature: train.temperature,
    tripletMargin: train.tripletMargin,
    lossWeights: train.lossWeights,
    auxiliaryWeight: train.auxiliaryWeight,
    mixedViewWeight: train.mixedViewWeight,
    negatives: { logQ: train.logQ, extra: train.extraNegatives },
    seed: train.seed,
    validation: { k: config.eval.k, maxQueries: config.eval.maxQueries, candidates: config.eval.candidates },
    earlyStopping: { patience: train.earlyStoppingPatience },
    ...(train.maxStepsPerEpoch === undefined ? {} : { maxStepsPerEpoch: train.maxStepsPerEpoch }),
    clipNorm: train.clipNorm,
  };
}

/** The model of a training config, built for `data` (dispose it). */
export function createModelFromConfig(config: ExperimentConfig, data: TrainingData): TrainableModel {
  try {
    return createTrainableModel({
      data,
      ...config.model,
      fusedKernels: config.train.fusedKernels,
      seed: config.train.seed,
      learningRate: config.train.learningRate,
    });
  } catch (error) {
    throw asConfigError(error);
  }
}

/** Library option names and the config fields (or the `mmrecall-train` flag) they are set with. */
const CONFIG_NAMES: Record<string, string> = {
  'options.checkpoint.resume': '--resume',
  'options.batchSize': 'config.train.batchSize',
  'options.learningRate': 'config.train.learningRate',
  clusterBranching: 'config.model.clusterBranching',
};

/** Renames a library InvalidArgumentError's argument to the config field (or flag) the user wrote. */
export function asConfigError(error: unknown): unknown {
  if (!InvalidArgumentError.isInstance(error)) return error;
  const name = CONFIG_NAMES[error.argument];
  if (name === undefined) return error;
  return new InvalidArgumentError({
    argument: name,
    message: error.message.slice(error.argument.length + 2),
    cause: error,
  });
}
