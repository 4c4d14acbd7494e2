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
  type EvaluateModelOptions,
  evaluateModel,
  type ModelEvaluation,
  type PopularityBucket,
} from './evaluate';
export {
  type ClusterExperimentResult,
  type ClusterExperimentRow,
  type RunClusterExperimentOptions,
  runClusterExperiment,
} from './experiment-clusters';
export { type BuildModelSetupOptions, buildModelSetup, type ModelSetup } from './model-setup';
export {
  type RunMetrics,
  type TrainAndSaveOptions,
  type TrainAndSaveResult,
  trainAndSave,
} from './run';
export {
  type EpochRecord,
  type RunTrainingOptions,
  runTraining,
  type TrainRunResult,
  validationLoss,
} from './train';
