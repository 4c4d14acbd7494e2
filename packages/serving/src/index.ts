export { toAsyncRecallIndex } from './async-recall-index';
export {
  type CallOverrun,
  type CallWatchdog,
  type CreateCallWatchdogOptions,
  createCallWatchdog,
} from './call-watchdog';
export { type IndexState, IndexStateError } from './errors';
export {
  type CreateExactIndexOptions,
  createExactIndex,
  type LoadExactIndexOptions,
  loadExactIndex,
} from './exact-index';
export {
  type GuardAsyncRecallIndexOptions,
  type GuardRecallIndexOptions,
  guardAsyncRecallIndex,
  guardRecallIndex,
} from './guarded-index';
export {
  type CreateHnswIndexOptions,
  createHnswIndex,
  type LoadHnswIndexOptions,
  loadHnswIndex,
} from './hnsw-index';
export {
  type IndexSnapshot,
  type ReadIndexSnapshotOptions,
  readIndexSnapshot,
  type WriteIndexSnapshotOptions,
  writeIndexSnapshot,
} from './index-snapshot';
export { type CreateOverlayIndexOptions, createOverlayIndex } from './overlay-index';
export {
  type BuildPrebuiltHnswIndexOptions,
  buildPrebuiltHnswIndex,
  type OpenPrebuiltHnswIndexOptions,
  openPrebuiltHnswIndex,
  PREBUILT_EXPANSION_SEARCH,
  type PrebuiltHnswIndex,
  type PrebuiltIndexEntry,
  type PrebuiltIndexInfo,
} from './prebuilt-index';
export { type TopKOptions, type TopKResult, topK } from './top-k';
export type {
  AsyncRecallIndex,
  RecallIndex,
  RecallKeys,
  RecallMetric,
  RecallSearchResult,
  RemoveOptions,
  SaveOptions,
  SearchBatchOptions,
  SearchOptions,
  UpsertOptions,
} from './types';
export {
  checkBatchExclude,
  checkKey,
  checkKeys,
  checkMatrix,
  checkMetric,
  checkNonNegativeInteger,
  checkPositiveInteger,
  disposedError,
  MAX_KEY,
  toExcludeSet,
} from './validate';
