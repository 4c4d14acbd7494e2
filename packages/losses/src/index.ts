export {
  type CombinedLoss,
  type CombineLossesOptions,
  combineLosses,
  type LossTerm,
  type ReadLossPartsOptions,
  readLossParts,
} from './combine-losses';
export { type InBatchSoftmaxLossOptions, inBatchSoftmaxLoss } from './in-batch-softmax-loss';
export { type LogQFromCountsOptions, logQFromCounts } from './log-q';
export {
  type TripletDistance,
  type TripletLossOptions,
  type TripletMining,
  tripletLoss,
} from './triplet-loss';
export type { LossReduction } from './validate';
