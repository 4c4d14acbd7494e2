// The training entry, `@mmrecall/towers/training`: optimizers and the train step. Kept out of the
// main entry so code that only embeds (serving) never loads them.
export {
  type ApplySparseGradientsOptions,
  type CreateSparseOptimizerOptions,
  createSparseOptimizer,
  type SparseOptimizer,
  type SparseOptimizerConfig,
  type SparseOptimizerKind,
  type SparseOptimizerState,
  type SparseUpdateSummary,
} from './sparse-optimizer';
export { type DenseOptimizer, type TrainStepOptions, trainStep } from './train-step';
