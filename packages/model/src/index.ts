export { type AddArtifactsIndexOptions, addArtifactsIndex } from './add-artifacts-index';
export {
  type ArtifactFileIntegrity,
  type ArtifactFileOptions,
  isPlainFileName,
  verifyArtifactFile,
} from './artifact-files';
export {
  ARTIFACTS_FORMAT,
  ARTIFACTS_VERSION,
  type ArtifactIdMaps,
  type ArtifactsIndexInfo,
  type ArtifactsIndexWriter,
  type ArtifactsManifest,
  type ArtifactsWriteStep,
  decodeWeights,
  encodeWeights,
  type ItemMeta,
  type ItemStatisticsMeta,
  type WriteArtifactsOptions,
  writeArtifacts,
} from './artifacts';
export { type ArtifactsSwapStep, cleanStaleArtifacts, resolveArtifactsDir } from './artifacts-folder';
export {
  type DefaultModelConfigOptions,
  defaultModelConfig,
  usesContentTower,
  usesIdTower,
  validateModelConfig,
} from './config';
export { type BuildContentNeighboursOptions, buildContentNeighbours } from './content-neighbours';
export {
  disposeViews,
  type EmbedItemsOptions,
  type EmbedUsersOptions,
  embedItems,
  embedUsers,
  type ItemViewTables,
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
export type {
  ContentInput,
  FusionInput,
  LossContext,
  ModelKindDefinition,
} from './kinds/kind-definition';
export { isModelKind, MODEL_KINDS, modelKindDefinition, modelKindLabel } from './kinds/registry';
export { type ComputeRecallLossOptions, computeRecallLoss } from './loss';
export {
  type EmbedNewItemsOptions,
  embedNewItems,
  type NewItemContent,
  type NewItemEmbeddings,
} from './new-items';
export { type LoadedArtifacts, type ReadArtifactsOptions, readArtifacts } from './read-artifacts';
export { type CreateRecallModelOptions, createRecallModel, POSTERIOR_FEATURES } from './recall-model';
export type {
  ComputeLossOptions,
  CsrRows,
  ForwardOptions,
  FuseItemViewsInput,
  ItemBatch,
  ItemViews,
  LossBatch,
  ModelKind,
  RecallLossOptions,
  RecallMode,
  RecallModel,
  RecallModelConfig,
  UserBatch,
} from './types';
