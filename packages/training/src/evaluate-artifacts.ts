import { combineVectors } from '@mmrecall/clustering';
import type { CandidateSet } from '@mmrecall/metrics';
import { createItemFeatureStore, createUserFeatureStore, type LoadedArtifacts } from '@mmrecall/model';
import {
  embedQueries,
  evaluateEmbeddings,
  type ModelEvaluation,
  selectionCap,
  selectQueries,
} from './evaluate';
import { positivesByUser } from './positives';
import { DEFAULT_SEED } from './trainable-model';
import type { TrainingData } from './training-data';

/** Options of {@link evaluateArtifacts}. */
export interface EvaluateArtifactsOptions {
  /** A folder read with `readArtifacts` of `@mmrecall/model` (model, item embeddings, warm flags, cluster tree). */
  artifacts: LoadedArtifacts;
  /** The data set the artifacts were trained on: its split gives the training positives and held-out items. */
  data: TrainingData;
  /** Which held-out interactions. Default `test`. */
  split?: 'valid' | 'test';
  /** List length K. Default 20. */
  k?: number;
  /** Cutoffs reported. Default [10, 20]. */
  cutoffs?: number[];
  /** Candidate items: `all`, or warm/cold held-out items ranked among warm/cold items only. Default `all`. */
  candidates?: CandidateSet;
  /** Evaluate at most this many users (0 = all). Default 0. */
  maxQueries?: number;
  /** Seed of the query subsample. Default 7. */
  seed?: number;
}

/**
 * Evaluates a saved model the way `evaluate` evaluates a trained one: the stored item embeddings,
 * query users embedded by the stored model from the data set's features (node ids through the
 * stored cluster tree), training items masked. The same seed and data give `evaluate`'s metrics.
 */
export async function evaluateArtifacts(
  options: EvaluateArtifactsOptions,
): Promise<Omit<ModelEvaluation, 'itemEmbeddings' | 'gates' | 'gateSpearman'>> {
  const { artifacts, data } = options;
  const { config } = artifacts;
  const candidates = options.candidates ?? 'all';
  const maxQueries = options.maxQueries ?? 0;
  const seed = options.seed ?? DEFAULT_SEED;
  const trainPositives = positivesByUser({ interactions: data.split.train, numUsers: data.numUsers });
  let nodePaths: Int32Array | undefined;
  const nodeIds = config.content.nodeIds;
  if (nodeIds && artifacts.clusterTree) {
    const vectors = data.dataset.content.vectors;
    const combined = combineVectors({
      tables: nodeIds.vectors.map((name) => ({ name, dim: vectors[name]!.dim, data: vectors[name]!.data })),
      normalizeEach: nodeIds.normalizeEach,
    });
    nodePaths = artifacts.clusterTree.assignMany({ data: combined.data });
  }
  const itemStore = createItemFeatureStore({
    config,
    content: data.dataset.content,
    statistics: data.statistics,
    warm: Uint8Array.from(artifacts.itemMeta.warm),
    ...(nodePaths ? { nodePaths } : {}),
  });
  const userStore =
    config.mode === 'u2i'
      ? createUserFeatureStore({
          config,
          numUsers: data.numUsers,
          ...(config.user.profile && data.dataset.userFeatures ? { profile: data.dataset.userFeatures } : {}),
          history: trainPositives,
        })
      : undefined;
  const selected = selectQueries({
    heldOut: (options.split ?? 'test') === 'valid' ? data.split.valid : data.split.test,
    numUsers: data.numUsers,
    trainPositives,
    needTrigger: config.mode === 'i2i',
    maxQueries: selectionCap({ candidates, maxQueries }),
    seed,
  });
  const queries = await embedQueries({
    model: artifacts.model,
    users: selected.users,
    itemStore,
    trainPositives,
    ...(userStore ? { userStore } : {}),
  });
  return evaluateEmbeddings({
    queries,
    selected,
    itemEmbeddings: artifacts.itemEmbeddings,
    dim: artifacts.model.itemDim,
    data,
    trainPositives,
    k: options.k ?? 20,
    cutoffs: options.cutoffs ?? [10, 20],
    candidates,
    maxQueries,
    seed,
  });
}
