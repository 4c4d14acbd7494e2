export {
  ArtifactsRejectedError,
  InvalidItemError,
  ItemJournalError,
  SearchCancelledError,
  ServiceUnavailableError,
} from './errors';
export {
  ANONYMOUS_USER,
  EVENTS_CSV_HEADER,
  eventsCsvChunks,
  exportEventsCsv,
  type ItemEvent,
  readEventJournal,
} from './event-journal';
export { type CheckItemContentOptions, checkItemContent, type ItemContentProblem } from './item-content';
export {
  type CreateLiveStatisticsOptions,
  createLiveStatistics,
  type LiveEvent,
  type LiveStatistics,
  type LiveUpdate,
} from './live-statistics';
export { loadServingModel } from './load-serving-model';
export type { I2iOptions, RecalledItem, RecallResult, U2iOptions, UserFeatures } from './recall-queries';
export {
  type CreateRecallServiceOptions,
  createRecallService,
  type EventInput,
  type EventOptions,
  type PutItemOptions,
  type PutItemOutcome,
  type RecallService,
  type RecallServiceLog,
  type RecallServiceStatus,
  type RecordEventsOutcome,
  type ReloadOptions,
  type ReloadResult,
} from './recall-service';
export type {
  EmbeddedNewItems,
  EmbedUserFeaturesOptions,
  LiveItemModel,
  LoadServingModel,
  NewItemContent,
  ServingModel,
  VectorSpec,
} from './serving-model';
export type { ExternalIndex, HnswSettings, IndexKind } from './serving-state';
