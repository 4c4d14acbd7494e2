import type { Metric } from './kmeans';

/** Current version of the saved tree format. */
export const CLUSTER_TREE_FORMAT_VERSION = 1;

/** How centroids are written: base64 of little-endian float32 bytes (default) or plain number arrays. */
export type CentroidEncoding = 'base64-f32le' | 'array';

/** One node of a saved tree. */
export interface ClusterTreeNodeJson {
  /** 0-based id within its level; equals the node's position in `nodes[level]`. */
  id: number;
  /** Id of the parent node at the previous level; -1 at level 0 (the implicit root). */
  parent: number;
  /** `dim` numbers: base64 of float32 little-endian bytes, or a number array. */
  centroid: string | number[];
}

/** The JSON document of a cluster tree (see the README for the full description). */
export interface ClusterTreeJson {
  format: 'mmrecall-cluster-tree';
  version: typeof CLUSTER_TREE_FORMAT_VERSION;
  metric: Metric;
  dim: number;
  /** Number of levels below the root. */
  levels: number;
  /** Node count per level (global, not per parent). */
  nodesPerLevel: number[];
  centroidEncoding: CentroidEncoding;
  /** `nodes[level][id]`; children of one parent are contiguous and parents are non-decreasing. */
  nodes: ClusterTreeNodeJson[][];
}

/** One level of a tree in memory. */
export interface TreeLevelData {
  /** `count x dim` centroids. */
  centroids: Float32Array;
  /** Parent id at the previous level of each node (-1 at level 0). */
  parents: Int32Array;
}

/** Base64 of the little-endian float32 bytes of `values`. */
export function encodeFloat32(values: Float32Array): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i]!, i * 4);
  return bytes.toString('base64');
}

/** Inverse of {@link encodeFloat32}; returns undefined when the text is not valid base64 of `count` floats. */
export function decodeFloat32(text: string, count: number): Float32Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== count * 4) return undefined;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** Builds the JSON document of a tree. */
export function encodeClusterTree(options: {
  metric: Metric;
  dim: number;
  levels: readonly TreeLevelData[];
  encoding: CentroidEncoding;
}): ClusterTreeJson {
  const { metric, dim, levels, encoding } = options;
  return {
    format: 'mmrecall-cluster-tree',
    version: CLUSTER_TREE_FORMAT_VERSION,
    metric,
    dim,
    levels: levels.length,
    nodesPerLevel: levels.map((level) => level.parents.length),
    centroidEncoding: encoding,
    nodes: levels.map((level) =>
      Array.from(level.parents, (parent, id) => {
        const centroid = level.centroids.subarray(id * dim, (id + 1) * dim);
        return {
          id,
          parent,
          centroid: encoding === 'array' ? Array.from(centroid) : encodeFloat32(centroid),
        };
      }),
    ),
  };
}
