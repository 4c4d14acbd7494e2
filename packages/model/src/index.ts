export {
  ARTIFACTS_FORMAT,
  ARTIFACTS_VERSION,
  type ArtifactIdMaps,
  type ArtifactsManifest,
  decodeWeights,
  encodeWeights,
  type ItemMeta,
  type LoadedArtifacts,
  type ReadArtifactsOptions,
  readArtifacts,
  type WriteArtifactsOptions,
  writeArtifacts,
} from './artifacts';
export {
  type DefaultModelConfigOptions,
  defaultModelConfig,
  MODEL_KINDS,
  usesContentTower,
  usesIdTower,
  validateModelConfig,
} from './config';
export {
  disposeViews,
  type EmbedItemsOptions,
  type EmbedUsersOptions,
  embedItems,
  embedUsers,
} from './embed';
export {
  type CreateItemFeatureStoreOptions,
  type CreateUserFeatureStoreOptions,
  createItemFeatureStore,
  createUserFeatureStore,
  type ItemFeatureStore,
  sliceRows,
  type UserFeatureStore,
} from './feature-store';
export {
  type EmbedNewItemsOptions,
  embedNewItems,
  type NewItemContent,
  type NewItemEmbeddings,
} from './new-items';
export { type CreateRecallModelOptions, createRecallModel, POSTERIOR_FEATURES } from './recall-model';
export type {
  CsrRows,
  ForwardOptions,
  ItemBatch,
  ItemViews,
  ModelKind,
  RecallMode,
  RecallModel,
  RecallModelConfig,
  UserBatch,
} from './types';
