export {
  type ApplyCandidateProtocolOptions,
  applyCandidateProtocol,
  CANDIDATE_SETS,
  type CandidateProtocol,
  type CandidateSet,
} from './candidates';
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
export {
  type CsrLists,
  type TopKInnerProductOptions,
  type TopKResult,
  type TopKScoresOptions,
  topKInnerProduct,
  topKScores,
} from './top-k';
