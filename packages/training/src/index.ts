export {
  type BatchRows,
  type CreateBatchAssemblerOptions,
  createBatchAssembler,
} from './batches';
export {
  type CheckpointArray,
  type CheckpointContents,
  type ReadCheckpointOptions,
  readCheckpoint,
  type WriteCheckpointOptions,
  writeCheckpoint,
} from './checkpoint-file';
export {
  type AdamSlot,
  type CreateDenseAdamOptions,
  createDenseAdam,
  type DenseAdam,
  type DenseAdamState,
} from './dense-adam';
export {
  type EmbedQueriesOptions,
  type EvaluateEmbeddingsOptions,
  type EvaluateOptions,
  embedQueries,
  evaluate,
  evaluateEmbeddings,
  gateSpearman,
  gatherRows,
  type ModelEvaluation,
  type PopularityBucket,
  type PopularityBucketsOptions,
  popularityBuckets,
  type SelectedQueries,
  type SelectQueriesOptions,
  selectionCap,
  selectQueries,
} from './evaluate';
export { type EvaluateArtifactsOptions, evaluateArtifacts } from './evaluate-artifacts';
export { type FitArguments, type FitResult, fit, type StepTiming } from './fit';
export {
  type EpochRecord,
  type EvaluateStage,
  type FitEvent,
  type FitOptions,
  type ResolvedFitOptions,
  resolveFitOptions,
} from './fit-options';
export {
  type GrowthByTable,
  growNamedWeights,
  growRows,
  type TableGrowth,
} from './grow-tables';
export { type LiveLoopArtifactsOptions, liveLoopArtifacts } from './live-loop-artifacts';
export { type BuildTrainingPairsOptions, buildTrainingPairs, type TrainingPairs } from './pairs';
export { type PositivesByUserOptions, positivesByUser } from './positives';
export {
  type TrainAndSaveOptions,
  type TrainAndSaveResult,
  type TrainedRun,
  trainAndSave,
  type WriteTrainedArtifactsOptions,
  writeTrainedArtifacts,
} from './train-and-save';
export {
  type CreateTrainableModelOptions,
  createTrainableModel,
  DEFAULT_LEARNING_RATE,
  DEFAULT_SEED,
  type ModelOptions,
  resolveModelOptions,
  type TrainableModel,
} from './trainable-model';
export { type PrepareTrainingDataOptions, prepareTrainingData, type TrainingData } from './training-data';
export { alignDatasetToModel, checkUpdateData, type UpdateData, type UpdateDataCheck } from './update-data';
export {
  resolveUpdateSource,
  type UpdateEvent,
  type UpdateModelArguments,
  type UpdateOptions,
  type UpdateResult,
  updateModel,
} from './update-model';
export { type ValidationLossOptions, validationLoss } from './validation-loss';
