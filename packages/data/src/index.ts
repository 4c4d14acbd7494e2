export {
  type CsrRows,
  type GroupByUserOptions,
  groupByUser,
  type ItemPopularityOptions,
  itemPopularity,
} from './grouping';
export {
  type CreateIdMapBuilderOptions,
  type CreateIdMapOptions,
  createIdMap,
  createIdMapBuilder,
  type IdMapBuilder,
  idMapFromJSON,
  type SerializableIdMap,
} from './id-map';
export { concatInteractions, repeatByWeight } from './interactions';
export {
  type ComputeItemStatisticsOptions,
  type CountItemInteractionsOptions,
  type CtrPrior,
  computeItemStatistics,
  countItemInteractions,
  type ItemCounts,
  type ItemStatisticsFromCountsOptions,
  itemStatisticsFromCounts,
} from './item-statistics';
export type { ReadProgress, TextEncoding } from './line-blocks';
export {
  type DataFolderColumns,
  type DataFolderFileReport,
  type DataFolderFiles,
  type DataFolderItems,
  type DataFolderNpyVectors,
  type DataFolderUsers,
  type LoadDataFolderOptions,
  type LoadDataFolderResult,
  loadDataFolder,
  type ParquetReaders,
} from './load-data-folder';
export {
  type LoadMovieLens100kOptions,
  type LoadMovieLens100kResult,
  loadMovieLens100k,
} from './load-movielens';
export { type LoadTiktokOptions, type LoadTiktokResult, loadTiktok } from './load-tiktok';
export {
  encodeNpy,
  type NpyArray,
  type ParseNpyOptions,
  parseNpy,
  type ReadNpyOptions,
  readNpy,
  type WriteNpyOptions,
  writeNpy,
} from './npy';
export {
  type ColumnRef,
  type Delimiter,
  type InteractionColumns,
  type ReadInteractionsCsvOptions,
  type ReadInteractionsCsvResult,
  readInteractionsCsv,
  type TimestampUnit,
} from './read-interactions-csv';
export { type ReadItemsCsvOptions, readItemsCsv } from './read-items-csv';
export {
  createItemRecordSink,
  type ItemRecordSink,
  type ItemRecordSinkOptions,
  type MissingVectorPolicy,
  type ParsedItemRecord,
  type ReadItemsJsonlOptions,
  type ReadItemsJsonlResult,
  readItemsJsonl,
} from './read-items-jsonl';
export type { ReadIssue, ReadReport } from './read-report';
export {
  type ReadUserFeaturesCsvOptions,
  type ReadUserFeaturesCsvResult,
  readUserFeaturesCsv,
} from './read-user-features-csv';
export { type ReadUserFeaturesJsonlOptions, readUserFeaturesJsonl } from './read-user-features-jsonl';
export {
  coldItemsOf,
  type SplitByTimeOptions,
  type SplitColdItemsOptions,
  type SplitInteractionsOptions,
  type SplitMethod,
  type SplitRandomHoldoutOptions,
  splitByTime,
  splitColdItems,
  splitInteractions,
  splitRandomHoldout,
} from './splits';
export type {
  Dataset,
  DatasetSplit,
  IdMap,
  Interactions,
  ItemContent,
  ItemStatistics,
  MultiHot,
  VectorTable,
} from './types';
export {
  createUserRecordSink,
  type ReadUserFeaturesResult,
  type UserRecordOptions,
  type UserRecordSink,
} from './user-record-sink';
