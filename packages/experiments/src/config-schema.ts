import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  checkFiniteNumber,
  checkInteger,
  checkOneOf,
  describeValue,
  InvalidArgumentError,
} from '@mmrecall/errors';
import { CANDIDATE_SETS } from '@mmrecall/metrics';
import { MODEL_KINDS } from '@mmrecall/model';
import { parse as parseYaml } from 'yaml';
import { defaultExperimentConfig, type ExperimentConfig } from './experiment-config';

/** Recursively optional version of T (arrays are replaced whole). */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** How one config field is checked (the schema of {@link resolveExperimentConfig}). */
export type ConfigFieldSpec =
  | { type: 'int'; min: number; max?: number; optional?: boolean }
  | { type: 'number'; min: number; max?: number; exclusiveMin?: boolean; optional?: boolean }
  | { type: 'boolean'; optional?: boolean }
  | { type: 'string'; optional?: boolean }
  | { type: 'enum'; values: readonly string[]; optional?: boolean }
  | { type: 'int-list'; min: number; optional?: boolean; minLength?: number }
  | { type: 'string-list'; optional?: boolean }
  | { type: 'record'; values: ConfigFieldSpec; optional?: boolean }
  | { type: 'number-list'; exclusiveMin: number; minLength: number; optional?: boolean }
  | { type: 'object'; fields: Record<string, ConfigFieldSpec>; optional?: boolean };

const optionalString = { type: 'string', optional: true } as const;
const optionalStrings = { type: 'string-list', optional: true } as const;

/** The fields of an {@link ExperimentConfig}, section by section. */
export const EXPERIMENT_CONFIG_SCHEMA: Readonly<Record<string, ConfigFieldSpec>> = {
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
      neighbourK: { type: 'int', min: 0, max: 1000 },
      neighbourWeight: { type: 'number', min: 0, exclusiveMin: true },
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
};

function fieldError(path: string, message: string, source?: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError({
    argument: path,
    message: source === undefined ? message : `${message} (in ${source})`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Runs a check of `@mmrecall/errors` on one field; its error gets the config file's name appended. */
function withSource(source: string | undefined, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (source === undefined || !InvalidArgumentError.isInstance(error)) throw error;
    throw fieldError(error.argument, error.message.slice(error.argument.length + 2), source, error);
  }
}

function checkField(path: string, spec: ConfigFieldSpec, value: unknown, source?: string): void {
  const got = `, got ${describeValue(value)}`;
  switch (spec.type) {
    case 'int': {
      const { min, max } = spec;
      withSource(source, () =>
        checkInteger({ argument: path, value, min, ...(max === undefined ? {} : { max }) }),
      );
      return;
    }
    case 'number': {
      const { min, max, exclusiveMin } = spec;
      withSource(source, () =>
        checkFiniteNumber({
          argument: path,
          value,
          min,
          ...(exclusiveMin ? { exclusiveMin } : {}),
          ...(max === undefined ? {} : { max }),
        }),
      );
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
      withSource(source, () => checkOneOf({ argument: path, value, allowed: spec.values }));
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
function checkRelations(config: ExperimentConfig, source?: string): void {
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

/** Options of {@link resolveExperimentConfig}. */
export interface ResolveExperimentConfigOptions<T extends ExperimentConfig = ExperimentConfig> {
  /** Values from the config file (validated: unknown fields are errors). */
  file?: unknown;
  /** Name of the config file, quoted in error messages. */
  fileName?: string;
  /** Values from command-line flags or code; they override the file. */
  overrides?: DeepPartial<T> | Record<string, unknown>;
  /** Top-level sections an application adds to the config (e.g. the trainer's `backend`). */
  extraFields?: Readonly<Record<string, ConfigFieldSpec>>;
  /** The defaults the file and overrides apply to. Default {@link defaultExperimentConfig}. */
  defaults?: () => T;
}

/**
 * Merges defaults < file < overrides and validates the result. Every error is an
 * InvalidArgumentError whose argument is the field path, e.g. `config.train.batchSize: must be an integer >= 2, got 0`.
 */
export function resolveExperimentConfig<T extends ExperimentConfig = ExperimentConfig>(
  options: ResolveExperimentConfigOptions<T> = {},
): T {
  const { fileName } = options;
  const schema = { ...EXPERIMENT_CONFIG_SCHEMA, ...options.extraFields };
  const defaults = options.defaults ?? (defaultExperimentConfig as unknown as () => T);
  if (options.file !== undefined && options.file !== null) {
    // Validate the file's own shape first so unknown fields are reported with the file name.
    if (!isRecord(options.file))
      throw fieldError(
        'config',
        `must be a mapping of sections (${Object.keys(schema).join(', ')})`,
        fileName,
      );
    checkPartial('config', schema, options.file, fileName);
  }
  if (options.overrides !== undefined)
    checkPartial('config', schema, options.overrides as Record<string, unknown>, 'command-line flags');
  const merged = merge(merge(defaults(), options.file ?? undefined), options.overrides);
  checkField('config', { type: 'object', fields: schema }, merged, fileName);
  const config = merged as T;
  checkRelations(config, fileName);
  return {
    ...config,
    eval: { ...config.eval, cutoffs: [...new Set(config.eval.cutoffs)].sort((a, b) => a - b) },
  };
}

/** Validates a partial object: known fields only, each present value valid. */
function checkPartial(
  path: string,
  fields: Record<string, ConfigFieldSpec>,
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
      if (!isRecord(entry))
        throw fieldError(fieldPath, `must be an object, got ${describeValue(entry)}`, source);
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
