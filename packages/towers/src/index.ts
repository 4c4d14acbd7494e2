export {
  type ContentTower,
  type ContentTowerInput,
  type ContentTowerOptions,
  createContentTower,
  type VectorFeature,
} from './content-tower';
export {
  type AggregatedGradient,
  createEmbeddingTable,
  type EmbeddingTable,
  type EmbeddingTableOptions,
  type LookupBagOptions,
  type SetRowsOptions,
} from './embedding-table';
export { type FusedActivation, type FusedDenseOptions, fusedDense } from './fused-dense';
export {
  createIdTower,
  type ExtraIdFeature,
  type IdTower,
  type IdTowerInput,
  type IdTowerOptions,
} from './id-tower';
export { type Activation, createMlp, type Mlp, type MlpOptions } from './mlp';
export type { NamedWeight, NamedWeights } from './named-weights';
export {
  type Bags,
  fusedL2Normalize,
  l2Normalize,
  type Tower,
  type TowerApplyOptions,
  type TowerCommonOptions,
} from './tower-parts';
export { createUserTower, type UserTower, type UserTowerInput, type UserTowerOptions } from './user-tower';
