export {
  type AdminAuth,
  type AdminAuthResult,
  type CreateAdminAuthOptions,
  createAdminAuth,
} from './admin-auth';
export { type CheckItemContentOptions, checkItemContent, type ItemContentProblem } from './item-content';
export { loadServingModel } from './model-adapter';
export {
  createRecallServer,
  type RecallServer,
  type RecallServerOptions,
  type ReloadResult,
} from './recall-server';
export type {
  EmbeddedNewItems,
  EmbedUserFeaturesOptions,
  LoadServingModel,
  NewItemContent,
  ServingModel,
  VectorSpec,
} from './serving-model';
export type { HnswSettings, IndexKind } from './serving-state';
