export type { TrialSettings } from '@mmrecall/tuning';
export {
  BASELINE_KINDS,
  type BaselineKind,
  type BaselineRun,
  type BaselineTrial,
  isBaselineKind,
  type RunBaselineOptions,
  runBaseline,
} from './baseline-run';
export {
  type ClusterExperimentReport,
  type ClusterExperimentResult,
  type ClusterExperimentRow,
  type RunClusterExperimentOptions,
  runClusterExperiment,
} from './cluster-experiment';
export {
  type ComparisonReport,
  type ComparisonResult,
  type GatePlot,
  PUBLISHED_TIKTOK,
  type RunComparisonOptions,
  runComparison,
} from './comparison';
export { comparisonSeeds, type SeedSummary, seedConfig, summarizeSeeds } from './comparison-seeds';
export { asConfigError, createModelFromConfig, fitOptionsOf } from './config-options';
export {
  type ConfigFieldSpec,
  type DeepPartial,
  EXPERIMENT_CONFIG_SCHEMA,
  parseSetFlag,
  type ReadConfigFileOptions,
  type ResolveExperimentConfigOptions,
  readConfigFile,
  resolveExperimentConfig,
  type SetConfigValueOptions,
  setConfigValue,
} from './config-schema';
export {
  describeFolderFiles,
  type LoadedTrainingData,
  type LoadTrainingDataOptions,
  lazyParquet,
  loadTrainingData,
} from './data-source';
export {
  type DataSource,
  defaultExperimentConfig,
  type ExperimentConfig,
  type FolderDataConfig,
  type SplitMethodName,
  type SyntheticPresetName,
} from './experiment-config';
export { type ComparisonRow, comparisonMarkdown, type RunMetrics, toJson } from './run-metrics';
export { formatDuration, type TimedStepOptions, timedStep } from './timed-step';
export {
  type FinishedRun,
  type TrainFromConfigOptions,
  type TrainFromConfigResult,
  trainFromConfig,
} from './train-from-config';
export {
  type RunTuneOptions,
  runTune,
  TUNE_METRICS,
  type TuneMetric,
  type TuneResult,
  tuneMetricLabel,
} from './tune-run';
export { type LoadUpdateFoldersOptions, loadUpdateFolders, type UpdateFolder } from './update-folders';
