export { type RunCliOptions, runCli } from './cli-app';
export {
  type DeepPartial,
  defaultTrainerConfig,
  type PartialTrainerConfig,
  type ReadConfigFileOptions,
  type ResolveTrainerConfigOptions,
  readConfigFile,
  resolveTrainerConfig,
  type TrainerBackend,
  type TrainerConfig,
  type TrainerModelKind,
} from './config';
export { UsageError } from './errors';
export {
  type RunComparisonOptions,
  runClusterExperiment,
  runComparison,
  type TrainFromConfigOptions,
  type TrainFromConfigResult,
  trainFromConfig,
} from './run';
export { createFitProgress } from './train-options';
export { commandTune, configWithSettings, winnerConfigYaml } from './tune';
