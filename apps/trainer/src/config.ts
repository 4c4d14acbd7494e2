import {
  type DeepPartial,
  defaultExperimentConfig,
  type ExperimentConfig,
  resolveExperimentConfig,
} from '@mmrecall/experiments';
import type { ModelKind } from '@mmrecall/model';

export {
  type DeepPartial,
  parseSetFlag,
  type ReadConfigFileOptions,
  readConfigFile,
  type SetConfigValueOptions,
  setConfigValue,
} from '@mmrecall/experiments';

/** The model kinds of MODEL.md (the registry of `@mmrecall/model`). */
export type TrainerModelKind = ModelKind;
/** tfjs backend choice (see @mmrecall/runtime selectBackend). */
export type TrainerBackend = 'auto' | 'node' | 'wasm' | 'cpu';

/** The fully resolved training configuration: a run's config (`@mmrecall/experiments`) and the backend. */
export interface TrainerConfig extends ExperimentConfig {
  /** tfjs backend. */
  backend: TrainerBackend;
}

/** A trainer config with every field optional (config files, flags). */
export type PartialTrainerConfig = DeepPartial<TrainerConfig>;

/** The default configuration: synthetic `default` preset, gated-additive, sized to finish in under 2 minutes on wasm. */
export function defaultTrainerConfig(): TrainerConfig {
  return { ...defaultExperimentConfig(), backend: 'auto' };
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
 * Merges defaults < file < flag overrides and validates the result: the config of
 * `@mmrecall/experiments` (`resolveExperimentConfig`) plus the trainer's `backend`. Every error is an
 * InvalidArgumentError whose argument is the field path, e.g. `config.train.batchSize: must be an integer >= 2, got 0`.
 */
export function resolveTrainerConfig(options: ResolveTrainerConfigOptions = {}): TrainerConfig {
  return resolveExperimentConfig<TrainerConfig>({
    ...options,
    extraFields: { backend: { type: 'enum', values: ['auto', 'node', 'wasm', 'cpu'] } },
    defaults: defaultTrainerConfig,
  });
}
