// The inference entry, `@mmrecall/model/inference`: read artifacts, embed users and new items. It
// never loads the sparse optimizers or the train step (`@mmrecall/towers/training`); see its test.
export {
  ARTIFACTS_FORMAT,
  ARTIFACTS_VERSION,
  type ArtifactIdMaps,
  type ArtifactsIndexInfo,
  type ArtifactsManifest,
  type ItemMeta,
  type ItemStatisticsMeta,
} from './artifacts';
export { resolveArtifactsDir } from './artifacts-folder';
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
  type UserFeatureStore,
} from './feature-store';
export { MODEL_KINDS, modelKindDefinition, modelKindLabel } from './kinds/registry';
export {
  type EmbedNewItemsOptions,
  embedNewItems,
  type NewItemContent,
  type NewItemEmbeddings,
} from './new-items';
export { type LoadedArtifacts, type ReadArtifactsOptions, readArtifacts } from './read-artifacts';
export type {
  CsrRows,
  ItemBatch,
  ModelKind,
  RecallMode,
  RecallModel,
  RecallModelConfig,
  UserBatch,
} from './types';
