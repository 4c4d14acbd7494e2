import { existsSync } from 'node:fs';
import { InvalidArgumentError } from '@mmrecall/errors';
import { readLossParts } from '@mmrecall/losses';
import { createRandom, mixSeed as deriveSeed, shuffleInPlace } from '@mmrecall/random';
import { createSparseOptimizer, type SparseOptimizer, trainStep } from '@mmrecall/towers/training';
import * as tf from '@tensorflow/tfjs-core';
import { type BatchRows, createBatchAssembler } from './batches';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file';
import { createDenseAdam, type DenseAdam } from './dense-adam';
import { evaluate } from './evaluate';
import { type EpochRecord, type FitOptions, type ResolvedFitOptions, resolveFitOptions } from './fit-options';
import { buildTrainingPairs, type TrainingPairs } from './pairs';
import type { TrainableModel } from './trainable-model';
import type { TrainingData } from './training-data';
import {
  collectTrainingState,
  type DenseOptimizerMeta,
  denseStateFrom,
  namedWeightsFrom,
  restoreTableState,
} from './training-state';

/** Time split of the training steps. */
export interface StepTiming {
  /** Steps measured. */
  steps: number;
  /** Positive pairs processed. */
  examples: number;
  /** Building batches: shuffling, feature slicing, logQ, negatives (JS, outside tfjs). */
  assemblyMs: number;
  /** `trainStep`: forward, backward and optimizer updates. */
  stepMs: number;
}

/** What {@link fit} returns. */
export interface FitResult {
  /** Every epoch, including the ones before a resume. */
  history: EpochRecord[];
  /** 1-based epoch whose weights the model holds at the end (best validation Recall@K). */
  bestEpoch: number;
  /** Its validation Recall@K. */
  bestValidRecall: number;
  /** Whether early stopping ended training before `epochs`. */
  stoppedEarly: boolean;
  /** Set when training continued from a checkpoint: the epochs it had completed. */
  resumedAfterEpoch?: number;
  /** Steps per epoch. */
  stepsPerEpoch: number;
  /** Timing of the steps run in this process. */
  timing: StepTiming;
}

/** Options of {@link fit}. */
export interface FitArguments {
  /** The model with its feature stores (trained in place; it holds the best epoch's weights at the end). */
  model: TrainableModel;
  /** The training data (train split to fit, valid split to validate). */
  data: TrainingData;
  /** Epochs, batch size, learning rate, loss weights, negatives, early stopping, checkpoint ... */
  options?: FitOptions;
}

type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

/** What the checkpoint's JSON header holds. */
interface CheckpointMeta {
  fingerprint: string;
  epochsDone: number;
  history: EpochRecord[];
  bestEpoch: number;
  bestValidRecall: number;
  epochsWithoutImprovement: number;
  finished: boolean;
  stoppedEarly: boolean;
  dense: DenseOptimizerMeta;
}

/** Where training stands; a checkpoint stores exactly this. */
interface Progress {
  history: EpochRecord[];
  bestEpoch: number;
  bestValidRecall: number;
  epochsWithoutImprovement: number;
  best: NamedWeights | undefined;
  epochsDone: number;
  stoppedEarly: boolean;
  finished: boolean;
}

/** What must match for a resume: the data, the model and every option except `epochs`. */
function fingerprintOf(model: TrainableModel, data: TrainingData, options: ResolvedFitOptions): string {
  const { epochs: _epochs, ...rest } = options;
  return JSON.stringify({ data: data.summary, model: model.modelConfig, options: rest });
}

async function resumeFrom(options: {
  path: string;
  fingerprint: string;
  model: TrainableModel;
  optimizer: DenseAdam;
  sparseOptimizers: SparseOptimizer[];
}): Promise<Progress> {
  const { path, model, optimizer } = options;
  const checkpoint = await readCheckpoint<CheckpointMeta>({ path });
  if (!checkpoint) {
    throw new InvalidArgumentError({
      argument: 'options.checkpoint.resume',
      message: `no checkpoint at ${path} to resume from`,
    });
  }
  if (checkpoint.meta.fingerprint !== options.fingerprint) {
    throw new InvalidArgumentError({
      argument: 'options.checkpoint.resume',
      message: `the checkpoint at ${path} was written with a different data/model/train/eval config; start a new run or use the same config`,
    });
  }
  const { meta, arrays } = checkpoint;
  model.model.loadNamedWeights(namedWeightsFrom(arrays, 'model/'));
  const best = namedWeightsFrom(arrays, 'best/');
  optimizer.loadState(denseStateFrom(arrays, meta.dense));
  for (const [index, sparse] of options.sparseOptimizers.entries()) restoreTableState(sparse, arrays, index);
  return {
    history: meta.history,
    bestEpoch: meta.bestEpoch,
    bestValidRecall: meta.bestValidRecall ?? Number.NEGATIVE_INFINITY,
    epochsWithoutImprovement: meta.epochsWithoutImprovement,
    best: Object.keys(best).length > 0 ? best : undefined,
    epochsDone: meta.epochsDone,
    stoppedEarly: meta.stoppedEarly,
    finished: meta.finished,
  };
}

/** Rows of one step of an epoch's shuffled order. */
function rowsOf(
  pairs: TrainingPairs,
  order: Int32Array,
  start: number,
  size: number,
  step: number,
): BatchRows {
  const rows = order.subarray(start, start + size);
  return {
    queries: Int32Array.from(rows, (r) => pairs.queries[r] as number),
    targets: Int32Array.from(rows, (r) => pairs.targets[r] as number),
    step,
  };
}

/**
 * Trains the model in place: shuffled batches of positive pairs (seeded per epoch), the loss of the
 * model's kind (`model.computeLoss`), towers' `trainStep` with Adam on the dense variables and lazy
 * Adam on the tables. Validates Recall@K after every epoch, keeps the best weights (early stopping),
 * writes an atomic checkpoint after every epoch when asked, and resumes from it with the same result
 * as an uninterrupted run.
 */
export async function fit(args: FitArguments): Promise<FitResult> {
  const { model: setup, data } = args;
  const options = args.options ?? {};
  const resolved = resolveFitOptions(options);
  const { batchSize, epochs } = resolved;
  const emit = options.onProgress ?? (() => {});
  const { model } = setup;
  const pairs = buildTrainingPairs({ data, mode: model.config.mode, userPositives: setup.userPositives });
  if (pairs.targets.length < batchSize) {
    throw new InvalidArgumentError({
      argument: 'options.batchSize',
      message: `is ${batchSize} but ${data.name} has only ${pairs.targets.length} training pairs; use a smaller batch`,
    });
  }
  const fullSteps = Math.floor(pairs.targets.length / batchSize);
  const stepsPerEpoch =
    resolved.maxStepsPerEpoch === undefined ? fullSteps : Math.min(fullSteps, resolved.maxStepsPerEpoch);
  const checkpoint = options.checkpoint;
  const fingerprint = fingerprintOf(setup, data, resolved);
  const assemble = createBatchAssembler({
    model: setup,
    targetCounts: pairs.targetCounts,
    logQ: resolved.logQ,
    extraNegatives: resolved.extraNegatives,
    seed: resolved.seed,
  });
  const optimizer = createDenseAdam({ variables: model.variables, learningRate: resolved.learningRate });
  // The tables' lazy optimizers follow the model config (saved with the artifacts), one per table.
  const sparseOptimizers = model.tables.map((table) =>
    createSparseOptimizer({ table, ...model.config.tableOptimizer }),
  );
  const timing: StepTiming = { steps: 0, examples: 0, assemblyMs: 0, stepMs: 0 };
  let resumedAfterEpoch: number | undefined;
  try {
    let state: Progress = {
      history: [],
      bestEpoch: 0,
      bestValidRecall: Number.NEGATIVE_INFINITY,
      epochsWithoutImprovement: 0,
      best: undefined,
      epochsDone: 0,
      stoppedEarly: false,
      finished: false,
    };
    if (checkpoint?.resume) {
      state = await resumeFrom({
        path: checkpoint.path,
        fingerprint,
        model: setup,
        optimizer,
        sparseOptimizers,
      });
      resumedAfterEpoch = state.epochsDone;
      emit({
        type: 'resumed',
        path: checkpoint.path,
        afterEpoch: state.epochsDone,
        finished: state.finished,
      });
    } else if (checkpoint && existsSync(checkpoint.path)) {
      emit({ type: 'overwriting-checkpoint', path: checkpoint.path });
    }
    for (let epoch = state.epochsDone; epoch < epochs && !state.finished; epoch++) {
      const order = new Int32Array(pairs.targets.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      shuffleInPlace(order, createRandom(deriveSeed(resolved.seed, epoch)));
      emit({ type: 'epoch-start', epoch: epoch + 1, epochs, steps: stepsPerEpoch, batchSize });
      let lossSum = 0;
      const partSums: Record<string, number> = {};
      const epochStart = performance.now();
      for (let s = 0; s < stepsPerEpoch; s++) {
        const globalStep = epoch * stepsPerEpoch + s;
        const assemblyStart = performance.now();
        const batch = assemble(rowsOf(pairs, order, s * batchSize, batchSize, globalStep));
        let parts: Record<string, number> = {};
        const stepStart = performance.now();
        timing.assemblyMs += stepStart - assemblyStart;
        const loss = trainStep({
          variables: model.variables,
          sparseOptimizers,
          optimizer,
          ...(resolved.clipNorm > 0 ? { clipNorm: resolved.clipNorm } : {}),
          loss: () => {
            const combined = model.computeLoss({
              batch,
              loss: resolved.loss,
              training: true,
              step: globalStep,
            });
            parts = readLossParts({ parts: combined.parts });
            return combined.total;
          },
        });
        timing.stepMs += performance.now() - stepStart;
        timing.steps++;
        timing.examples += batchSize;
        lossSum += loss;
        for (const [name, value] of Object.entries(parts)) partSums[name] = (partSums[name] ?? 0) + value;
        if (!Number.isFinite(loss)) {
          throw new InvalidArgumentError({
            argument: 'options.learningRate',
            message: `training diverged at epoch ${epoch + 1} step ${s + 1} (loss ${loss}); lower the learning rate or raise the temperature`,
          });
        }
        emit({
          type: 'step',
          epoch: epoch + 1,
          step: s + 1,
          steps: stepsPerEpoch,
          meanLoss: lossSum / (s + 1),
        });
      }
      const seconds = (performance.now() - epochStart) / 1000;
      emit({ type: 'validation-start', epoch: epoch + 1, steps: stepsPerEpoch, seconds });
      const validationStart = performance.now();
      const validation = await evaluate({
        model: setup,
        data,
        split: 'valid',
        k: resolved.k,
        cutoffs: [resolved.k],
        maxQueries: resolved.maxQueries,
        seed: resolved.seed,
        candidates: resolved.candidates,
        onProgress: ({ stage, done, total }) =>
          emit({ type: 'validation-progress', epoch: epoch + 1, stage, done, total }),
      });
      const atK = validation.metrics.cutoffs[resolved.k]!;
      const lossParts: Record<string, number> = {};
      for (const [name, value] of Object.entries(partSums)) lossParts[name] = value / stepsPerEpoch;
      const record: EpochRecord = {
        epoch: epoch + 1,
        steps: stepsPerEpoch,
        loss: lossSum / stepsPerEpoch,
        lossParts,
        validRecall: atK.all.recall,
        validNdcg: atK.all.ndcg,
        validColdRecall: atK.cold.recall,
        validWarmRecall: atK.warm.recall,
        seconds,
        examplesPerSecond: (stepsPerEpoch * batchSize) / seconds,
        liveTensors: tf.memory().numTensors,
      };
      state.history.push(record);
      const improved = atK.all.recall > state.bestValidRecall;
      if (improved) {
        state.bestValidRecall = atK.all.recall;
        state.bestEpoch = epoch + 1;
        state.epochsWithoutImprovement = 0;
        state.best = model.toNamedWeights();
      } else {
        state.epochsWithoutImprovement++;
      }
      emit({
        type: 'epoch-end',
        record,
        epochs,
        k: resolved.k,
        improved,
        validationSeconds: (performance.now() - validationStart) / 1000,
      });
      if (
        resolved.patience > 0 &&
        state.epochsWithoutImprovement >= resolved.patience &&
        epoch + 1 < epochs
      ) {
        state.stoppedEarly = true;
        state.finished = true;
        emit({
          type: 'early-stop',
          epochsWithoutImprovement: state.epochsWithoutImprovement,
          bestEpoch: state.bestEpoch,
          k: resolved.k,
        });
      }
      if (epoch + 1 === epochs) state.finished = true;
      state.epochsDone = epoch + 1;
      if (checkpoint) {
        const { arrays, dense } = await collectTrainingState({
          model: setup,
          optimizer,
          sparseOptimizers,
          best: state.best,
        });
        const { best: _best, ...progress } = state;
        await writeCheckpoint<CheckpointMeta>({
          path: checkpoint.path,
          contents: { meta: { fingerprint, ...progress, dense }, arrays },
        });
      }
      await options.onEpochEnd?.(record);
    }
    if (state.best && state.bestEpoch !== state.history.length) model.loadNamedWeights(state.best);
    return {
      history: state.history,
      bestEpoch: state.bestEpoch,
      bestValidRecall: state.bestValidRecall,
      stoppedEarly: state.stoppedEarly,
      stepsPerEpoch,
      timing,
      ...(resumedAfterEpoch === undefined ? {} : { resumedAfterEpoch }),
    };
  } finally {
    optimizer.dispose();
    for (const sparse of sparseOptimizers) sparse.dispose();
  }
}
