export { type IndexState, IndexStateError } from './errors';
export {
  type CreateExactIndexOptions,
  createExactIndex,
  type LoadExactIndexOptions,
  loadExactIndex,
} from './exact-index';
export {
  type CreateHnswIndexOptions,
  createHnswIndex,
  type LoadHnswIndexOptions,
  loadHnswIndex,
} from './hnsw-index';
export { type TopKOptions, type TopKResult, topK } from './top-k';
export type {
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
