import type {
  DataFolderColumns,
  DataFolderFiles,
  DataFolderItems,
  DataFolderNpyVectors,
  DataFolderUsers,
} from '@mmrecall/data';
import type { CandidateSet } from '@mmrecall/metrics';
import type { ModelKind, RecallMode } from '@mmrecall/model';

/** Where the training data comes from. */
export type DataSource = 'synthetic' | 'tiktok' | 'movielens' | 'folder';
/** Size presets of @mmrecall/synthetic. */
export type SyntheticPresetName = 'tiny' | 'small' | 'default' | 'large' | 'xl';

/** How train/valid/test are made: `auto` = the source's own (folder: its files, else time when it has
 * timestamps, else per-user random), or one method for any source. */
export type SplitMethodName = 'auto' | 'time' | 'random' | 'cold-item' | 'files';

/** The `data` settings of a folder (see @mmrecall/data `loadDataFolder` for each field). */
export interface FolderDataConfig {
  /** Files relative to `path`; unset entries are found by name. */
  files?: DataFolderFiles;
  /** Header names of the interaction columns; unset entries are found by name. */
  columns?: DataFolderColumns;
  /** Delimiter of the CSV files (`tab` for a tab). Default: from each file's extension. */
  delimiter?: ',' | ';' | '|' | 'tab';
  /** How the item file's fields are used; unset: arrays of numbers are vectors, arrays of strings tags. */
  items?: DataFolderItems;
  /** Named vectors from `.npy` files; unset: every `*.npy` in the folder. */
  vectors?: Record<string, DataFolderNpyVectors>;
  /** User profile table settings. */
  users?: DataFolderUsers;
}

/**
 * The fully resolved configuration of a run (every field has a value; the optional `data` fields
 * default as in {@link defaultExperimentConfig}): what `mmrecall-train` reads from its YAML file and
 * flags, less the backend choice.
 */
export interface ExperimentConfig {
  data: {
    /** `synthetic` (generated, default), `tiktok`, `movielens` (ml-100k folder) or `folder` (interactions.csv + items.jsonl). */
    source: DataSource;
    /** Folder of the data set (required for every source except `synthetic`). */
    path?: string;
    /** Synthetic size preset. */
    preset: SyntheticPresetName;
    /** Seed of the synthetic generator and of random splits. */
    seed: number;
    /** Unit of timestamps in data files: `auto` (milliseconds detected, with a warning), `s` or `ms`. */
    timestampUnit?: 'auto' | 's' | 'ms';
    /** Skip invalid rows and records (the report of what was skipped is printed) instead of stopping. */
    skipInvalid?: boolean;
    /** Longest line accepted in a data file, in characters. */
    maxLineLength?: number;
    /**
     * Event exports of the serving layer (`GET /v1/statistics/export`, `mmrecall-events export`):
     * their exposures and clicks are appended to the interactions before the split.
     */
    events?: string[];
    /** How train/valid/test are made. Default: `auto`, fractions 0.1 / 0.1 / 0.1. */
    split?: {
      method: SplitMethodName;
      /** Share of rows (or of each user's rows) for validation. */
      validFraction: number;
      /** Share of rows for test. */
      testFraction: number;
      /** `cold-item`: share of the items held out whole (split between valid and test). */
      coldItemFraction: number;
    };
  } & FolderDataConfig;
  model: {
    /** Which of the five models. */
    kind: ModelKind;
    /** u2i (user tower query) or i2i (trigger item query). */
    mode: RecallMode;
    /** Output dimension of every view. */
    dim: number;
    /** Feed the raw content vectors to the content tower (false needs node ids). */
    useRawVectors: boolean;
    /** Use the item tags in the content tower when the data set has them. */
    useTags: boolean;
    /** Use the user profile features when the data set has them (u2i). */
    useProfile: boolean;
    /** Recent-item history pooled in the user tower (0 = off). */
    historyLength: number;
    /**
     * Share of training examples whose item id is replaced by the shared unknown-item row and whose
     * statistics are zeroed (DropoutNet style), so the content view and the gate learn what a cold item
     * looks like. Kinds with a content tower only; id-only never drops ids.
     */
    idDropout: number;
    /**
     * Share of training examples whose user id is replaced by the shared unknown-user row, so the
     * user tower can embed a new user from profile and history alone (u2i). Default 0.
     */
    userIdDropout: number;
    /**
     * Share of training examples whose gate statistics alone are zeroed (gated kinds). Default 0: zero
     * statistics then always come with an unknown id, so the gate learns "no statistics -> content".
     */
    statsDropout: number;
    /**
     * Content neighbours of the behaviour view (FREEDOM style): an item's id view adds
     * `neighbourWeight` x the mean id row of its `neighbourK` most similar warm items (summed cosines
     * of the content vectors), so cold items borrow warm neighbours' behaviour. 0 = off (default).
     */
    neighbourK: number;
    /** Weight of the neighbour mean when `neighbourK > 0`. Default 1. */
    neighbourWeight: number;
    /**
     * Hierarchical k-means over the item vectors; each item's node id per level becomes a content
     * feature. Branching per level, e.g. [8, 8] gives 8 then 64 nodes. Unset = no node ids.
     */
    clusterBranching?: number[];
  };
  train: {
    /** Maximum number of epochs. */
    epochs: number;
    /** Positive pairs per step (the in-batch softmax sees batchSize - 1 negatives). */
    batchSize: number;
    /** Adam learning rate of the dense variables and the embedding tables. */
    learningRate: number;
    /** Softmax temperature (logits = score / temperature). */
    temperature: number;
    /** Margin of the multiview triplet loss. */
    tripletMargin: number;
    /** Weights of the multiview losses (and of the auxiliary per-view losses of the gated kinds). */
    lossWeights: { id: number; content: number; triplet: number };
    /** Weight of the auxiliary per-view softmax losses of the gated kinds (0 = off). */
    auxiliaryWeight: number;
    /**
     * Multiview only, not in MODEL.md (default 0 = the spec's loss exactly): weight of an extra softmax
     * over "serving-mixed" candidates, each item shown by its content view with probability 1/2 and by
     * its ID view otherwise, so content embeddings compete with ID embeddings as they do at serving time.
     */
    mixedViewWeight: number;
    /** Stop when validation Recall@K has not improved for this many epochs (0 = never stop early). */
    earlyStoppingPatience: number;
    /** Cap on steps per epoch (unset = one full pass over the training pairs). */
    maxStepsPerEpoch?: number;
    /** Seed of shuffling, negatives and the model initialisers. */
    seed: number;
    /** Subtract log(sampling probability) from in-batch logits. */
    logQ: boolean;
    /** Extra uniformly sampled negative items per step, shared by the batch. */
    extraNegatives: number;
    /** Clip the global gradient norm to this value (0 = off). */
    clipNorm: number;
    /**
     * Fewer kernels per step: fused dense layers, closed-form gradients of the softmax loss, L2
     * normalisation and additive fusion. Same model; seeded results differ by float rounding.
     */
    fusedKernels: boolean;
  };
  eval: {
    /** Length of the recalled list (the K of the headline metrics). */
    k: number;
    /** Cutoffs reported, each <= k. */
    cutoffs: number[];
    /** Evaluate at most this many users of valid/test (0 = all); a seeded subsample. */
    maxQueries: number;
    /**
     * Candidate items of the ranking. `all` (default): every item, the full-ranking protocol. `warm` /
     * `cold`: the cold-start papers' protocol, warm (cold) held-out items ranked among warm (cold) items
     * only; `maxQueries` then caps the users left with such an item.
     */
    candidates: CandidateSet;
  };
  /** Reference baselines of `compare --kinds` (settings tried on the valid split; the best is tested once). */
  baselines: {
    /** EASE L2 weights tried. */
    easeLambdas: number[];
    /** EASE refuses to solve above this many items with training positives (memory ~12 x items² bytes). */
    easeMaxItems: number;
    /** ItemKNN neighbours per item tried (0 = all). */
    knnNeighbours: number[];
    /** ItemKNN cosine shrinkage tried with each neighbour count (damps pairs of rarely clicked items). */
    knnShrink: number[];
    /** BPR-MF: maximum epochs (the best validated epoch is kept). */
    bprEpochs: number;
    /** LightGCN propagation depths tried. */
    lightgcnLayers: number[];
    /** LightGCN: maximum epochs (the best validated epoch is kept). */
    lightgcnEpochs: number;
    /** BPR-MF and LightGCN: validate every this many epochs; stop after `patience` validations without gain. */
    validateEvery: number;
    /** See validateEvery. */
    patience: number;
  };
  /** Output folder (artifacts, checkpoint, metrics.json, report.html). */
  output: string;
}

/** The default configuration: synthetic `default` preset, gated-additive, sized to finish in under 2 minutes on wasm. */
export function defaultExperimentConfig(): ExperimentConfig {
  return {
    data: {
      source: 'synthetic',
      preset: 'default',
      seed: 42,
      timestampUnit: 'auto',
      skipInvalid: false,
      maxLineLength: 64 * 1024 * 1024,
      split: { method: 'auto', validFraction: 0.1, testFraction: 0.1, coldItemFraction: 0.1 },
    },
    model: {
      kind: 'gated-additive',
      mode: 'u2i',
      dim: 32,
      useRawVectors: true,
      useTags: true,
      useProfile: true,
      historyLength: 0,
      idDropout: 0.2,
      userIdDropout: 0,
      statsDropout: 0,
      neighbourK: 0,
      neighbourWeight: 1,
    },
    train: {
      epochs: 5,
      batchSize: 256,
      learningRate: 0.005,
      temperature: 0.1,
      tripletMargin: 0.2,
      lossWeights: { id: 1, content: 1, triplet: 0.5 },
      auxiliaryWeight: 0.25,
      mixedViewWeight: 0,
      earlyStoppingPatience: 2,
      seed: 7,
      logQ: true,
      extraNegatives: 0,
      clipNorm: 0,
      fusedKernels: false,
    },
    eval: { k: 20, cutoffs: [10, 20], maxQueries: 0, candidates: 'all' },
    baselines: {
      easeLambdas: [10, 50, 200, 1000],
      easeMaxItems: 10_000,
      knnNeighbours: [20, 100, 0],
      knnShrink: [0, 10],
      bprEpochs: 200,
      lightgcnLayers: [1, 2, 3],
      lightgcnEpochs: 200,
      validateEvery: 5,
      patience: 3,
    },
    output: 'mmrecall-output',
  };
}
