import { buildClusterTree, type ClusterTree, combineVectors } from '@mmrecall/clustering';
import { InvalidArgumentError } from '@mmrecall/errors';
import { fitPosteriorScale } from '@mmrecall/gating';
import {
  type CsrRows,
  createItemFeatureStore,
  createRecallModel,
  createUserFeatureStore,
  defaultModelConfig,
  type ItemFeatureStore,
  type ModelKind,
  modelKindDefinition,
  type RecallMode,
  type RecallModel,
  type RecallModelConfig,
  type UserFeatureStore,
} from '@mmrecall/model';
import { positivesByUser } from './positives';
import type { TrainingData } from './training-data';

/** Default training seed (shuffling, negatives, initialisers), the CLI's default. */
export const DEFAULT_SEED = 7;
/** Default Adam learning rate of the dense variables and the embedding tables. */
export const DEFAULT_LEARNING_RATE = 0.005;

/** What model to build; every field has the CLI's default. */
export interface ModelOptions {
  /** Which model kind (see `MODEL_KINDS` of `@mmrecall/model`). Default `gated-additive`. */
  kind?: ModelKind;
  /** u2i (user tower query) or i2i (trigger item query). Default `u2i`. */
  mode?: RecallMode;
  /** Output dimension of every view. Default 32. */
  dim?: number;
  /** Feed the raw content vectors to the content tower (false needs node ids or tags). Default true. */
  useRawVectors?: boolean;
  /** Use the item tags when the data set has them. Default true. */
  useTags?: boolean;
  /** Use the user profile features when the data set has them (u2i). Default true. */
  useProfile?: boolean;
  /** Recent-item history pooled in the user tower (0 = off). Default 0. */
  historyLength?: number;
  /**
   * Share of training examples whose item id is replaced by the shared unknown-item row and whose
   * statistics are zeroed (DropoutNet style). Kinds with a content tower only. Default 0.2.
   */
  idDropout?: number;
  /** Share of training examples whose user id is replaced by the unknown-user row (u2i). Default 0. */
  userIdDropout?: number;
  /** Share of training examples whose gate statistics alone are zeroed (gated kinds). Default 0. */
  statsDropout?: number;
  /**
   * Content neighbours of the behaviour view (FREEDOM style): the id view of an item adds
   * `neighbourWeight` x the mean id row of its `neighbourK` most similar warm items by the cosines of
   * every content vector, so cold items borrow warm neighbours' behaviour. Kinds with both a behaviour
   * and a content tower (id-only stays a pure behaviour model). Default 0 (off).
   */
  neighbourK?: number;
  /** Weight of the neighbour mean (used when `neighbourK > 0`). Default 1. */
  neighbourWeight?: number;
  /**
   * Hierarchical k-means over the item vectors (trained on training items); each item's node id per
   * level becomes a content feature. Branching per level, e.g. [8, 8]. Default: no node ids.
   */
  clusterBranching?: number[];
  /**
   * Fewer kernels per step: fused dense layers, closed-form gradients of the softmax loss, L2
   * normalisation and additive fusion. Same model; seeded results differ by float rounding. Default false.
   */
  fusedKernels?: boolean;
}

/** Options of {@link createTrainableModel}. */
export interface CreateTrainableModelOptions extends ModelOptions {
  /** The training data (content, split, statistics). */
  data: TrainingData;
  /** Seed of the initialisers, dropout and the cluster tree; pass fit's seed. Default 7. */
  seed?: number;
  /** Learning rate of the embedding tables' lazy Adam; pass fit's learning rate. Default 0.005. */
  learningRate?: number;
}

/** A model with its feature stores, built for one data set. */
export interface TrainableModel {
  /** The model configuration handed to createRecallModel (saved with the artifacts). */
  modelConfig: RecallModelConfig;
  /** The model (trained in place by `fit`). */
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
  /** Frees the model's tensors. */
  dispose(): void;
}

type ResolvedModelOptions = Required<Omit<ModelOptions, 'clusterBranching'>> &
  Pick<ModelOptions, 'clusterBranching'>;

/** The model options with every default filled in. */
export function resolveModelOptions(options: ModelOptions): ResolvedModelOptions {
  return {
    kind: options.kind ?? 'gated-additive',
    mode: options.mode ?? 'u2i',
    dim: options.dim ?? 32,
    useRawVectors: options.useRawVectors ?? true,
    useTags: options.useTags ?? true,
    useProfile: options.useProfile ?? true,
    historyLength: options.historyLength ?? 0,
    idDropout: options.idDropout ?? 0.2,
    userIdDropout: options.userIdDropout ?? 0,
    statsDropout: options.statsDropout ?? 0,
    neighbourK: options.neighbourK ?? 0,
    neighbourWeight: options.neighbourWeight ?? 1,
    fusedKernels: options.fusedKernels ?? false,
    ...(options.clusterBranching ? { clusterBranching: [...options.clusterBranching] } : {}),
  };
}

/**
 * Builds the model configuration from the options and the data set (tags, vectors, profile,
 * cluster node ids when asked), fits the gate's feature scale on the training statistics, and
 * creates the model and its feature stores. Dispose the result.
 */
export function createTrainableModel(options: CreateTrainableModelOptions): TrainableModel {
  const { data } = options;
  const { dataset, split, numUsers, numItems } = data;
  const m = resolveModelOptions(options);
  const seed = options.seed ?? DEFAULT_SEED;
  const learningRate = options.learningRate ?? DEFAULT_LEARNING_RATE;
  const vectors: Record<string, { dim: number }> = {};
  for (const [name, table] of Object.entries(dataset.content.vectors)) vectors[name] = { dim: table.dim };
  const vectorNames = Object.keys(vectors);
  let clusterTree: ClusterTree | undefined;
  let nodePaths: Int32Array | undefined;
  if (m.clusterBranching) {
    if (vectorNames.length === 0) {
      throw new InvalidArgumentError({
        argument: 'clusterBranching',
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
      seed,
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
    seed,
    vectors,
    useRawVectors: m.useRawVectors,
    historyLength: m.historyLength,
    ...(tags ? { tags } : {}),
    ...(profile ? { profile } : {}),
    ...(clusterTree
      ? { nodeIds: { nodesPerLevel: [...clusterTree.nodesPerLevel], vectors: vectorNames } }
      : {}),
  });
  // Id dropout teaches the content view what a cold item looks like; kinds without one never drop ids.
  modelConfig.id.idDropout = modelKindDefinition(m.kind).towers.content ? m.idDropout : 0;
  modelConfig.user.idDropout = m.userIdDropout;
  if (modelConfig.gate) modelConfig.gate.statsDropout = m.statsDropout;
  // Only kinds that read content: an id-only model stays a pure behaviour reference.
  const towers = modelKindDefinition(m.kind).towers;
  if (m.neighbourK > 0 && towers.id && towers.content) {
    if (vectorNames.length === 0) {
      throw new InvalidArgumentError({
        argument: 'neighbourK',
        message: `data set ${data.name} has no item vectors to find content neighbours in`,
      });
    }
    modelConfig.id.neighbours = { k: m.neighbourK, weight: m.neighbourWeight, vectors: vectorNames };
  }
  modelConfig.tableOptimizer = { kind: 'adam', learningRate };
  modelConfig.fusedKernels = m.fusedKernels;
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
      dispose: () => model.dispose(),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
