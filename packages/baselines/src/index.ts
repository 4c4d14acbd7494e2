export { type FitBprMfOptions, fitBprMf } from './bpr-mf';
export { type EaseModel, type FitEaseOptions, fitEase } from './ease';
export { ItemCountLimitError } from './errors';
export {
  type CreateInteractionMatrixOptions,
  createInteractionMatrix,
  type InteractionMatrix,
  itemCounts,
  itemUsers,
  validateInteractionMatrix,
} from './interaction-matrix';
export { type FitItemKnnOptions, fitItemKnn, type ItemKnnModel } from './item-knn';
export { type FitLightGcnOptions, fitLightGcn } from './lightgcn';
export { type FitMostPopularOptions, fitMostPopular } from './most-popular';
export {
  type BaselineScorer,
  createFactorizedScorer,
  type FactorizedScorer,
  type ScoreUsersOptions,
} from './scorer';
export { type InvertSymmetricOptions, invertSymmetricPositiveDefinite } from './symmetric-inverse';
export type {
  BaselineEpoch,
  EpochScheduleOptions,
  IterativeBaselineResult,
} from './training-loop';
