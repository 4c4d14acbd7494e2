import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  concatInteractions,
  countItemInteractions,
  type Interactions,
  itemStatisticsFromCounts,
} from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import {
  createItemFeatureStore,
  createRecallModel,
  createUserFeatureStore,
  embedItems,
  type RecallModelConfig,
  readArtifacts,
} from '@mmrecall/model';
import { createRandom, mixSeed, shuffleInPlace } from '@mmrecall/random';
import { createSparseOptimizer, trainStep } from '@mmrecall/towers/training';
import { createBatchAssembler } from './batches';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file';
import { createDenseAdam } from './dense-adam';
import { evaluate, type ModelEvaluation } from './evaluate';
import { type FitOptions, resolveFitOptions } from './fit-options';
import { growNamedWeights, growTableState, idTableGrowth } from './grow-tables';
import { buildTrainingPairs } from './pairs';
import { positivesByUser } from './positives';
import { writeTrainedArtifacts } from './train-and-save';
import type { TrainableModel } from './trainable-model';
import type { TrainingData } from './training-data';
import {
  collectTrainingState,
  type DenseOptimizerMeta,
  denseStateFrom,
  restoreTableState,
} from './training-state';
import { checkUpdateData, itemNodePaths, type UpdateData } from './update-data';

/** What `updateModel` reports while it runs. */
export type UpdateEvent =
  | { type: 'loaded'; artifacts: string; checkpoint?: string; optimizerState: 'restored' | 'fresh' }
  | { type: 'grown'; newUsers: number; newItems: number; newClicks: number; replayedClicks: number }
  | { type: 'step'; step: number; steps: number; meanLoss: number }
  | { type: 'evaluated'; recall: number; k: number }
  | { type: 'written'; artifactsDir: string };

/** Options of {@link updateModel}; the loss settings are `fit`'s (same defaults). */
export interface UpdateOptions
  extends Pick<
    FitOptions,
    | 'batchSize'
    | 'temperature'
    | 'tripletMargin'
    | 'lossWeights'
    | 'auxiliaryWeight'
    | 'mixedViewWeight'
    | 'negatives'
    | 'clipNorm'
  > {
  /** Seed of the replay sample, shuffling, negatives and dropout. Default 7. */
  seed?: number;
  /** Adam learning rate of the dense variables. Default: the tables' learning rate in the model config. */
  learningRate?: number;
  /** Step budget. Default: one pass over the new and replayed pairs. */
  steps?: number;
  /** Stop after this many seconds of steps even if `steps` are not done (then the result depends on the machine). Default none. */
  timeBudgetSeconds?: number;
  /** Replayed clicks of `data.history` per new click, sampled uniformly without replacement (seeded). Default 1. */
  replayRatio?: number;
  /**
   * Posterior statistics after the update: `decay * old + new` exposures and clicks per item; 1 keeps
   * every past interaction, 0 keeps only the update window. Default 1.
   */
  statisticsDecay?: number;
  /** Evaluation of `data.heldOut`: list length K and at most this many users (0 = all). Default 20, 0. */
  evaluation?: { k?: number; maxQueries?: number };
  /** Progress events. */
  onProgress?: (event: UpdateEvent) => void;
}

/** Options of {@link updateModel}. */
export interface UpdateModelArguments {
  /**
   * The last model: a training output folder (`<dir>/artifacts` + `<dir>/checkpoint.ckpt`), an
   * artifacts folder (its optimizer state is read from `../checkpoint.ckpt` when there is one) or a
   * checkpoint file (artifacts in `artifacts/` beside it).
   */
  from: string;
  /** The new interactions, the grown maps and content, optional history (replay) and held-out rows. */
  data: UpdateData;
  /** Output folder: `<output>/artifacts` (what the server reloads) and `<output>/checkpoint.ckpt` (the next update's `from`). */
  output: string;
  /** Steps, replay, statistics, loss settings, seed. */
  options?: UpdateOptions;
}

/** What {@link updateModel} returns. */
export interface UpdateResult {
  /** The new artifacts folder. */
  artifactsDir: string;
  /** The checkpoint with the updated weights and optimizer state. */
  checkpointPath: string;
  /** Users and items added to the tables. */
  newUsers: number;
  newItems: number;
  /** Clicks of the new interactions and clicks replayed from the history. */
  newClicks: number;
  replayedClicks: number;
  /** Positive pairs trained on (u2i: the clicks; i2i: consecutive clicks of a user). */
  pairs: number;
  /** Steps run, batch size used, mean loss. */
  steps: number;
  batchSize: number;
  meanLoss: number;
  /** Whether the optimizer state came from a checkpoint or started fresh (no checkpoint found). */
  optimizerState: 'restored' | 'fresh';
  /** Columns of the update data the model does not use. */
  ignoredColumns: string[];
  /** Wall time of the steps and of the whole update, seconds. */
  stepSeconds: number;
  seconds: number;
  /** Evaluation of `data.heldOut`, when given. */
  evaluation?: Omit<ModelEvaluation, 'itemEmbeddings' | 'gates'>;
}

/** The checkpoint's JSON header as `fit` and `updateModel` write it. */
interface CheckpointMeta {
  /** `fit`: JSON of the data, model config and options. */
  fingerprint?: string;
  /** `updateModel`: the model config. */
  modelConfig?: RecallModelConfig;
  dense: DenseOptimizerMeta;
}

/**
 * Where the last model's artifacts folder and checkpoint are, for the `from` of {@link updateModel}
 * (the checkpoint may not exist: the optimizer then starts fresh).
 */
export function resolveUpdateSource(from: string): { artifacts: string; checkpoint: string } {
  if (!existsSync(from))
    throw new InvalidArgumentError({ argument: 'from', message: `${from} does not exist` });
  if (!statSync(from).isDirectory()) return { artifacts: join(dirname(from), 'artifacts'), checkpoint: from };
  if (existsSync(join(from, 'manifest.json')))
    return { artifacts: from, checkpoint: join(dirname(from), 'checkpoint.ckpt') };
  return { artifacts: join(from, 'artifacts'), checkpoint: join(from, 'checkpoint.ckpt') };
}

/** The first path at which two JSON values differ, for a one-line mismatch message. */
function firstDifference(a: unknown, b: unknown, path = 'config'): string {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const left = (a as Record<string, unknown>)[key];
      const right = (b as Record<string, unknown>)[key];
      if (!isDeepStrictEqual(left, right)) return firstDifference(left, right, `${path}.${key}`);
    }
  }
  return `${path} is ${JSON.stringify(b)} in the checkpoint but ${JSON.stringify(a)} in the artifacts`;
}

function checkpointConfig(meta: CheckpointMeta): unknown {
  if (meta.modelConfig) return meta.modelConfig;
  if (meta.fingerprint) return (JSON.parse(meta.fingerprint) as { model?: unknown }).model;
  return undefined;
}

function clickRows(interactions: Interactions): number[] {
  const rows: number[] = [];
  const { clicks } = interactions;
  for (let r = 0; r < interactions.items.length; r++)
    if (clicks === undefined || clicks[r] === 1) rows.push(r);
  return rows;
}

/** The given rows (clicks only here, so the click column is kept as ones). */
function pickRows(interactions: Interactions, rows: Int32Array): Interactions {
  const { timestamps } = interactions;
  return {
    users: Int32Array.from(rows, (r) => interactions.users[r] as number),
    items: Int32Array.from(rows, (r) => interactions.items[r] as number),
    ...(timestamps ? { timestamps: Float64Array.from(rows, (r) => timestamps[r] as number) } : {}),
    clicks: new Uint8Array(rows.length).fill(1),
  };
}

/** Concatenates parts; a part without a click column counts every row as a click, as it did alone. */
function concat(parts: Interactions[]): Interactions {
  const clicked = parts.some((part) => part.clicks !== undefined);
  return concatInteractions(
    parts.map((part) =>
      clicked && part.clicks === undefined
        ? { ...part, clicks: new Uint8Array(part.users.length).fill(1) }
        : part,
    ),
  );
}

/**
 * Updates the last model with new interactions instead of retraining it: loads its artifacts and
 * optimizer state, grows the user and item id tables for ids it has never seen, recomputes the
 * posterior statistics (decayed), trains on the new clicks plus a replay sample of older ones for a
 * step budget, evaluates the held-out rows, and writes new artifacts and a checkpoint.
 *
 * New user rows start as copies of the unknown-user row, new item rows as copies of the unknown-item
 * row; the rows the model had keep their exact bits until a step's gradient touches them (lazy
 * Adam). A new item without clicks stays cold and is served by its content view (kinds with one);
 * once it has clicks it is warm and served through its own ID row. The same seed, data and step
 * budget give the same artifacts bit for bit.
 */
export async function updateModel(args: UpdateModelArguments): Promise<UpdateResult> {
  const started = performance.now();
  const { data, output } = args;
  const options = args.options ?? {};
  const emit = options.onProgress ?? (() => {});
  const replayRatio = options.replayRatio ?? 1;
  const decay = options.statisticsDecay ?? 1;
  if (!(replayRatio >= 0 && Number.isFinite(replayRatio)))
    throw new InvalidArgumentError({
      argument: 'options.replayRatio',
      message: `must be >= 0, got ${replayRatio}`,
    });
  if (!(decay >= 0 && decay <= 1))
    throw new InvalidArgumentError({
      argument: 'options.statisticsDecay',
      message: `must be in [0, 1], got ${decay}`,
    });
  if (options.steps !== undefined && !(Number.isInteger(options.steps) && options.steps >= 1))
    throw new InvalidArgumentError({
      argument: 'options.steps',
      message: `must be an integer >= 1, got ${options.steps}`,
    });
  const location = resolveUpdateSource(args.from);
  const artifacts = await readArtifacts({ dir: location.artifacts, verifyIndex: false });
  const old = artifacts.config;
  let model: TrainableModel['model'] | undefined;
  try {
    const checkpoint = existsSync(location.checkpoint)
      ? await readCheckpoint<CheckpointMeta>({ path: location.checkpoint })
      : undefined;
    if (checkpoint) {
      const stored = checkpointConfig(checkpoint.meta);
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(old)), stored))
        throw new InvalidArgumentError({
          argument: 'from',
          message: `the checkpoint ${location.checkpoint} belongs to another model than ${location.artifacts}: ${firstDifference(JSON.parse(JSON.stringify(old)), stored)}`,
        });
    }
    emit({
      type: 'loaded',
      artifacts: location.artifacts,
      ...(checkpoint ? { checkpoint: location.checkpoint } : {}),
      optimizerState: checkpoint ? 'restored' : 'fresh',
    });
    const { ignoredColumns } = checkUpdateData({ data, config: old, idMaps: artifacts.idMaps });
    const { dataset } = data;
    const numUsers = dataset.users.size;
    const numItems = dataset.items.size;
    const config: RecallModelConfig = { ...old, numUsers, numItems };
    const growth = idTableGrowth({
      users: { before: old.numUsers, after: numUsers },
      items: { before: old.numItems, after: numItems },
    });
    model = createRecallModel({ config });
    model.loadNamedWeights(growNamedWeights(artifacts.model.toNamedWeights(), growth));

    const seed = options.seed ?? 7;
    const { onProgress: _onProgress, evaluation: _evaluation, ...lossOptions } = options;
    const resolved = resolveFitOptions({
      ...lossOptions,
      seed,
      learningRate: options.learningRate ?? old.tableOptimizer.learningRate,
    });

    // Training rows: every new interaction, plus a uniform sample of the history's clicks.
    const history = data.history;
    const newClicks = clickRows(dataset.interactions).length;
    const historyClicks = history ? clickRows(history) : [];
    shuffleInPlace(historyClicks, createRandom(mixSeed(seed, 101)));
    const replayCount = Math.min(historyClicks.length, Math.round(replayRatio * newClicks));
    const replay = history
      ? pickRows(history, Int32Array.from(historyClicks.slice(0, replayCount)).sort())
      : undefined;
    const train = replay ? concat([replay, dataset.interactions]) : dataset.interactions;

    // Statistics: decayed old counts plus the new window's.
    const counts = countItemInteractions({ interactions: dataset.interactions, numItems });
    const exposures = new Float32Array(numItems);
    const clicks = new Float32Array(numItems);
    const firstSeen = new Float64Array(numItems).fill(Number.NaN);
    const oldFirstSeen = artifacts.itemStatistics?.firstSeen;
    const historyCounts =
      history && !oldFirstSeen ? countItemInteractions({ interactions: history, numItems }) : undefined;
    for (let i = 0; i < numItems; i++) {
      const known = i < old.numItems;
      exposures[i] =
        (known ? decay * (artifacts.itemMeta.exposures?.[i] ?? 0) : 0) + (counts.exposures[i] as number);
      clicks[i] = (known ? decay * (artifacts.itemMeta.clicks?.[i] ?? 0) : 0) + (counts.clicks[i] as number);
      const before = known ? (oldFirstSeen?.[i] ?? historyCounts?.firstSeen[i] ?? Number.NaN) : Number.NaN;
      const now = counts.firstSeen[i] as number;
      const first = Math.min(Number.isFinite(before) ? before : Infinity, now);
      firstSeen[i] = Number.isFinite(first) ? first : Number.NaN;
    }
    const referenceTime = Math.max(
      Number.isFinite(artifacts.itemStatistics?.referenceTime ?? Number.NaN)
        ? (artifacts.itemStatistics?.referenceTime as number)
        : -Infinity,
      counts.latest,
    );
    const ctrPrior = artifacts.itemStatistics?.ctrPrior ?? { alpha: 1, beta: 1 };
    const statistics = itemStatisticsFromCounts({
      exposures,
      clicks,
      firstSeen,
      now: referenceTime,
      ctrPrior,
    });
    const warm = new Uint8Array(numItems);
    for (let i = 0; i < numItems; i++)
      warm[i] =
        (i < old.numItems && artifacts.itemMeta.warm[i] === 1) || (counts.clicks[i] as number) > 0 ? 1 : 0;

    const seen = history ? concat([history, dataset.interactions]) : dataset.interactions;
    const userPositives = positivesByUser({ interactions: seen, numUsers });
    const nodePaths = itemNodePaths({ config, clusterTree: artifacts.clusterTree, dataset });
    const itemStore = createItemFeatureStore({
      config,
      content: dataset.content,
      statistics,
      warm,
      ...(nodePaths ? { nodePaths } : {}),
    });
    const userStore =
      config.mode === 'u2i'
        ? createUserFeatureStore({
            config,
            numUsers,
            ...(config.user.profile && dataset.userFeatures ? { profile: dataset.userFeatures } : {}),
            history: userPositives,
          })
        : undefined;
    const coldItems = Uint8Array.from(warm, (w) => 1 - w);
    const popularity = new Float32Array(numItems);
    for (const r of clickRows(seen)) {
      const item = seen.items[r] as number;
      popularity[item] = (popularity[item] as number) + 1;
    }
    const empty: Interactions = { users: new Int32Array(0), items: new Int32Array(0) };
    const trainingData: TrainingData = {
      name: dataset.name,
      dataset,
      split: { train, valid: empty, test: data.heldOut ?? empty, coldItems },
      numUsers,
      numItems,
      statistics,
      popularity,
      summary: `${dataset.name}: update with ${newClicks} new clicks, ${replayCount} replayed`,
    };
    const setup: TrainableModel = {
      modelConfig: config,
      model,
      itemStore,
      ...(userStore ? { userStore } : {}),
      warm,
      userPositives,
      ...(artifacts.clusterTree ? { clusterTree: artifacts.clusterTree } : {}),
      dispose: () => model?.dispose(),
    };
    const pairs = buildTrainingPairs({
      data: trainingData,
      mode: config.mode,
      userPositives: positivesByUser({ interactions: train, numUsers }),
    });
    const total = pairs.targets.length;
    if (total < 2)
      throw new InvalidArgumentError({
        argument: 'data.dataset.interactions',
        message: `the update has ${total} positive pairs (new and replayed); it needs at least 2`,
      });
    emit({
      type: 'grown',
      newUsers: numUsers - old.numUsers,
      newItems: numItems - old.numItems,
      newClicks,
      replayedClicks: replayCount,
    });

    // Optimizer state: the checkpoint's, the tables' grown with fresh rows.
    const optimizer = createDenseAdam({ variables: model.variables, learningRate: resolved.learningRate });
    const sparseOptimizers = model.tables.map((table) =>
      createSparseOptimizer({ table, ...config.tableOptimizer }),
    );
    let steps = 0;
    let lossSum = 0;
    let stepSeconds = 0;
    const batchSize = Math.min(resolved.batchSize, total);
    try {
      let firstStep = 0;
      if (checkpoint) {
        const arrays = { ...checkpoint.arrays };
        model.tables.forEach((table, index) => {
          const grown = growth[table.name];
          if (grown) growTableState({ arrays, index, growth: grown, initialAccumulator: 0.1 });
        });
        optimizer.loadState(denseStateFrom(arrays, checkpoint.meta.dense));
        for (const [index, sparse] of sparseOptimizers.entries()) restoreTableState(sparse, arrays, index);
        firstStep = checkpoint.meta.dense.step;
      }
      const assemble = createBatchAssembler({
        model: setup,
        targetCounts: pairs.targetCounts,
        logQ: resolved.logQ,
        extraNegatives: resolved.extraNegatives,
        seed,
      });
      const perPass = Math.floor(total / batchSize);
      const budget = options.steps ?? perPass;
      const deadline = options.timeBudgetSeconds === undefined ? Infinity : options.timeBudgetSeconds * 1000;
      const order = new Int32Array(total);
      const stepStart = performance.now();
      for (let s = 0; s < budget; s++) {
        if (performance.now() - stepStart > deadline) break;
        const within = s % perPass;
        if (within === 0) {
          for (let i = 0; i < total; i++) order[i] = i;
          shuffleInPlace(order, createRandom(mixSeed(seed, firstStep, s / perPass)));
        }
        const rows = order.subarray(within * batchSize, (within + 1) * batchSize);
        const step = firstStep + s;
        const batch = assemble({
          queries: Int32Array.from(rows, (r) => pairs.queries[r] as number),
          targets: Int32Array.from(rows, (r) => pairs.targets[r] as number),
          step,
        });
        const loss = trainStep({
          variables: model.variables,
          sparseOptimizers,
          optimizer,
          ...(resolved.clipNorm > 0 ? { clipNorm: resolved.clipNorm } : {}),
          loss: () => {
            const combined = (model as NonNullable<typeof model>).computeLoss({
              batch,
              loss: resolved.loss,
              training: true,
              step,
            });
            return combined.total;
          },
        });
        if (!Number.isFinite(loss))
          throw new InvalidArgumentError({
            argument: 'options.learningRate',
            message: `the update diverged at step ${s + 1} (loss ${loss}); lower the learning rate`,
          });
        steps++;
        lossSum += loss;
        emit({ type: 'step', step: steps, steps: budget, meanLoss: lossSum / steps });
      }
      stepSeconds = (performance.now() - stepStart) / 1000;

      await mkdir(output, { recursive: true });
      const checkpointPath = join(output, 'checkpoint.ckpt');
      const state = await collectTrainingState({
        model: setup,
        optimizer,
        sparseOptimizers,
        best: undefined,
      });
      await writeCheckpoint<CheckpointMeta>({
        path: checkpointPath,
        contents: { meta: { modelConfig: config, dense: state.dense }, arrays: state.arrays },
      });

      let evaluation: ModelEvaluation | undefined;
      const k = options.evaluation?.k ?? 20;
      if (data.heldOut && data.heldOut.items.length > 0) {
        evaluation = await evaluate({
          model: setup,
          data: trainingData,
          split: 'test',
          k,
          cutoffs: [k],
          maxQueries: options.evaluation?.maxQueries ?? 0,
          seed,
        });
        emit({ type: 'evaluated', recall: evaluation.metrics.cutoffs[k]?.all.recall ?? Number.NaN, k });
      }
      const embedded = await embedItems({ model, store: itemStore, views: config.gate !== undefined });
      const artifactsDir = join(output, 'artifacts');
      await writeTrainedArtifacts({
        dir: artifactsDir,
        model: setup,
        data: trainingData,
        evaluation: {
          itemEmbeddings: embedded.embeddings,
          ...(embedded.gates ? { gates: embedded.gates } : {}),
        },
        ...(embedded.views
          ? {
              live: {
                itemViews: embedded.views,
                itemStatistics: {
                  firstSeen,
                  referenceTime: Number.isFinite(referenceTime) ? referenceTime : Number.NaN,
                  ctrPrior,
                },
              },
            }
          : {}),
        info: {
          update: {
            from: location.artifacts,
            newUsers: numUsers - old.numUsers,
            newItems: numItems - old.numItems,
            steps,
            seed,
          },
        },
      });
      emit({ type: 'written', artifactsDir });
      const { itemEmbeddings: _embeddings, gates: _gates, ...metrics } = evaluation ?? {};
      return {
        artifactsDir,
        checkpointPath,
        newUsers: numUsers - old.numUsers,
        newItems: numItems - old.numItems,
        newClicks,
        replayedClicks: replayCount,
        pairs: total,
        steps,
        batchSize,
        meanLoss: steps > 0 ? lossSum / steps : Number.NaN,
        optimizerState: checkpoint ? 'restored' : 'fresh',
        ignoredColumns,
        stepSeconds,
        seconds: (performance.now() - started) / 1000,
        ...(evaluation ? { evaluation: metrics as Omit<ModelEvaluation, 'itemEmbeddings' | 'gates'> } : {}),
      };
    } finally {
      optimizer.dispose();
      for (const sparse of sparseOptimizers) sparse.dispose();
    }
  } finally {
    model?.dispose();
    artifacts.dispose();
  }
}
