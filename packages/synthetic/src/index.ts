export {
  type EmbeddingMatrixLabelOptions,
  type EmbeddingMatrixOptions,
  generateEmbeddingMatrix,
  generateEmbeddingMatrixLabels,
} from './embedding-matrix';
export { generateSyntheticDataset, type SyntheticDataset } from './generate-synthetic-dataset';
export {
  getPresetSizes,
  type ResolvedSyntheticOptions,
  resolveSyntheticOptions,
  type SyntheticDatasetOptions,
  type SyntheticPreset,
  type ValidTestSplit,
  type VectorSpec,
} from './options';
export {
  computeClickProbability,
  computeTruthAffinity,
  type SyntheticTruth,
  type TruthPairOptions,
} from './truth';
