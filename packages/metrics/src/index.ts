export {
  type AccuracyMetrics,
  type CutoffMetrics,
  type EcologyMetrics,
  type EvaluateRetrievalOptions,
  evaluateRetrieval,
  type RetrievalEvaluation,
} from './evaluate';
export { type FormatMetricsTableOptions, formatMetricsTable, type MetricsTableRow } from './format-table';
export { type LongTailMaskOptions, longTailMask } from './long-tail';
export { averageRanks, type GiniOptions, gini, type SpearmanOptions, spearman } from './statistics';
export { type CsrLists, type TopKInnerProductOptions, type TopKResult, topKInnerProduct } from './top-k';
