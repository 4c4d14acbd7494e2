import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type {
  DataFolderColumns,
  DataFolderFiles,
  DataFolderItems,
  DataFolderNpyVectors,
  DataFolderUsers,
} from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import { CANDIDATE_SETS, type CandidateSet } from '@mmrecall/metrics';
import { MODEL_KINDS, type ModelKind } from '@mmrecall/model';
import { parse as parseYaml } from 'yaml';

/** Where the training data comes from. */
export type DataSource = 'synthetic' | 'tiktok' | 'movielens' | 'folder';
/** Size presets of @mmrecall/synthetic. */
export type SyntheticPresetName = 'tiny' | 'small' | 'default' | 'large' | 'xl';
/** The model kinds of MODEL.md (the registry of `@mmrecall/model`). */
export type TrainerModelKind = ModelKind;
/** Query side: users (u2i) or trigger items (i2i). */
export type TrainerRecallMode = 'u2i' | 'i2i';
/** tfjs backend choice (see @mmrecall/runtime selectBackend). */
export type TrainerBackend = 'auto' | 'node' | 'wasm' | 'cpu';

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

/** The fully resolved training configuration (every field has a value; the optional `data` fields default as in {@link defaultTrainerConfig}). */
export interface TrainerConfig {
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
    kind: TrainerModelKind;
    /** u2i (user tower query) or i2i (trigger item query). */
    mode: TrainerRecallMode;
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
  /** tfjs backend. */
  backend: TrainerBackend;
}

/** Recursively optional version of T (arrays are replaced whole). */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** A partial configuration as written in a file or built from flags. */
export type PartialTrainerConfig = DeepPartial<TrainerConfig>;

/** The default configuration: synthetic `default` preset, gated-additive, sized to finish in under 2 minutes on wasm. */
export function defaultTrainerConfig(): TrainerConfig {
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
    backend: 'auto',
  };
}

// ---------------------------------------------------------------- schema

type FieldSpec =
  | { type: 'int'; min: number; max?: number; optional?: boolean }
  | { type: 'number'; min: number; max?: number; exclusiveMin?: boolean; optional?: boolean }
  | { type: 'boolean'; optional?: boolean }
  | { type: 'string'; optional?: boolean }
  | { type: 'enum'; values: readonly string[]; optional?: boolean }
  | { type: 'int-list'; min: number; optional?: boolean; minLength?: number }
  | { type: 'string-list'; optional?: boolean }
  | { type: 'record'; values: FieldSpec; optional?: boolean }
  | { type: 'number-list'; exclusiveMin: number; minLength: number; optional?: boolean }
  | { type: 'object'; fields: Record<string, FieldSpec>; optional?: boolean };

const optionalString = { type: 'string', optional: true } as const;
const optionalStrings = { type: 'string-list', optional: true } as const;

const SCHEMA: Record<string, FieldSpec> = {
  data: {
    type: 'object',
    fields: {
      source: { type: 'enum', values: ['synthetic', 'tiktok', 'movielens', 'folder'] },
      path: { type: 'string', optional: true },
      preset: { type: 'enum', values: ['tiny', 'small', 'default', 'large', 'xl'] },
      seed: { type: 'int', min: 0 },
      timestampUnit: { type: 'enum', values: ['auto', 's', 'ms'], optional: true },
      skipInvalid: { type: 'boolean', optional: true },
      maxLineLength: { type: 'int', min: 1, optional: true },
      events: optionalStrings,
      split: {
        type: 'object',
        optional: true,
        fields: {
          method: { type: 'enum', values: ['auto', 'time', 'random', 'cold-item', 'files'] },
          validFraction: { type: 'number', min: 0, max: 0.9 },
          testFraction: { type: 'number', min: 0, max: 0.9 },
          coldItemFraction: { type: 'number', min: 0, max: 0.9 },
        },
      },
      files: {
        type: 'object',
        optional: true,
        fields: {
          interactions: optionalString,
          train: optionalString,
          valid: optionalString,
          test: optionalString,
          items: optionalString,
          users: optionalString,
        },
      },
      columns: {
        type: 'object',
        optional: true,
        fields: {
          user: optionalString,
          item: optionalString,
          timestamp: optionalString,
          click: optionalString,
          label: optionalString,
          weight: optionalString,
        },
      },
      delimiter: { type: 'enum', values: [',', ';', '|', 'tab'], optional: true },
      items: {
        type: 'object',
        optional: true,
        fields: {
          id: optionalString,
          tags: optionalString,
          categorical: optionalStrings,
          vectors: optionalStrings,
          ignore: optionalStrings,
          missingVectors: { type: 'enum', values: ['error', 'zeros'], optional: true },
        },
      },
      vectors: {
        type: 'record',
        optional: true,
        values: { type: 'object', fields: { file: { type: 'string' }, ids: optionalString } },
      },
      users: {
        type: 'object',
        optional: true,
        fields: { id: optionalString, features: optionalStrings, ignore: optionalStrings },
      },
    },
  },
  model: {
    type: 'object',
    fields: {
      kind: { type: 'enum', values: MODEL_KINDS },
      mode: { type: 'enum', values: ['u2i', 'i2i'] },
      dim: { type: 'int', min: 1, max: 4096 },
      useRawVectors: { type: 'boolean' },
      useTags: { type: 'boolean' },
      useProfile: { type: 'boolean' },
      historyLength: { type: 'int', min: 0, max: 1000 },
      idDropout: { type: 'number', min: 0, max: 0.99 },
      userIdDropout: { type: 'number', min: 0, max: 0.99 },
      statsDropout: { type: 'number', min: 0, max: 0.99 },
      clusterBranching: { type: 'int-list', min: 2, minLength: 1, optional: true },
    },
  },
  train: {
    type: 'object',
    fields: {
      epochs: { type: 'int', min: 1 },
      batchSize: { type: 'int', min: 2 },
      learningRate: { type: 'number', min: 0, exclusiveMin: true },
      temperature: { type: 'number', min: 0, exclusiveMin: true },
      tripletMargin: { type: 'number', min: 0 },
      lossWeights: {
        type: 'object',
        fields: {
          id: { type: 'number', min: 0 },
          content: { type: 'number', min: 0 },
          triplet: { type: 'number', min: 0 },
        },
      },
      auxiliaryWeight: { type: 'number', min: 0 },
      mixedViewWeight: { type: 'number', min: 0 },
      earlyStoppingPatience: { type: 'int', min: 0 },
      maxStepsPerEpoch: { type: 'int', min: 1, optional: true },
      seed: { type: 'int', min: 0 },
      logQ: { type: 'boolean' },
      extraNegatives: { type: 'int', min: 0 },
      clipNorm: { type: 'number', min: 0 },
      fusedKernels: { type: 'boolean' },
    },
  },
  eval: {
    type: 'object',
    fields: {
      k: { type: 'int', min: 1, max: 10_000 },
      cutoffs: { type: 'int-list', min: 1, minLength: 1 },
      maxQueries: { type: 'int', min: 0 },
      candidates: { type: 'enum', values: CANDIDATE_SETS },
    },
  },
  baselines: {
    type: 'object',
    fields: {
      easeLambdas: { type: 'number-list', exclusiveMin: 0, minLength: 1 },
      easeMaxItems: { type: 'int', min: 1 },
      knnNeighbours: { type: 'int-list', min: 0, minLength: 1 },
      knnShrink: { type: 'int-list', min: 0, minLength: 1 },
      bprEpochs: { type: 'int', min: 1 },
      lightgcnLayers: { type: 'int-list', min: 0, minLength: 1 },
      lightgcnEpochs: { type: 'int', min: 1 },
      validateEvery: { type: 'int', min: 1 },
      patience: { type: 'int', min: 0 },
    },
  },
  output: { type: 'string' },
  backend: { type: 'enum', values: ['auto', 'node', 'wasm', 'cpu'] },
};

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function fieldError(path: string, message: string, source?: string): InvalidArgumentError {
  return new InvalidArgumentError({
    argument: path,
    message: source === undefined ? message : `${message} (in ${source})`,
  });
}

function checkField(path: string, spec: FieldSpec, value: unknown, source?: string): void {
  const got = `, got ${describe(value)}`;
  switch (spec.type) {
    case 'int':
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < spec.min ||
        (spec.max !== undefined && value > spec.max)
      ) {
        const range = spec.max === undefined ? `>= ${spec.min}` : `in [${spec.min}, ${spec.max}]`;
        throw fieldError(path, `must be an integer ${range}${got}`, source);
      }
      return;
    case 'number': {
      const tooLow = spec.exclusiveMin ? (value as number) <= spec.min : (value as number) < spec.min;
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        tooLow ||
        (spec.max !== undefined && value > spec.max)
      ) {
        const low = `${spec.exclusiveMin ? '>' : '>='} ${spec.min}`;
        const range = spec.max === undefined ? low : `${low} and <= ${spec.max}`;
        throw fieldError(path, `must be a finite number ${range}${got}`, source);
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw fieldError(path, `must be true or false${got}`, source);
      return;
    case 'string':
      if (typeof value !== 'string' || value.length === 0)
        throw fieldError(path, `must be a non-empty string${got}`, source);
      return;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw fieldError(path, `must be one of ${spec.values.join(', ')}${got}`, source);
      }
      return;
    case 'int-list':
      if (!Array.isArray(value) || value.length < (spec.minLength ?? 0)) {
        throw fieldError(
          path,
          `must be a list of integers >= ${spec.min} with at least ${spec.minLength ?? 0} entries${got}`,
          source,
        );
      }
      for (const [i, entry] of value.entries())
        checkField(`${path}[${i}]`, { type: 'int', min: spec.min }, entry, source);
      return;
    case 'string-list':
      if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string' || entry.length === 0))
        throw fieldError(path, `must be a list of non-empty strings${got}`, source);
      return;
    case 'record':
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw fieldError(path, `must be a mapping of names${got}`, source);
      for (const [key, entry] of Object.entries(value as Record<string, unknown>))
        checkField(`${path}.${key}`, spec.values, entry, source);
      return;
    case 'number-list':
      if (!Array.isArray(value) || value.length < spec.minLength)
        throw fieldError(
          path,
          `must be a list of numbers > ${spec.exclusiveMin} with at least ${spec.minLength} entries${got}`,
          source,
        );
      for (const [i, entry] of value.entries())
        checkField(
          `${path}[${i}]`,
          { type: 'number', min: spec.exclusiveMin, exclusiveMin: true },
          entry,
          source,
        );
      return;
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw fieldError(path, `must be an object${got}`, source);
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!(key in spec.fields)) {
          throw fieldError(
            `${path}.${key}`,
            `unknown field (known fields of ${path}: ${Object.keys(spec.fields).join(', ')})`,
            source,
          );
        }
      }
      for (const [key, fieldSpec] of Object.entries(spec.fields)) {
        const entry = record[key];
        if (entry === undefined) {
          if (fieldSpec.optional) continue;
          throw fieldError(`${path}.${key}`, 'is required', source);
        }
        checkField(`${path}.${key}`, fieldSpec, entry, source);
      }
      return;
    }
  }
}

/** Checks the relations between fields that the per-field schema cannot express. */
function checkRelations(config: TrainerConfig, source?: string): void {
  if (config.data.source !== 'synthetic' && config.data.path === undefined) {
    throw fieldError(
      'config.data.path',
      `is required when config.data.source is "${config.data.source}"`,
      source,
    );
  }
  const split = config.data.split;
  if (split && split.validFraction + split.testFraction >= 1) {
    throw fieldError(
      'config.data.split.testFraction',
      `validFraction + testFraction must be < 1, got ${split.validFraction + split.testFraction}`,
      source,
    );
  }
  const folderOnly = ['files', 'columns', 'delimiter', 'items', 'vectors', 'users'] as const;
  for (const key of folderOnly) {
    if (config.data[key] !== undefined && config.data.source !== 'folder') {
      throw fieldError(
        `config.data.${key}`,
        `applies to config.data.source "folder" only, got "${config.data.source}"`,
        source,
      );
    }
  }
  config.eval.cutoffs.forEach((cutoff, i) => {
    if (cutoff > config.eval.k)
      throw fieldError(
        `config.eval.cutoffs[${i}]`,
        `must be <= config.eval.k (${config.eval.k}), got ${cutoff}`,
        source,
      );
  });
  if (!config.model.useRawVectors && config.model.clusterBranching === undefined && !config.model.useTags) {
    throw fieldError(
      'config.model.useRawVectors',
      'false leaves the content tower without input: set config.model.clusterBranching or config.model.useTags',
      source,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep merge: `override` wins; arrays are replaced, not merged; `undefined` leaves the base value. */
function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (isRecord(base) && isRecord(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) out[key] = merge(base[key], value);
    return out;
  }
  return override;
}

/** Options of {@link resolveTrainerConfig}. */
export interface ResolveTrainerConfigOptions {
  /** Values from the config file (validated: unknown fields are errors). */
  file?: unknown;
  /** Name of the config file, quoted in error messages. */
  fileName?: string;
  /** Values from command-line flags; they override the file. */
  overrides?: PartialTrainerConfig | Record<string, unknown>;
}

/**
 * Merges defaults < file < flag overrides and validates the result. Every error is an
 * InvalidArgumentError whose argument is the field path, e.g. `config.train.batchSize: must be an integer >= 2, got 0`.
 */
export function resolveTrainerConfig(options: ResolveTrainerConfigOptions = {}): TrainerConfig {
  const { fileName } = options;
  if (options.file !== undefined && options.file !== null) {
    // Validate the file's own shape first so unknown fields are reported with the file name.
    if (!isRecord(options.file))
      throw fieldError(
        'config',
        'must be a mapping of sections (data, model, train, eval, baselines, output, backend)',
        fileName,
      );
    checkPartial('config', SCHEMA, options.file, fileName);
  }
  if (options.overrides !== undefined)
    checkPartial('config', SCHEMA, options.overrides as Record<string, unknown>, 'command-line flags');
  const merged = merge(merge(defaultTrainerConfig(), options.file ?? undefined), options.overrides);
  checkField('config', { type: 'object', fields: SCHEMA }, merged, fileName);
  const config = merged as TrainerConfig;
  checkRelations(config, fileName);
  return {
    ...config,
    eval: { ...config.eval, cutoffs: [...new Set(config.eval.cutoffs)].sort((a, b) => a - b) },
  };
}

/** Validates a partial object: known fields only, each present value valid. */
function checkPartial(
  path: string,
  fields: Record<string, FieldSpec>,
  value: Record<string, unknown>,
  source?: string,
): void {
  for (const [key, entry] of Object.entries(value)) {
    const spec = fields[key];
    const fieldPath = `${path}.${key}`;
    if (spec === undefined) {
      throw fieldError(
        fieldPath,
        `unknown field (known fields of ${path}: ${Object.keys(fields).join(', ')})`,
        source,
      );
    }
    if (entry === undefined) continue;
    if (spec.type === 'object') {
      if (!isRecord(entry)) throw fieldError(fieldPath, `must be an object, got ${describe(entry)}`, source);
      checkPartial(fieldPath, spec.fields, entry, source);
    } else {
      checkField(fieldPath, spec, entry, source);
    }
  }
}

/** Options of {@link readConfigFile}. */
export interface ReadConfigFileOptions {
  /** Path of a `.json`, `.yaml` or `.yml` file. */
  path: string;
}

/** Reads and parses a config file (JSON or YAML by extension; YAML parses JSON too). Does not validate. */
export async function readConfigFile(options: ReadConfigFileOptions): Promise<unknown> {
  const { path } = options;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError({
      argument: '--config',
      message: `cannot read config file ${path} (${(error as Error).message})`,
      cause: error,
    });
  }
  try {
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InvalidArgumentError({
      argument: '--config',
      message: `${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
      cause: error,
    });
  }
}

/** Options of {@link setConfigValue}. */
export interface SetConfigValueOptions {
  /** Object to write into (partial config). */
  target: Record<string, unknown>;
  /** Dotted path such as `train.batchSize` (a leading `config.` is allowed). */
  path: string;
  /** The value, already parsed. */
  value: unknown;
}

/** Writes `value` at a dotted path, creating sections on the way (used by `--set path=value`). */
export function setConfigValue(options: SetConfigValueOptions): void {
  const parts = options.path.replace(/^config\./, '').split('.');
  let node = options.target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isRecord(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = options.value;
}

/** Parses the value of `--set key=value` as a YAML scalar/flow value (numbers, booleans, [lists]). */
export function parseSetFlag(text: string): { path: string; value: unknown } {
  const at = text.indexOf('=');
  if (at <= 0)
    throw new InvalidArgumentError({
      argument: '--set',
      message: `expected path=value, got ${JSON.stringify(text)}`,
    });
  const raw = text.slice(at + 1);
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch {
    value = raw;
  }
  return { path: text.slice(0, at).trim(), value: value ?? raw };
}
