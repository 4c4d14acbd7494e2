export { type RunCliOptions, runCli } from './cli-app';
export { type ComparisonResult, PUBLISHED_TIKTOK, type RunComparisonOptions, runComparison } from './compare';
export {
  type DataSource,
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
export { type LoadTrainingDataOptions, loadTrainingData, type TrainingData } from './data';
export { UsageError } from './errors';
export {
  type ClusterExperimentResult,
  type ClusterExperimentRow,
  type RunClusterExperimentOptions,
  runClusterExperiment,
} from './experiment-clusters';
export {
  type RunMetrics,
  type TrainFromConfigOptions,
  type TrainFromConfigResult,
  trainFromConfig,
} from './run';
export { asCliError, createFitProgress, createModelFromConfig, fitOptionsOf } from './train-options';
