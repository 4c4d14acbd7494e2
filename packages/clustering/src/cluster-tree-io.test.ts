import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidDatasetError, MissingArtifactError } from '@mmrecall/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { buildClusterTree } from './build-cluster-tree';
import { loadClusterTree, parseClusterTree, saveClusterTree, serializeClusterTree } from './cluster-tree-io';
import type { ClusterTreeJson } from './cluster-tree-json';
import { plantedClusters } from './test-fixtures';

const planted = plantedClusters({ sizes: new Array(12).fill(40), dim: 10, spread: 1, seed: 4 });
const tree = buildClusterTree({ data: planted.data, dim: 10, branching: [3, 4], metric: 'cosine', seed: 1 });
const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('cluster tree JSON', () => {
  it('round-trips bit-exactly with base64 and array centroids', () => {
    for (const encoding of ['base64-f32le', 'array'] as const) {
      const text = serializeClusterTree({ tree, encoding });
      const json = JSON.parse(text) as ClusterTreeJson;
      expect(json).toMatchObject({
        format: 'mmrecall-cluster-tree',
        version: 1,
        metric: 'cosine',
        dim: 10,
        levels: 2,
      });
      expect(json.nodesPerLevel).toEqual([3, 12]);
      expect(json.nodes[1]![5]).toMatchObject({ id: 5, parent: 1 });
      const loaded = parseClusterTree({ json: text });
      expect(loaded.metric).toBe('cosine');
      expect(loaded.centroidsAt(0)).toEqual(tree.centroidsAt(0));
      expect(loaded.centroidsAt(1)).toEqual(tree.centroidsAt(1));
      expect(loaded.assignMany({ data: planted.data })).toEqual(tree.paths);
      expect(loaded.paths.length).toBe(0);
    }
    expect(
      typeof (JSON.parse(serializeClusterTree({ tree })) as ClusterTreeJson).nodes[0]![0]!.centroid,
    ).toBe('string');
    expect(JSON.stringify(tree)).toBe(serializeClusterTree({ tree })); // toJSON is used by JSON.stringify
  });

  it('saves atomically and loads the same assignments', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmrecall-clustering-'));
    folders.push(folder);
    const path = join(folder, 'cluster-tree.json');
    await saveClusterTree({ tree, path });
    expect(await readdir(folder)).toEqual(['cluster-tree.json']); // no temporary file left behind
    const loaded = await loadClusterTree({ path });
    expect(loaded.assignMany({ data: planted.data })).toEqual(tree.paths);
    expect(loaded.assign(planted.data.subarray(0, 10))).toEqual(tree.paths.subarray(0, 2));
    expect(await readFile(path, 'utf8')).toBe(serializeClusterTree({ tree }));
    await expect(loadClusterTree({ path: join(folder, 'absent.json') })).rejects.toThrow(
      MissingArtifactError,
    );
  });

  it('names the field of an invalid document', () => {
    const good = () => JSON.parse(serializeClusterTree({ tree, encoding: 'array' })) as ClusterTreeJson;
    const fieldOf = (json: unknown): string | undefined => {
      try {
        parseClusterTree({ json, source: 'tree.json' });
      } catch (error) {
        expect(InvalidDatasetError.isInstance(error)).toBe(true);
        expect((error as InvalidDatasetError).file).toBe('tree.json');
        return (error as InvalidDatasetError).field;
      }
      return undefined;
    };
    expect(fieldOf('{not json')).toBe('(document)');
    expect(fieldOf({ ...good(), format: 'other' })).toBe('format');
    expect(fieldOf({ ...good(), version: 2 })).toBe('version');
    expect(fieldOf({ ...good(), metric: 'dot' })).toBe('metric');
    expect(fieldOf({ ...good(), dim: 0 })).toBe('dim');
    expect(fieldOf({ ...good(), levels: 3 })).toBe('levels');
    expect(fieldOf({ ...good(), nodesPerLevel: [3, 11] })).toBe('nodesPerLevel[1]');
    const shortCentroid = good();
    shortCentroid.nodes[1]![3]!.centroid = [1, 2, 3];
    expect(fieldOf(shortCentroid)).toBe('nodes[1][3].centroid');
    const badBase64 = good();
    badBase64.nodes[0]![1]!.centroid = 'AAAA';
    expect(fieldOf(badBase64)).toBe('nodes[0][1].centroid');
    const nullValue = good();
    (nullValue.nodes[1]![0]!.centroid as unknown[])[2] = null;
    expect(fieldOf(nullValue)).toBe('nodes[1][0].centroid');
    const badParent = good();
    badParent.nodes[1]![2]!.parent = 3;
    expect(fieldOf(badParent)).toBe('nodes[1][2].parent');
    const unordered = good();
    unordered.nodes[1]![5]!.parent = 0; // parents 0 0 0 0 1 0 ...: not contiguous
    expect(fieldOf(unordered)).toBe('nodes[1][5].parent');
    const orphan = good();
    for (const node of orphan.nodes[1]!) if (node.parent === 2) node.parent = 1;
    expect(fieldOf(orphan)).toBe('nodes[1]');
    const badId = good();
    badId.nodes[0]![0]!.id = 9;
    expect(fieldOf(badId)).toBe('nodes[0][0].id');
    expect(fieldOf(good())).toBeUndefined();
  });
});
