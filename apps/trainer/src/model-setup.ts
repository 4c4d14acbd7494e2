import { buildClusterTree, type ClusterTree, combineVectors } from '@mmrecall/clustering';
import type { Interactions } from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import { fitPosteriorScale } from '@mmrecall/gating';
import {
  type CsrRows,
  createItemFeatureStore,
  createRecallModel,
  createUserFeatureStore,
  defaultModelConfig,
  type ItemFeatureStore,
  type RecallModel,
  type RecallModelConfig,
  type UserFeatureStore,
} from '@mmrecall/model';
import type { TrainerConfig } from './config';
import type { TrainingData } from './data';

/** A model with its feature stores, built from a training config and a data set. */
export interface ModelSetup {
  /** The model configuration handed to createRecallModel. */
  modelConfig: RecallModelConfig;
  /** The model (owns tensors: dispose it). */
  model: RecallModel;
  /** Item features (warm flags, statistics, content, node ids). */
  itemStore: ItemFeatureStore;
  /** User features (profile, history); u2i only. */
  userStore?: UserFeatureStore;
  /** 1 = warm item (positive in train). */
  warm: Uint8Array;
  /** Training positives per user in time order. */
  userPositives: CsrRows;
  /** The cluster tree, when node ids are used. */
  clusterTree?: ClusterTree;
}

/** Positive rows (clicks) of the interactions, sorted by user then time (stable). */
export function positivesByUser(options: {
  /** Interactions to group. */
  interactions: Interactions;
  /** Number of users. */
  numUsers: number;
}): CsrRows {
  const { interactions, numUsers } = options;
  const { users, items, clicks, timestamps } = interactions;
  const rows: number[] = [];
  for (let r = 0; r < users.length; r++) if (clicks === undefined || clicks[r] === 1) rows.push(r);
  rows.sort((a, b) => {
    const byUser = (users[a] as number) - (users[b] as number);
    if (byUser !== 0) return byUser;
    const byTime = timestamps ? (timestamps[a] as number) - (timestamps[b] as number) : 0;
    return byTime !== 0 ? byTime : a - b;
  });
  const offsets = new Int32Array(numUsers + 1);
  for (const r of rows) offsets[(users[r] as number) + 1] = (offsets[(users[r] as number) + 1] as number) + 1;
  for (let u = 0; u < numUsers; u++) offsets[u + 1] = (offsets[u + 1] as number) + (offsets[u] as number);
  const values = Int32Array.from(rows, (r) => items[r] as number);
  return { offsets, values };
}

/** Options of {@link buildModelSetup}. */
export interface BuildModelSetupOptions {
  /** The resolved training config. */
  config: TrainerConfig;
  /** The loaded data set. */
  data: TrainingData;
}

/**
 * Builds the model configuration from the training config and the data set (tags, vectors,
 * profile, cluster node ids when asked), fits the gate's feature scale on the training statistics,
 * and creates the model and its feature stores.
 */
export function buildModelSetup(options: BuildModelSetupOptions): ModelSetup {
  const { config, data } = options;
  const { dataset, split, numUsers, numItems } = data;
  const m = config.model;
  const vectors: Record<string, { dim: number }> = {};
  for (const [name, table] of Object.entries(dataset.content.vectors)) vectors[name] = { dim: table.dim };
  const vectorNames = Object.keys(vectors);
  let clusterTree: ClusterTree | undefined;
  let nodePaths: Int32Array | undefined;
  if (m.clusterBranching) {
    if (vectorNames.length === 0) {
      throw new InvalidArgumentError({
        argument: 'config.model.clusterBranching',
        message: `data set ${data.name} has no item vectors to cluster`,
      });
    }
    const combined = combineVectors({
      tables: vectorNames.map((name) => ({
        name,
        dim: vectors[name]!.dim,
        data: dataset.content.vectors[name]!.data,
      })),
      normalizeEach: true,
    });
    // The tree is trained on the items seen in training only; every item, cold ones included, then
    // gets its node ids by descending the tree, exactly as a new item does at serving time.
    const trainingItems: number[] = [];
    for (let i = 0; i < numItems; i++) if (split.coldItems[i] !== 1) trainingItems.push(i);
    const trainingData = new Float32Array(trainingItems.length * combined.dim);
    trainingItems.forEach((item, row) => {
      trainingData.set(
        combined.data.subarray(item * combined.dim, (item + 1) * combined.dim),
        row * combined.dim,
      );
    });
    clusterTree = buildClusterTree({
      data: trainingData,
      dim: combined.dim,
      branching: m.clusterBranching,
      seed: config.train.seed,
      source: 'training item vectors',
    });
    nodePaths = clusterTree.assignMany({ data: combined.data, source: 'item vectors' });
  }
  const tags =
    m.useTags && dataset.content.tags ? { vocabularySize: dataset.content.tags.vocabulary.size } : undefined;
  const profile =
    m.useProfile && m.mode === 'u2i' && dataset.userFeatures
      ? { vocabularySize: dataset.userFeatures.vocabulary.size }
      : undefined;
  const modelConfig = defaultModelConfig({
    kind: m.kind,
    mode: m.mode,
    numUsers,
    numItems,
    dim: m.dim,
    seed: config.train.seed,
    vectors,
    useRawVectors: m.useRawVectors,
    historyLength: m.historyLength,
    ...(tags ? { tags } : {}),
    ...(profile ? { profile } : {}),
    ...(clusterTree
      ? { nodeIds: { nodesPerLevel: [...clusterTree.nodesPerLevel], vectors: vectorNames } }
      : {}),
  });
  modelConfig.id.idDropout = m.kind === 'id-only' ? 0 : m.idDropout;
  modelConfig.user.idDropout = m.userIdDropout;
  if (modelConfig.gate) modelConfig.gate.statsDropout = m.statsDropout;
  modelConfig.tableOptimizer = { kind: 'adam', learningRate: config.train.learningRate };
  modelConfig.fusedKernels = config.train.fusedKernels;
  if (modelConfig.gate) {
    modelConfig.posteriorScale = fitPosteriorScale({ statistics: data.statistics });
  }
  const warm = new Uint8Array(numItems);
  for (let i = 0; i < numItems; i++) warm[i] = split.coldItems[i] === 1 ? 0 : 1;
  const userPositives = positivesByUser({ interactions: split.train, numUsers });
  const model = createRecallModel({ config: modelConfig });
  try {
    const itemStore = createItemFeatureStore({
      config: modelConfig,
      content: dataset.content,
      statistics: data.statistics,
      warm,
      ...(nodePaths ? { nodePaths } : {}),
    });
    const userStore =
      m.mode === 'u2i'
        ? createUserFeatureStore({
            config: modelConfig,
            numUsers,
            ...(profile && dataset.userFeatures ? { profile: dataset.userFeatures } : {}),
            history: userPositives,
          })
        : undefined;
    return {
      modelConfig,
      model,
      itemStore,
      warm,
      userPositives,
      ...(userStore ? { userStore } : {}),
      ...(clusterTree ? { clusterTree } : {}),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
