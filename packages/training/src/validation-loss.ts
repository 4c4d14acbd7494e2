import { createRandom, mixSeed as deriveSeed, shuffleInPlace } from '@mmrecall/random';
import * as tf from '@tensorflow/tfjs-core';
import { createBatchAssembler } from './batches';
import { type FitOptions, resolveFitOptions } from './fit-options';
import { buildTrainingPairs } from './pairs';
import { positivesByUser } from './positives';
import type { TrainableModel } from './trainable-model';
import type { TrainingData } from './training-data';

/** Options of {@link validationLoss}. */
export interface ValidationLossOptions {
  /** Model and stores. */
  model: TrainableModel;
  /** Data set (valid split). */
  data: TrainingData;
  /** The options the model was fitted with (batch size, temperature, loss weights, logQ, seed). */
  options?: FitOptions;
}

/**
 * Mean loss of the model kind on the validation positives (same batch size, logQ from the training
 * counts, no extra negatives, no dropout), batches in a fixed seeded order: comparable across models
 * of one data set.
 */
export function validationLoss(options: ValidationLossOptions): number {
  const { model: setup, data } = options;
  const resolved = resolveFitOptions(options.options);
  const mode = setup.model.config.mode;
  const trainPairs = buildTrainingPairs({ data, mode, userPositives: setup.userPositives });
  const validData: TrainingData = { ...data, split: { ...data.split, train: data.split.valid } };
  const validPositives =
    mode === 'i2i'
      ? positivesByUser({ interactions: data.split.valid, numUsers: data.numUsers })
      : setup.userPositives;
  const pairs = buildTrainingPairs({ data: validData, mode, userPositives: validPositives });
  const assemble = createBatchAssembler({
    model: setup,
    targetCounts: trainPairs.targetCounts,
    logQ: resolved.logQ,
    extraNegatives: 0,
    seed: resolved.seed,
  });
  const batchSize = Math.min(resolved.batchSize, pairs.targets.length);
  const order = shuffleInPlace(
    Int32Array.from(pairs.targets, (_, i) => i),
    createRandom(deriveSeed(resolved.seed, 999)),
  );
  const steps = Math.floor(pairs.targets.length / Math.max(1, batchSize));
  let total = 0;
  for (let s = 0; s < steps; s++) {
    const rows = order.subarray(s * batchSize, (s + 1) * batchSize);
    const batch = assemble({
      queries: Int32Array.from(rows, (r) => pairs.queries[r] as number),
      targets: Int32Array.from(rows, (r) => pairs.targets[r] as number),
      step: s,
    });
    const value = tf.tidy(
      () => setup.model.computeLoss({ batch, loss: resolved.loss, training: false, step: s }).total,
    );
    total += value.dataSync()[0] as number;
    value.dispose();
  }
  return steps === 0 ? Number.NaN : total / steps;
}
