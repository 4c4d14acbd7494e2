import type { CombinedLoss } from '@mmrecall/losses';
import type { EmbeddingTable } from '@mmrecall/towers';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelKind } from './kinds/registry';

export type { ModelKind } from './kinds/registry';

/** u2i: a user tower is the query side; i2i: the trigger item, encoded by the item towers, is. */
export type RecallMode = 'u2i' | 'i2i';

/** CSR rows: row `i` holds `values[offsets[i] .. offsets[i + 1])`. */
export interface CsrRows {
  offsets: Int32Array;
  values: Int32Array;
}

/** Configuration of a recall model; stored in the artifacts and enough to rebuild it. */
export interface RecallModelConfig {
  /** Which of the five models. */
  kind: ModelKind;
  /** u2i or i2i. */
  mode: RecallMode;
  /** Output dimension of each view (user, behaviour, content). Concat fusion doubles the item/user dim. */
  dim: number;
  /** Number of users (u2i). The user table has one more row: the shared unknown-user row. */
  numUsers: number;
  /** Number of items known at training time. The ID table has one more row: the shared unknown-item row. */
  numItems: number;
  /** Seed for every initialiser. */
  seed: number;
  /** User tower: id embedding, optional profile multi-hot and recent-item history. */
  user: {
    idDim: number;
    hiddenUnits: number[];
    /**
     * Probability of replacing a user id by the shared unknown-user row (row `numUsers`) during
     * training, so a new user can be embedded from profile and history alone. Default 0.
     */
    idDropout?: number;
    profile?: { vocabularySize: number; dim: number };
    history?: { dim: number; maxLength: number };
  };
  /** Behaviour (ID) tower. */
  id: {
    idDim: number;
    hiddenUnits: number[];
    /** Probability of replacing an item id by the unknown row during training (DropoutNet style). */
    idDropout: number;
    /**
     * Item-item graph from the content vectors (FREEDOM style): the id view of item i is
     * row(i) + weight x mean of the rows of its k most content-similar warm items, so a cold item
     * (unknown row) borrows its warm neighbours' behaviour rows. The feature store builds the graph
     * from the vectors and warm flags. Default: off.
     */
    neighbours?: {
      /** Neighbours per item. */
      k: number;
      /** Weight of the neighbour mean (> 0). */
      weight: number;
      /** Named vectors the similarity reads (each L2-normalised; cosines summed). */
      vectors: string[];
    };
  };
  /** Content tower: tags, named dense vectors, cluster node ids; never the item id. */
  content: {
    hiddenUnits: number[];
    tags?: { vocabularySize: number; dim: number };
    vectors: Record<string, { dim: number }>;
    nodeIds?: {
      /** Node count of each tree level. */
      nodesPerLevel: number[];
      /** Embedding width of each level's node-id table. */
      dim: number;
      /** Named vectors the tree was built on (concatenated in this order). */
      vectors: string[];
      /** Whether each named vector was L2-normalised before concatenation. */
      normalizeEach: boolean;
    };
    /** Feed raw vectors (true) or only node ids (false, needs nodeIds). */
    useRawVectors: boolean;
  };
  /** Posterior gate (gated kinds only). */
  gate?: {
    hiddenUnits: number[];
    /** Probability of zeroing an item's statistics during training, so cold items are seen. */
    statsDropout: number;
  };
  /** Scales that map raw statistics to gate features (fitted on training statistics). */
  posteriorScale?: { logExposures: number; logClicks: number; age: number };
  /** Optimizer of the embedding tables (lazy: only touched rows are updated); training creates it. */
  tableOptimizer: { kind: 'adam' | 'adagrad'; learningRate: number };
  /**
   * Fewer kernels per training step: fused dense layers, L2 normalisation and additive fusion with
   * closed-form gradients (`fusedKernels` of @mmrecall/towers and @mmrecall/gating). Same weights,
   * values equal up to float rounding. Default false.
   */
  fusedKernels?: boolean;
}

/** Query-side inputs for a batch of users (u2i). */
export interface UserBatch {
  /** User indices; use `numUsers` (the unknown row) for a user the model has never seen. */
  users: Int32Array;
  profile?: CsrRows;
  history?: CsrRows;
}

/** Item-side inputs for a batch of items. */
export interface ItemBatch {
  /** Item indices; use `numItems` (the unknown row) for items the model has never seen. */
  items: Int32Array;
  /** Tag indices per item. */
  tags?: CsrRows;
  /** Named vectors, `batch x dim` each. */
  vectors: Record<string, Float32Array>;
  /** Node id per level, each `batch` long. */
  nodeIds?: Int32Array[];
  /** Gate features, `batch x 4` (see @mmrecall/gating posteriorFeatures); zeros for cold items. */
  posterior?: Float32Array;
  /** 1 = item has behaviour history (multiview serves its ID embedding), 0 = cold (content). */
  warm?: Uint8Array;
  /** Content neighbours (warm item indices) of each item; required when the config has `id.neighbours`. */
  neighbours?: CsrRows;
}

/** Per-view item outputs of one forward pass. Tensors belong to the caller. */
export interface ItemViews {
  /** Behaviour-tower embedding [B, dim]. */
  id?: tf.Tensor2D;
  /** Content-tower embedding [B, dim]. */
  content?: tf.Tensor2D;
  /** Gate value g in (0, 1) [B, 1] (gated kinds). */
  gate?: tf.Tensor2D;
  /** The embedding used for retrieval [B, itemDim]. */
  item: tf.Tensor2D;
}

/** Input of `RecallModel.fuseItemViews`. */
export interface FuseItemViewsInput {
  /** Behaviour views [B, dim] (not disposed). */
  id: tf.Tensor2D;
  /** Content views [B, dim] (not disposed). */
  content: tf.Tensor2D;
  /** Gate features, B x 4 (see @mmrecall/gating posteriorFeatures). */
  posterior: Float32Array;
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Training mode: applies id dropout and statistics dropout. Default false. */
  training?: boolean;
  /** Global step; seeds the dropout masks so a resumed run repeats them exactly. Default 0. */
  step?: number;
}

/** The assembled recall model. */
export interface RecallModel {
  readonly config: RecallModelConfig;
  /** Dimension of user/query embeddings (2 x dim for gated-concat). */
  readonly queryDim: number;
  /** Dimension of item embeddings (2 x dim for gated-concat). */
  readonly itemDim: number;
  /** Dense trainable variables. */
  readonly variables: tf.Variable[];
  /** Sparse embedding tables (training gives each a sparse optimizer of `@mmrecall/towers/training`). */
  readonly tables: EmbeddingTable[];
  /** Query embeddings: users (u2i) [B, queryDim]. */
  embedUsers(batch: UserBatch, options?: ForwardOptions): tf.Tensor2D;
  /** Query embeddings for trigger items (i2i) [B, queryDim]. */
  embedTriggers(batch: ItemBatch, options?: ForwardOptions): tf.Tensor2D;
  /** Every item view and the retrieval embedding. */
  itemViews(batch: ItemBatch, options?: ForwardOptions): ItemViews;
  /**
   * Gated kinds: the gate and the retrieval embedding of warm items from their stored views and new
   * gate features, exactly what `itemViews` computes for the same statistics (new tensors, caller owns).
   */
  fuseItemViews(input: FuseItemViewsInput): { gate: tf.Tensor2D; item: tf.Tensor2D };
  /**
   * The kind's loss on one batch (TFRS `compute_loss`): total and weighted parts, new tensors owned
   * by the caller. Run it under `trainStep` (training) or a `tidy` (validation).
   */
  computeLoss(options: ComputeLossOptions): CombinedLoss;
  /** Named weights of every variable and table, for saving. */
  toNamedWeights(): Record<string, { shape: number[]; data: Float32Array }>;
  /** Restores weights saved by `toNamedWeights`. */
  loadNamedWeights(weights: Record<string, { shape: number[]; data: Float32Array }>): void;
  dispose(): void;
}

/** Weights, temperature and margins of the model kinds' loss terms (MODEL.md). */
export interface RecallLossOptions {
  /** Softmax temperature (logits = score / temperature). */
  temperature: number;
  /** Margin of the multiview triplet loss. */
  tripletMargin: number;
  /** Weights of the multiview losses (and of the auxiliary per-view losses of the gated kinds). */
  lossWeights: { id: number; content: number; triplet: number };
  /** Weight of the auxiliary per-view softmax losses of the gated kinds (0 = off). */
  auxiliaryWeight: number;
  /**
   * Multiview only, not in MODEL.md (0 = the spec's loss exactly): weight of an extra softmax over
   * "serving-mixed" candidates, each item shown by its content or its ID view with probability 1/2.
   */
  mixedViewWeight: number;
  /** Seed of the loss's own random choices (the mixed views). */
  seed: number;
}

/** One batch of positive pairs with everything the loss needs. */
export interface LossBatch {
  /** Target item per pair (also the in-batch candidate ids). */
  targets: Int32Array;
  /** Features of the targets. */
  itemBatch: ItemBatch;
  /** Query users (u2i). */
  userBatch?: UserBatch;
  /** Trigger items (i2i). */
  triggerBatch?: ItemBatch;
  /** log q of each in-batch candidate (logQ correction). */
  candidateLogQ?: Float32Array;
  /** Extra uniformly sampled negatives. */
  extraIds?: Int32Array;
  /** Their features. */
  extraBatch?: ItemBatch;
  /** Their log q (one value, uniform sampling). */
  extraLogQ?: number;
}

/** Options of `RecallModel.computeLoss`. */
export interface ComputeLossOptions {
  /** The batch. */
  batch: LossBatch;
  /** Loss weights, temperature, margins. */
  loss: RecallLossOptions;
  /** Training mode (id and statistics dropout) or evaluation. */
  training: boolean;
  /** Global step; seeds dropout and the loss's random choices. */
  step: number;
}
