import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '@mmrecall/errors';
import { logQFromCounts, readLossParts } from '@mmrecall/losses';
import type { CsrRows, LossBatch, RecallLossOptions } from '@mmrecall/model';
import { createRandom, mixSeed as deriveSeed, shuffleInPlace } from '@mmrecall/random';
import { createFlatAdam, type EmbeddingTable, trainStep } from '@mmrecall/towers';
import * as tf from '@tensorflow/tfjs-core';
import { type CheckpointArray, readCheckpoint, writeCheckpoint } from './checkpoint';
import type { TrainerConfig } from './config';
import type { TrainingData } from './data';
import { evaluateModel } from './evaluate';
import { type ModelSetup, positivesByUser } from './model-setup';
import { createProgressBar, type ProgressStream } from './progress';

/** Positive training pairs: query (user in u2i, trigger item in i2i) and target item. */
export interface TrainingPairs {
  /** User index (u2i) or trigger item index (i2i) per pair. */
  queries: Int32Array;
  /** Target item per pair. */
  targets: Int32Array;
  /** How often each item is a target (logQ). */
  targetCounts: Float32Array;
}

/** Options of {@link buildTrainingPairs}. */
export interface BuildTrainingPairsOptions {
  /** The data set. */
  data: TrainingData;
  /** u2i: (user, clicked item) for every training click. i2i: (item, next item) clicked consecutively by one user. */
  mode: 'u2i' | 'i2i';
  /** Training positives per user in time order (i2i). */
  userPositives: CsrRows;
}

/** The positive pairs of the training split (clicks only). */
export function buildTrainingPairs(options: BuildTrainingPairsOptions): TrainingPairs {
  const { data, mode, userPositives } = options;
  const queries: number[] = [];
  const targets: number[] = [];
  if (mode === 'u2i') {
    const { users, items, clicks } = data.split.train;
    for (let r = 0; r < users.length; r++) {
      if (clicks !== undefined && clicks[r] !== 1) continue;
      queries.push(users[r] as number);
      targets.push(items[r] as number);
    }
  } else {
    for (let u = 0; u + 1 < userPositives.offsets.length; u++) {
      for (
        let e = (userPositives.offsets[u] as number) + 1;
        e < (userPositives.offsets[u + 1] as number);
        e++
      ) {
        const previous = userPositives.values[e - 1] as number;
        const next = userPositives.values[e] as number;
        if (previous === next) continue;
        queries.push(previous);
        targets.push(next);
      }
    }
  }
  const targetCounts = new Float32Array(data.numItems);
  for (const item of targets) targetCounts[item] = (targetCounts[item] as number) + 1;
  return { queries: Int32Array.from(queries), targets: Int32Array.from(targets), targetCounts };
}

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

/** Result of {@link runTraining}. */
export interface TrainRunResult {
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

/** Options of {@link runTraining}. */
export interface RunTrainingOptions {
  /** Resolved training config. */
  config: TrainerConfig;
  /** Loaded data. */
  data: TrainingData;
  /** Model and feature stores (the model is trained in place). */
  setup: ModelSetup;
  /** Checkpoint file. Default `<output>/checkpoint.ckpt`. */
  checkpointPath?: string;
  /** Write a checkpoint after every epoch. Default true. */
  checkpoint?: boolean;
  /** Continue from the checkpoint when there is one (error when there is none). */
  resume?: boolean;
  /** Log lines (stderr). Default: none. */
  log?: (line: string) => void;
  /** Progress bar stream; null = no progress bar. Default process.stderr. */
  progress?: ProgressStream | null;
  /** Called after each epoch's checkpoint is written (tests use it to simulate a kill). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

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
  denseOptimizerNames: string[];
}

/** The parts of the config that must match for a resume (epochs may grow). */
function fingerprintOf(config: TrainerConfig): string {
  const { epochs: _epochs, ...train } = config.train;
  return JSON.stringify({ data: config.data, model: config.model, train, eval: config.eval });
}

type AdamInternals = { accBeta1: tf.Variable; accBeta2: tf.Variable };

async function collectState(options: {
  setup: ModelSetup;
  optimizer: tf.Optimizer;
  best: Record<string, { shape: number[]; data: Float32Array }> | undefined;
}): Promise<{ arrays: Record<string, CheckpointArray>; denseNames: string[] }> {
  const { setup, optimizer, best } = options;
  const arrays: Record<string, CheckpointArray> = {};
  for (const [name, weight] of Object.entries(setup.model.toNamedWeights())) arrays[`model/${name}`] = weight;
  if (best) for (const [name, weight] of Object.entries(best)) arrays[`best/${name}`] = weight;
  const dense = await optimizer.getWeights();
  const denseNames: string[] = [];
  for (const [index, { name, tensor }] of dense.entries()) {
    denseNames.push(name);
    const data = await tensor.data();
    arrays[`adam/${index}`] = {
      shape: [...tensor.shape],
      data: data instanceof Int32Array ? data : Float32Array.from(data as Float32Array),
    };
  }
  const internals = optimizer as unknown as AdamInternals;
  arrays['adam/accBeta'] = {
    shape: [2],
    data: Float32Array.of(
      internals.accBeta1.dataSync()[0] as number,
      internals.accBeta2.dataSync()[0] as number,
    ),
  };
  // The first entry of getWeights() is the iteration count, a new tensor; the rest are the live moments.
  dense[0]?.tensor.dispose();
  setup.model.tables.forEach((table, index) => {
    const state = table.optimizerState();
    if (state.stepCounts)
      arrays[`table/${index}/steps`] = { shape: [table.rows], data: Int32Array.from(state.stepCounts) };
    if (state.firstMoment)
      arrays[`table/${index}/m`] = {
        shape: [table.rows, table.dim],
        data: Float32Array.from(state.firstMoment),
      };
    if (state.secondMoment)
      arrays[`table/${index}/v`] = {
        shape: [table.rows, table.dim],
        data: Float32Array.from(state.secondMoment),
      };
    if (state.accumulator)
      arrays[`table/${index}/acc`] = {
        shape: [table.rows, table.dim],
        data: Float32Array.from(state.accumulator),
      };
  });
  return { arrays, denseNames };
}

/** Restores a table's sparse optimizer state (lazy Adam step counts and moments, or Adagrad accumulators). */
function restoreTableState(
  table: EmbeddingTable,
  arrays: Record<string, CheckpointArray>,
  index: number,
): void {
  const steps = arrays[`table/${index}/steps`];
  const m = arrays[`table/${index}/m`];
  const v = arrays[`table/${index}/v`];
  const acc = arrays[`table/${index}/acc`];
  if (steps && m && v) {
    table.loadOptimizerState({
      kind: 'adam',
      stepCounts: steps.data as Int32Array,
      firstMoment: m.data as Float32Array,
      secondMoment: v.data as Float32Array,
    });
  } else if (acc) {
    table.loadOptimizerState({ kind: 'adagrad', accumulator: acc.data as Float32Array });
  }
}

function namedWeightsFrom(
  arrays: Record<string, CheckpointArray>,
  prefix: string,
): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, array] of Object.entries(arrays)) {
    if (name.startsWith(prefix))
      out[name.slice(prefix.length)] = { shape: array.shape, data: array.data as Float32Array };
  }
  return out;
}

/** The loss options of the model kinds, from the train section of the config. */
export function lossOptionsOf(train: TrainerConfig['train']): RecallLossOptions {
  return {
    temperature: train.temperature,
    tripletMargin: train.tripletMargin,
    lossWeights: train.lossWeights,
    auxiliaryWeight: train.auxiliaryWeight,
    mixedViewWeight: train.mixedViewWeight,
    seed: train.seed,
  };
}

/** Options of {@link createBatchAssembler}. */
export interface CreateBatchAssemblerOptions {
  /** Model and feature stores. */
  setup: ModelSetup;
  /** Train section of the config (logQ, extraNegatives, seed). */
  train: TrainerConfig['train'];
  /** How often each item is a training target (logQ). */
  targetCounts: Float32Array;
}

/**
 * Returns a function that turns (queries, targets) into a {@link LossBatch}: feature slices, logQ of
 * the candidates and, when configured, extra uniformly sampled warm negatives (seeded by step).
 * With extra negatives, in-batch candidates have q = B p(i) and extras q = M / warm items.
 */
export function createBatchAssembler(
  options: CreateBatchAssemblerOptions,
): (batch: { queries: Int32Array; targets: Int32Array; step: number }) => LossBatch {
  const { setup, train } = options;
  const { itemStore, userStore } = setup;
  const mode = setup.model.config.mode;
  const warmItems: number[] = [];
  for (let i = 0; i < setup.warm.length; i++) if (setup.warm[i] === 1) warmItems.push(i);
  const logQAll = logQFromCounts({ counts: options.targetCounts });
  const extraCount = train.extraNegatives;
  const extraLogQ = extraCount > 0 ? Math.log(extraCount / Math.max(1, warmItems.length)) : 0;
  return ({ queries, targets, step }) => {
    const logBatch = Math.log(targets.length);
    const batch: LossBatch = { targets, itemBatch: itemStore.batch(targets) };
    if (mode === 'u2i')
      batch.userBatch = (userStore as NonNullable<typeof userStore>).batch(queries, { exclude: targets });
    else batch.triggerBatch = itemStore.batch(queries);
    if (train.logQ)
      batch.candidateLogQ = Float32Array.from(
        targets,
        (item) => (logQAll[item] as number) + (extraCount > 0 ? logBatch : 0),
      );
    if (extraCount > 0 && warmItems.length > 0) {
      const random = createRandom(deriveSeed(train.seed, step, 3));
      batch.extraIds = Int32Array.from(
        { length: extraCount },
        () => warmItems[Math.floor(random() * warmItems.length)] as number,
      );
      batch.extraBatch = itemStore.batch(batch.extraIds);
      batch.extraLogQ = extraLogQ;
    }
    return batch;
  };
}

/** Options of {@link validationLoss}. */
export interface ValidationLossOptions {
  /** Model and stores. */
  setup: ModelSetup;
  /** Data set (valid split). */
  data: TrainingData;
  /** Config (batch size, temperature, ...). */
  config: TrainerConfig;
}

/**
 * Mean loss of the model kind on the validation positives (same batch size, logQ from the training
 * counts, no dropout), batches in a fixed seeded order: comparable across models of one data set.
 */
export function validationLoss(options: ValidationLossOptions): number {
  const { setup, data, config } = options;
  const mode = setup.model.config.mode;
  const trainPairs = buildTrainingPairs({ data, mode, userPositives: setup.userPositives });
  const validData: TrainingData = { ...data, split: { ...data.split, train: data.split.valid } };
  const validPositives =
    mode === 'i2i'
      ? positivesByUser({ interactions: data.split.valid, numUsers: data.numUsers })
      : setup.userPositives;
  const pairs = buildTrainingPairs({ data: validData, mode, userPositives: validPositives });
  const assemble = createBatchAssembler({
    setup,
    train: { ...config.train, extraNegatives: 0 },
    targetCounts: trainPairs.targetCounts,
  });
  const batchSize = Math.min(config.train.batchSize, pairs.targets.length);
  const order = shuffleInPlace(
    Int32Array.from(pairs.targets, (_, i) => i),
    createRandom(deriveSeed(config.train.seed, 999)),
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
      () =>
        setup.model.computeLoss({ batch, loss: lossOptionsOf(config.train), training: false, step: s }).total,
    );
    total += value.dataSync()[0] as number;
    value.dispose();
  }
  return steps === 0 ? Number.NaN : total / steps;
}

/**
 * Trains the model in place: shuffled batches of positive pairs (seeded per epoch), the loss of the
 * model kind (MODEL.md), towers' `trainStep` with Adam on the dense variables and lazy Adam on the
 * tables. Validates Recall@K after every epoch, keeps the best weights (early stopping), writes an
 * atomic checkpoint after every epoch, and can resume from it with the same result as an
 * uninterrupted run.
 */
export async function runTraining(options: RunTrainingOptions): Promise<TrainRunResult> {
  const { config, data, setup } = options;
  const { model, itemStore, userStore } = setup;
  const log = options.log ?? (() => {});
  const train = config.train;
  const mode = model.config.mode;
  const pairs = buildTrainingPairs({ data, mode, userPositives: setup.userPositives });
  const batchSize = train.batchSize;
  if (pairs.targets.length < batchSize) {
    throw new InvalidArgumentError({
      argument: 'config.train.batchSize',
      message: `is ${batchSize} but ${data.name} has only ${pairs.targets.length} training pairs; use a smaller batch`,
    });
  }
  const fullSteps = Math.floor(pairs.targets.length / batchSize);
  const stepsPerEpoch =
    train.maxStepsPerEpoch === undefined ? fullSteps : Math.min(fullSteps, train.maxStepsPerEpoch);
  const checkpointPath = options.checkpointPath ?? join(config.output, 'checkpoint.ckpt');
  const writeCheckpoints = options.checkpoint ?? true;
  const fingerprint = fingerprintOf(config);
  const assemble = createBatchAssembler({ setup, train, targetCounts: pairs.targetCounts });
  const lossOptions = lossOptionsOf(train);

  // Bit-identical to tf.train.adam (same checkpoint format) with one update for all variables.
  const optimizer = createFlatAdam({ learningRate: train.learningRate });
  let history: EpochRecord[] = [];
  let bestEpoch = 0;
  let bestValidRecall = Number.NEGATIVE_INFINITY;
  let epochsWithoutImprovement = 0;
  let best: Record<string, { shape: number[]; data: Float32Array }> | undefined;
  let startEpoch = 0;
  let stoppedEarly = false;
  let finished = false;
  let resumedAfterEpoch: number | undefined;
  const timing: StepTiming = { steps: 0, examples: 0, assemblyMs: 0, stepMs: 0 };

  try {
    if (options.resume) {
      const checkpoint = await readCheckpoint<CheckpointMeta>({ path: checkpointPath });
      if (!checkpoint) {
        throw new InvalidArgumentError({
          argument: '--resume',
          message: `no checkpoint at ${checkpointPath} to resume from`,
        });
      }
      if (checkpoint.meta.fingerprint !== fingerprint) {
        throw new InvalidArgumentError({
          argument: '--resume',
          message: `the checkpoint at ${checkpointPath} was written with a different data/model/train/eval config; start without --resume or use the same config`,
        });
      }
      const meta = checkpoint.meta;
      model.loadNamedWeights(namedWeightsFrom(checkpoint.arrays, 'model/'));
      const bestWeights = namedWeightsFrom(checkpoint.arrays, 'best/');
      best = Object.keys(bestWeights).length > 0 ? bestWeights : undefined;
      const dense = meta.denseOptimizerNames.map((name, index) => {
        const array = checkpoint.arrays[`adam/${index}`] as CheckpointArray;
        return {
          name,
          tensor: tf.tensor(array.data, array.shape, array.data instanceof Int32Array ? 'int32' : 'float32'),
        };
      });
      if (dense.length > 0) {
        await optimizer.setWeights(dense);
        tf.dispose(dense.map(({ tensor }) => tensor));
        const accBeta = checkpoint.arrays['adam/accBeta'];
        if (accBeta) {
          // setWeights recomputes beta^t with pow(); the uninterrupted run multiplied step by step. Use the exact saved values.
          const internals = optimizer as unknown as AdamInternals;
          tf.tidy(() => {
            internals.accBeta1.assign(tf.scalar(accBeta.data[0] as number));
            internals.accBeta2.assign(tf.scalar(accBeta.data[1] as number));
          });
        }
      }
      for (const [index, table] of model.tables.entries()) restoreTableState(table, checkpoint.arrays, index);
      history = meta.history;
      bestEpoch = meta.bestEpoch;
      bestValidRecall = meta.bestValidRecall ?? Number.NEGATIVE_INFINITY;
      epochsWithoutImprovement = meta.epochsWithoutImprovement;
      startEpoch = meta.epochsDone;
      stoppedEarly = meta.stoppedEarly;
      finished = meta.finished;
      resumedAfterEpoch = meta.epochsDone;
      log(
        `[mmrecall] resumed from ${checkpointPath} after epoch ${meta.epochsDone}${finished ? ' (training had finished)' : ''}`,
      );
    }

    if (!options.resume && writeCheckpoints && existsSync(checkpointPath)) {
      log(
        `[mmrecall] starting a new run: ${checkpointPath} will be overwritten (use --resume to continue it)`,
      );
    }
    for (let epoch = startEpoch; epoch < train.epochs && !finished; epoch++) {
      const order = new Int32Array(pairs.targets.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      shuffleInPlace(order, createRandom(deriveSeed(train.seed, epoch)));
      const bar =
        options.progress === null
          ? undefined
          : createProgressBar({
              label: `epoch ${epoch + 1}/${train.epochs}`,
              total: stepsPerEpoch,
              examplesPerStep: batchSize,
              ...(options.progress ? { stream: options.progress } : {}),
            });
      let lossSum = 0;
      const partSums: Record<string, number> = {};
      const epochStart = performance.now();
      for (let s = 0; s < stepsPerEpoch; s++) {
        const globalStep = epoch * stepsPerEpoch + s;
        const assemblyStart = performance.now();
        const rows = order.subarray(s * batchSize, (s + 1) * batchSize);
        const batch = assemble({
          queries: Int32Array.from(rows, (r) => pairs.queries[r] as number),
          targets: Int32Array.from(rows, (r) => pairs.targets[r] as number),
          step: globalStep,
        });
        let parts: Record<string, number> = {};
        const stepStart = performance.now();
        timing.assemblyMs += stepStart - assemblyStart;
        const loss = trainStep({
          variables: model.variables,
          tables: model.tables,
          optimizer,
          ...(train.clipNorm > 0 ? { clipNorm: train.clipNorm } : {}),
          loss: () => {
            const combined = model.computeLoss({
              batch,
              loss: lossOptions,
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
            argument: 'config.train.learningRate',
            message: `training diverged at epoch ${epoch + 1} step ${s + 1} (loss ${loss}); lower the learning rate or raise the temperature`,
          });
        }
        bar?.update({ step: s + 1, loss: lossSum / (s + 1) });
      }
      const seconds = (performance.now() - epochStart) / 1000;
      // Validation ranks every item for each query: on large catalogues it is a long step of its own.
      if (options.progress?.isTTY !== true) {
        log(
          `[mmrecall] epoch ${epoch + 1}: ${stepsPerEpoch} steps in ${seconds.toFixed(1)} s; validating ...`,
        );
      }
      const validationStart = performance.now();
      const validation = await evaluateModel({
        model,
        itemStore,
        ...(userStore ? { userStore } : {}),
        data,
        trainPositives: setup.userPositives,
        split: 'valid',
        k: config.eval.k,
        cutoffs: [config.eval.k],
        maxQueries: config.eval.maxQueries,
        seed: train.seed,
        candidates: config.eval.candidates,
      });
      const atK = validation.metrics.cutoffs[config.eval.k]!;
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
      history.push(record);
      const improved = atK.all.recall > bestValidRecall;
      if (improved) {
        bestValidRecall = atK.all.recall;
        bestEpoch = epoch + 1;
        epochsWithoutImprovement = 0;
        best = model.toNamedWeights();
      } else {
        epochsWithoutImprovement++;
      }
      if (options.progress?.isTTY !== true) {
        log(
          `[mmrecall] epoch ${epoch + 1}: validation done in ${((performance.now() - validationStart) / 1000).toFixed(1)} s`,
        );
      }
      bar?.finish({
        extra: `valid Recall@${config.eval.k} ${atK.all.recall.toFixed(4)} (cold ${Number.isNaN(atK.cold.recall) ? 'n/a' : atK.cold.recall.toFixed(4)})${improved ? ' *' : ''}`,
      });
      if (options.progress === null) {
        log(
          `epoch ${epoch + 1}/${train.epochs} loss ${record.loss.toFixed(4)} valid Recall@${config.eval.k} ${atK.all.recall.toFixed(4)}`,
        );
      }
      if (
        train.earlyStoppingPatience > 0 &&
        epochsWithoutImprovement >= train.earlyStoppingPatience &&
        epoch + 1 < train.epochs
      ) {
        stoppedEarly = true;
        finished = true;
        log(
          `[mmrecall] early stopping: no improvement of valid Recall@${config.eval.k} for ${epochsWithoutImprovement} epochs; best epoch ${bestEpoch}`,
        );
      }
      if (epoch + 1 === train.epochs) finished = true;
      if (writeCheckpoints) {
        const { arrays, denseNames } = await collectState({ setup, optimizer, best });
        await writeCheckpoint<CheckpointMeta>({
          path: checkpointPath,
          contents: {
            meta: {
              fingerprint,
              epochsDone: epoch + 1,
              history,
              bestEpoch,
              bestValidRecall,
              epochsWithoutImprovement,
              finished,
              stoppedEarly,
              denseOptimizerNames: denseNames,
            },
            arrays,
          },
        });
      }
      await options.onEpochEnd?.(record);
    }
    if (best && bestEpoch !== history.length) model.loadNamedWeights(best);
    return {
      history,
      bestEpoch,
      bestValidRecall,
      stoppedEarly,
      stepsPerEpoch,
      timing,
      ...(resumedAfterEpoch === undefined ? {} : { resumedAfterEpoch }),
    };
  } finally {
    optimizer.dispose();
  }
}
