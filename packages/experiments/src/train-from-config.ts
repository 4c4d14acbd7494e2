import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildPrebuiltHnswIndex } from '@mmrecall/serving';
import {
  type EpochRecord,
  type EvaluateStage,
  evaluate,
  type FitEvent,
  type FitResult,
  fit,
  liveLoopArtifacts,
  type ModelEvaluation,
  writeTrainedArtifacts,
} from '@mmrecall/training';
import { asConfigError, createModelFromConfig, fitOptionsOf } from './config-options';
import { type LoadedTrainingData, loadTrainingData } from './data-source';
import type { ExperimentConfig } from './experiment-config';
import { type RunMetrics, reportCutoffs, runMetrics, toJson } from './run-metrics';
import { timedStep } from './timed-step';

/** A finished run before its artifacts are written: what a report is made from. */
export interface FinishedRun {
  config: ExperimentConfig;
  data: LoadedTrainingData;
  /** The metrics written to metrics.json. */
  metrics: RunMetrics;
  /** Test evaluation with item embeddings and gates. */
  evaluation: ModelEvaluation;
  /** 1 = warm item (a positive training interaction). */
  warm: Uint8Array;
}

/** Options of {@link trainFromConfig}. */
export interface TrainFromConfigOptions {
  /** Resolved config. */
  config: ExperimentConfig;
  /** Pre-loaded data (compare loads once for all kinds). Default: loaded from `config.data`. */
  data?: LoadedTrainingData;
  /** Continue from `<output>/checkpoint.ckpt`. */
  resume?: boolean;
  /** Name of the active tfjs backend (recorded in the manifest and metrics). */
  backend: string;
  /** Log lines. */
  log?: (line: string) => void;
  /** Fit's events (epochs, steps, validation, early stop), e.g. for a progress bar. */
  onFitEvent?: (event: FitEvent) => void;
  /** Called as the test evaluation starts: its progress reporter (`clear()` is called when it ends). */
  testProgress?: () => {
    report(progress: { stage: EvaluateStage; done: number; total: number }): void;
    clear(): void;
  };
  /** Called after each epoch once its checkpoint is written (tests use it to simulate a kill). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
  /** Files added to the artifacts folder besides metrics.json and training-config.json (e.g. report.html). */
  extraFiles?: (run: FinishedRun) => Record<string, string>;
}

/** What {@link trainFromConfig} returns. */
export interface TrainFromConfigResult {
  /** The metrics written to metrics.json. */
  metrics: RunMetrics;
  /** The artifacts folder (`<output>/artifacts`). */
  artifactsDir: string;
  /** Test evaluation with item embeddings and gates. */
  evaluation: ModelEvaluation;
  /** The training result. */
  training: FitResult;
}

/**
 * One run of a config: load data, `fit` of `@mmrecall/training` with the config's model and fit
 * options, test once, then write the artifacts (`<output>/artifacts`, with a prebuilt HNSW index,
 * the live-loop files of gated kinds, metrics.json and training-config.json; the checkpoint stays at
 * `<output>/checkpoint.ckpt`).
 */
export async function trainFromConfig(options: TrainFromConfigOptions): Promise<TrainFromConfigResult> {
  const { config, backend } = options;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const data =
    options.data ??
    (await timedStep({ label: 'load data', log, run: () => loadTrainingData({ data: config.data, log }) }));
  log(`[mmrecall] data ${data.summary}`);
  for (const note of data.notes) log(`[mmrecall] ${note}`);
  const model = await timedStep({
    label: `model setup${config.model.clusterBranching ? ' (cluster tree)' : ''}`,
    log,
    run: () => createModelFromConfig(config, data),
  });
  try {
    await mkdir(config.output, { recursive: true });
    const training = await fit({
      model,
      data,
      options: {
        ...fitOptionsOf(config),
        checkpoint: { path: join(config.output, 'checkpoint.ckpt'), resume: options.resume === true },
        ...(options.onFitEvent ? { onProgress: options.onFitEvent } : {}),
        ...(options.onEpochEnd ? { onEpochEnd: options.onEpochEnd } : {}),
      },
    });
    const testProgress = options.testProgress?.();
    const evaluation = await timedStep({
      label: 'test evaluation',
      log,
      run: () =>
        evaluate({
          ...(testProgress ? { onProgress: (progress) => testProgress.report(progress) } : {}),
          model,
          data,
          split: 'test',
          k: config.eval.k,
          cutoffs: reportCutoffs(config.eval),
          maxQueries: config.eval.maxQueries,
          seed: config.train.seed,
          candidates: config.eval.candidates,
        }),
    });
    testProgress?.clear();
    const metrics = runMetrics({ config, data, backend, run: { model, training, evaluation }, started });
    const extraFiles = options.extraFiles?.({ config, data, metrics, evaluation, warm: model.warm }) ?? {};
    const artifactsDir = join(config.output, 'artifacts');
    const live = await liveLoopArtifacts({
      model: model.model,
      itemStore: model.itemStore,
      train: data.split.train,
    });
    // The HNSW graph is built once here and shipped in the artifacts: servers map it at start.
    const index = await timedStep({
      label: 'HNSW index',
      log,
      run: () => buildPrebuiltHnswIndex({ vectors: evaluation.itemEmbeddings, dim: model.model.itemDim }),
    });
    await writeTrainedArtifacts({
      dir: artifactsDir,
      index,
      model,
      data,
      evaluation,
      ...(live ? { live } : {}),
      extraFiles: {
        'metrics.json': toJson(metrics),
        ...extraFiles,
        'training-config.json': toJson(config),
      },
      info: { backend, dataset: data.name, trainer: '@mmrecall/trainer' },
    }).finally(() => index.dispose());
    return { metrics, artifactsDir, evaluation, training };
  } catch (error) {
    throw asConfigError(error);
  } finally {
    model.dispose();
  }
}
