import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@mmrecall/atomic-write';
import { InvalidDatasetError, MissingArtifactError } from '@mmrecall/errors';
import {
  type CentroidEncoding,
  CLUSTER_TREE_FORMAT_VERSION,
  type ClusterTreeJson,
  decodeFloat32,
  type TreeLevelData,
} from './cluster-tree-json';
import { type ClusterTree, createClusterTree } from './cluster-tree-model';

/** Options of {@link serializeClusterTree}. */
export interface SerializeClusterTreeOptions {
  /** The tree to write. */
  tree: ClusterTree;
  /** Centroid encoding, `base64-f32le` (default) or `array`. */
  encoding?: CentroidEncoding;
}

/** Options of {@link parseClusterTree}. */
export interface ParseClusterTreeOptions {
  /** JSON text, or the already parsed document. */
  json: string | unknown;
  /** Name used in error messages (InvalidDatasetError.file). Default `cluster-tree.json`. */
  source?: string;
}

/** Options of {@link saveClusterTree}. */
export interface SaveClusterTreeOptions {
  /** The tree to write. */
  tree: ClusterTree;
  /** Destination file; written atomically (temporary file in the same folder, then rename). */
  path: string;
  /** Centroid encoding, `base64-f32le` (default) or `array`. */
  encoding?: CentroidEncoding;
}

/** Options of {@link loadClusterTree}. */
export interface LoadClusterTreeOptions {
  /** File written by {@link saveClusterTree}. */
  path: string;
}

/** The tree as JSON text (format in the README). */
export function serializeClusterTree(options: SerializeClusterTreeOptions): string {
  return JSON.stringify(options.tree.toJSON({ encoding: options.encoding ?? 'base64-f32le' }));
}

/** Validates a saved tree and rebuilds it. Throws InvalidDatasetError naming the offending field. */
export function parseClusterTree(options: ParseClusterTreeOptions): ClusterTree {
  const file = options.source ?? 'cluster-tree.json';
  const fail = (field: string, kind: string, message: string, cause?: unknown): never => {
    throw new InvalidDatasetError({ file, field, kind, message, cause });
  };
  let doc: unknown = options.json;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch (error) {
      fail('(document)', 'json', 'is not valid JSON', error);
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    fail('(document)', 'format', 'must be an object');
  const json = doc as Partial<ClusterTreeJson>;
  if (json.format !== 'mmrecall-cluster-tree') {
    fail('format', 'format', `expected "mmrecall-cluster-tree", got ${JSON.stringify(json.format)}`);
  }
  if (json.version !== CLUSTER_TREE_FORMAT_VERSION) {
    fail(
      'version',
      'version',
      `unsupported version ${JSON.stringify(json.version)} (this reader knows ${CLUSTER_TREE_FORMAT_VERSION})`,
    );
  }
  if (json.metric !== 'l2' && json.metric !== 'cosine') {
    fail('metric', 'value', `expected "l2" or "cosine", got ${JSON.stringify(json.metric)}`);
  }
  const dim = json.dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1)
    fail('dim', 'value', 'must be a positive integer');
  if (json.centroidEncoding !== 'base64-f32le' && json.centroidEncoding !== 'array') {
    fail('centroidEncoding', 'value', 'must be "base64-f32le" or "array"');
  }
  const nodes = json.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0)
    fail('nodes', 'shape', 'must be a non-empty array of levels');
  if (json.levels !== nodes!.length)
    fail('levels', 'shape', `is ${json.levels} but nodes has ${nodes!.length} levels`);
  if (!Array.isArray(json.nodesPerLevel) || json.nodesPerLevel.length !== nodes!.length) {
    fail('nodesPerLevel', 'shape', 'must list one count per level');
  }
  const levels: TreeLevelData[] = [];
  let parentCount = 1;
  nodes!.forEach((levelNodes, l) => {
    if (!Array.isArray(levelNodes) || levelNodes.length === 0)
      fail(`nodes[${l}]`, 'shape', 'must be a non-empty array');
    if (json.nodesPerLevel![l] !== levelNodes.length) {
      fail(
        `nodesPerLevel[${l}]`,
        'shape',
        `is ${json.nodesPerLevel![l]} but the level has ${levelNodes.length} nodes`,
      );
    }
    const centroids = new Float32Array(levelNodes.length * dim!);
    const parents = new Int32Array(levelNodes.length);
    const hasChild = new Uint8Array(parentCount);
    let previousParent = l === 0 ? -1 : 0;
    levelNodes.forEach((nodeJson: unknown, id: number) => {
      const at = `nodes[${l}][${id}]`;
      if (typeof nodeJson !== 'object' || nodeJson === null) fail(at, 'format', 'must be an object');
      const { id: nodeId, parent, centroid } = nodeJson as Partial<ClusterTreeJson['nodes'][number][number]>;
      if (nodeId !== id)
        fail(`${at}.id`, 'value', `must equal its position ${id}, got ${JSON.stringify(nodeId)}`);
      if (l === 0) {
        if (parent !== -1)
          fail(`${at}.parent`, 'value', `must be -1 at level 0, got ${JSON.stringify(parent)}`);
      } else if (
        typeof parent !== 'number' ||
        !Number.isInteger(parent) ||
        parent < 0 ||
        parent >= parentCount
      ) {
        fail(
          `${at}.parent`,
          'value',
          `must be a node id of level ${l - 1} (0..${parentCount - 1}), got ${JSON.stringify(parent)}`,
        );
      } else if (parent < previousParent) {
        fail(`${at}.parent`, 'order', 'children of one parent must be contiguous, parents non-decreasing');
      }
      if (l > 0) {
        previousParent = parent!;
        hasChild[parent!] = 1;
      }
      parents[id] = parent!;
      let values: Float32Array | undefined;
      if (typeof centroid === 'string') values = decodeFloat32(centroid, dim!);
      else if (
        Array.isArray(centroid) &&
        centroid.length === dim &&
        centroid.every((v) => typeof v === 'number')
      ) {
        values = Float32Array.from(centroid);
      }
      if (values === undefined) {
        fail(
          `${at}.centroid`,
          'shape',
          `must hold ${dim} float32 values (base64 of ${dim! * 4} bytes or a number array)`,
        );
      }
      const bad = values!.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`${at}.centroid`, 'nan', `value ${bad} is ${values![bad]}`);
      centroids.set(values!, id * dim!);
    });
    if (l > 0) {
      const orphan = hasChild.indexOf(0);
      if (orphan >= 0) fail(`nodes[${l}]`, 'shape', `node ${orphan} of level ${l - 1} has no children`);
    }
    levels.push({ centroids, parents });
    parentCount = levelNodes.length;
  });
  return createClusterTree({ metric: json.metric!, dim: dim!, levels, paths: new Int32Array(0) });
}

/** Writes the tree as JSON, atomically (temporary file, then rename). */
export async function saveClusterTree(options: SaveClusterTreeOptions): Promise<void> {
  const text = serializeClusterTree({ tree: options.tree, encoding: options.encoding });
  await writeFileAtomic({ path: options.path, data: text });
}

/** Reads and validates a tree written by {@link saveClusterTree}. */
export async function loadClusterTree(options: LoadClusterTreeOptions): Promise<ClusterTree> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    throw new MissingArtifactError({
      path: options.path,
      message: 'cannot read the cluster tree',
      cause: error,
    });
  }
  return parseClusterTree({ json: text, source: options.path });
}
