import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CandidateSet } from '@mmrecall/metrics';
import {
  type ArtifactsIndexWriter,
  embedUsers,
  type WriteArtifactsOptions,
  writeArtifacts,
} from '@mmrecall/model';
import { evaluate, type ModelEvaluation } from './evaluate';
import { type FitResult, fit } from './fit';
import type { FitOptions } from './fit-options';
import { createTrainableModel, type ModelOptions, type TrainableModel } from './trainable-model';
import type { TrainingData } from './training-data';

/** A trained and test-evaluated model, before its artifacts are written. */
export interface TrainedRun {
  /** The model (holds the best epoch's weights). */
  model: TrainableModel;
  /** What `fit` returned. */
  training: FitResult;
  /** Test-split evaluation (with item embeddings and gates). */
  evaluation: ModelEvaluation;
}

/** Options of {@link trainAndSave}. */
export interface TrainAndSaveOptions {
  /** The training data. */
  data: TrainingData;
  /** What model to build. Default: gated-additive with the CLI's defaults. */
  model?: ModelOptions;
  /** Fit options; the seed and learning rate also seed and tune the model. Checkpoint default `<output>/checkpoint.ckpt`. */
  options?: FitOptions;
  /** Test evaluation (reported once): list length K, cutoffs, at most this many users, candidates. Default 20, [10, 20], all, `all`. */
  test?: { k?: number; cutoffs?: number[]; maxQueries?: number; candidates?: CandidateSet };
  /** Output folder: artifacts in `<output>/artifacts`, the checkpoint beside them. */
  output: string;
  /** Extra files for the artifacts folder (metrics, reports), built from the finished run. */
  extraFiles?: (run: TrainedRun) => Record<string, string | Uint8Array>;
  /** Free-form information stored in the artifacts manifest (backend, data set name ...). */
  info?: Record<string, unknown>;
}

/** What {@link trainAndSave} returns. */
export interface TrainAndSaveResult {
  /** The artifacts folder (`<output>/artifacts`). */
  artifactsDir: string;
  /** What `fit` returned. */
  training: FitResult;
  /** Test evaluation with item embeddings and gates. */
  evaluation: ModelEvaluation;
}

/**
 * Builds the model, fits it with checkpoints, evaluates it once on the test split, and writes the
 * artifacts folder the server reads (model, embeddings, id maps, item meta, cluster tree, extra files).
 */
export async function trainAndSave(options: TrainAndSaveOptions): Promise<TrainAndSaveResult> {
  const { data, output } = options;
  const fitOptions: FitOptions = {
    ...options.options,
    checkpoint: options.options?.checkpoint ?? { path: join(output, 'checkpoint.ckpt') },
  };
  const model = createTrainableModel({
    data,
    ...options.model,
    ...(fitOptions.seed === undefined ? {} : { seed: fitOptions.seed }),
    ...(fitOptions.learningRate === undefined ? {} : { learningRate: fitOptions.learningRate }),
  });
  try {
    await mkdir(output, { recursive: true });
    const training = await fit({ model, data, options: fitOptions });
    const evaluation = await evaluate({
      model,
      data,
      split: 'test',
      ...options.test,
      ...(fitOptions.seed === undefined ? {} : { seed: fitOptions.seed }),
    });
    const extraFiles = options.extraFiles?.({ model, training, evaluation }) ?? {};
    const artifactsDir = join(output, 'artifacts');
    await writeTrainedArtifacts({
      dir: artifactsDir,
      model,
      data,
      evaluation,
      extraFiles,
      ...(options.info ? { info: options.info } : {}),
    });
    return { artifactsDir, training, evaluation };
  } finally {
    model.dispose();
  }
}

/** Options of {@link writeTrainedArtifacts}. */
export interface WriteTrainedArtifactsOptions {
  /** The artifacts folder (replaced as a whole). */
  dir: string;
  /** The trained model. */
  model: TrainableModel;
  /** Its training data (id maps, statistics). */
  data: TrainingData;
  /** Its item embeddings and gates (e.g. its test evaluation). */
  evaluation: Pick<ModelEvaluation, 'itemEmbeddings' | 'gates'>;
  /** Extra files (metrics, reports). */
  extraFiles?: Record<string, string | Uint8Array>;
  /** Free-form information stored in the manifest. */
  info?: Record<string, unknown>;
  /** Per-item views and statistics metadata that let a server recompute gated items live. */
  live?: Pick<WriteArtifactsOptions, 'itemViews' | 'itemStatistics'>;
  /**
   * A prebuilt recall index over the item embeddings (e.g. `buildPrebuiltHnswIndex` of
   * @mmrecall/serving), shipped in the folder so servers map it instead of building it.
   */
  index?: ArtifactsIndexWriter;
}

/** Writes the artifacts folder of a trained model: weights, item and user embeddings, id maps, item meta, cluster tree. */
export async function writeTrainedArtifacts(options: WriteTrainedArtifactsOptions): Promise<void> {
  const { model, data, evaluation } = options;
  const userEmbeddings =
    model.model.config.mode === 'u2i' && model.userStore
      ? await embedUsers({ model: model.model, store: model.userStore })
      : undefined;
  const tags = data.dataset.content.tags?.vocabulary.ids;
  const profile = data.dataset.userFeatures?.vocabulary.ids;
  await writeArtifacts({
    dir: options.dir,
    ...(options.index ? { index: options.index } : {}),
    model: model.model,
    idMaps: {
      users: [...data.dataset.users.ids],
      items: [...data.dataset.items.ids],
      ...(tags && model.modelConfig.content.tags ? { tags: [...tags] } : {}),
      ...(profile && model.modelConfig.user.profile ? { profile: [...profile] } : {}),
    },
    itemEmbeddings: evaluation.itemEmbeddings,
    ...(userEmbeddings ? { userEmbeddings } : {}),
    itemMeta: {
      warm: model.warm,
      ...(evaluation.gates ? { gate: evaluation.gates } : {}),
      exposures: data.statistics.exposures,
      clicks: data.statistics.clicks,
    },
    ...(options.live ?? {}),
    ...(model.clusterTree ? { clusterTree: model.clusterTree.toJSON() } : {}),
    extraFiles: options.extraFiles ?? {},
    ...(options.info ? { info: options.info } : {}),
  });
}
