export {
  type BalancedOptions,
  type BuildClusterTreeOptions,
  buildClusterTree,
  type ClusterTreeProgress,
} from './build-cluster-tree';
export {
  type LoadClusterTreeOptions,
  loadClusterTree,
  type ParseClusterTreeOptions,
  parseClusterTree,
  type SaveClusterTreeOptions,
  type SerializeClusterTreeOptions,
  saveClusterTree,
  serializeClusterTree,
} from './cluster-tree-io';
export {
  type CentroidEncoding,
  CLUSTER_TREE_FORMAT_VERSION,
  type ClusterTreeJson,
  type ClusterTreeNodeJson,
} from './cluster-tree-json';
export type { AssignManyOptions, ClusterTree, ClusterTreeToJsonOptions } from './cluster-tree-model';
export {
  type CombinedVectors,
  type CombineVectorsOptions,
  combineVectors,
  type VectorTable,
} from './combine-vectors';
export {
  type KmeansOptions,
  type KmeansProgress,
  type KmeansResult,
  type KmeansVariant,
  kmeans,
  type Metric,
} from './kmeans';
