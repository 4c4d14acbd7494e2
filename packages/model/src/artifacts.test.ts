import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildClusterTree, combineVectors } from '@mmrecall/clustering';
import { MissingArtifactError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak } from '@mmrecall/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWeights, encodeWeights, writeArtifacts } from './artifacts';
import { embedItems, embedUsers } from './embed';
import { createItemFeatureStore, createUserFeatureStore } from './feature-store';
import { embedNewItems } from './new-items';
import { readArtifacts } from './read-artifacts';
import { createRecallModel } from './recall-model';
import { tinyFixture } from './test-fixtures';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mmrecall-artifacts-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function trainedLikeArtifacts(
  kind: 'gated-additive' | 'multiview' | 'content-only',
  dir: string,
  nodeIds = false,
) {
  const fixture = tinyFixture(kind, { nodeIds });
  let nodePaths: Int32Array | undefined;
  let treeJson: unknown;
  if (nodeIds) {
    const combined = combineVectors({
      tables: [{ name: 'image', dim: 6, data: fixture.content.vectors.image!.data }],
      normalizeEach: true,
    });
    const tree = buildClusterTree({
      data: combined.data,
      dim: combined.dim,
      branching: [3, 3],
      metric: 'l2',
      seed: 1,
    });
    fixture.config.content.nodeIds!.nodesPerLevel = [...tree.nodesPerLevel];
    nodePaths = tree.paths;
    treeJson = tree.toJSON();
  }
  const model = createRecallModel({ config: fixture.config });
  const items = createItemFeatureStore({ ...fixture, ...(nodePaths ? { nodePaths } : {}) });
  const users = createUserFeatureStore({
    config: fixture.config,
    numUsers: fixture.numUsers,
    history: fixture.history,
  });
  const { embeddings, gates } = await embedItems({ model, store: items });
  const userEmbeddings = await embedUsers({ model, store: users });
  await writeArtifacts({
    dir,
    model,
    idMaps: {
      users: Array.from({ length: fixture.numUsers }, (_, i) => `u${i}`),
      items: Array.from({ length: fixture.numItems }, (_, i) => `i${i}`),
      tags: fixture.vocabulary,
    },
    itemEmbeddings: embeddings,
    userEmbeddings,
    itemMeta: { warm: fixture.warm, ...(gates ? { gate: gates } : {}) },
    ...(treeJson ? { clusterTree: treeJson } : {}),
    extraFiles: { 'metrics.json': '{"ok":true}' },
  });
  return { fixture, model, embeddings, userEmbeddings, gates };
}

describe('weights encoding', () => {
  it('round-trips and rejects truncated data', () => {
    const weights = {
      'a/kernel': { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
      b: { shape: [1], data: Float32Array.from([5]) },
    };
    const { specs, data } = encodeWeights(weights);
    expect(specs.map((s) => s.name)).toEqual(['a/kernel', 'b']);
    const decoded = decodeWeights({ specs, data, file: 'w.bin' });
    expect(Array.from(decoded['a/kernel']!.data)).toEqual([1, 2, 3, 4]);
    expect(() => decodeWeights({ specs, data: data.subarray(0, 8), file: 'w.bin' })).toThrow(
      ShapeMismatchError,
    );
  });
});

describe('writeArtifacts / readArtifacts', () => {
  it('round-trips model, embeddings, id maps and meta', async () => {
    const dir = path.join(root, 'a');
    const { model, embeddings, userEmbeddings, gates } = await trainedLikeArtifacts('gated-additive', dir);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(
      [
        'config.json',
        'id-maps.json',
        'item-meta.json',
        'items.f32',
        'manifest.json',
        'metrics.json',
        'model.json',
        'users.f32',
        'weights.bin',
      ].sort(),
    );
    const loaded = await readArtifacts({ dir });
    expect(loaded.manifest.kind).toBe('gated-additive');
    expect(Array.from(loaded.itemEmbeddings)).toEqual(Array.from(embeddings));
    expect(Array.from(loaded.userEmbeddings!)).toEqual(Array.from(userEmbeddings));
    expect(loaded.itemMeta.gate![3]).toBeCloseTo(gates![3]!, 5);
    expect(loaded.idMaps.items[7]).toBe('i7');
    // The reloaded model computes the same embeddings as the one that was saved.
    const fixture = tinyFixture('gated-additive');
    const again = await embedItems({ model: loaded.model, store: createItemFeatureStore({ ...fixture }) });
    expect(Array.from(again.embeddings)).toEqual(Array.from(embeddings));
    loaded.dispose();
    model.dispose();
  });

  it('replaces an existing folder whole and leaves no temporary folder behind', async () => {
    const dir = path.join(root, 'b');
    const first = await trainedLikeArtifacts('multiview', dir);
    first.model.dispose();
    const second = await trainedLikeArtifacts('content-only', dir);
    second.model.dispose();
    const loaded = await readArtifacts({ dir });
    expect(loaded.manifest.kind).toBe('content-only');
    loaded.dispose();
    expect((await readdir(root)).filter((name) => name.includes('.tmp-') || name.includes('.old-'))).toEqual(
      [],
    );
  });

  it('a failed write keeps the previous artifacts intact', async () => {
    const dir = path.join(root, 'c');
    const { model, embeddings } = await trainedLikeArtifacts('multiview', dir);
    await expect(
      writeArtifacts({
        dir,
        model,
        idMaps: { users: [], items: Array.from({ length: 40 }, (_, i) => `x${i}`) },
        itemEmbeddings: embeddings,
        itemMeta: { warm: new Uint8Array(40) },
        extraFiles: { '../escape.txt': 'no' },
      }),
    ).rejects.toThrow(/plain file name/);
    const loaded = await readArtifacts({ dir });
    expect(loaded.idMaps.items[0]).toBe('i0');
    loaded.dispose();
    model.dispose();
    expect((await readdir(root)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('reports missing and corrupt files with their path', async () => {
    const dir = path.join(root, 'd');
    const { model } = await trainedLikeArtifacts('multiview', dir);
    model.dispose();
    await writeFile(path.join(dir, 'items.f32'), new Uint8Array(12));
    await expect(readArtifacts({ dir })).rejects.toThrow(/items\.f32: has 12 bytes, the manifest says/);
    await rm(path.join(dir, 'weights.bin'));
    const error = await readArtifacts({ dir }).catch((caught: unknown) => caught);
    expect(MissingArtifactError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toContain('weights.bin');
    await expect(readArtifacts({ dir: path.join(root, 'nothing') })).rejects.toThrow(
      /manifest\.json: cannot be read/,
    );
  });
});

describe('embedNewItems', () => {
  for (const nodeIds of [false, true]) {
    it(`a new item with a cold item's content gets that item's embedding${nodeIds ? ' (node ids)' : ''}`, async () => {
      const dir = path.join(root, `new-${nodeIds}`);
      const { model, embeddings, fixture, gates } = await trainedLikeArtifacts(
        'gated-additive',
        dir,
        nodeIds,
      );
      model.dispose();
      const loaded = await readArtifacts({ dir });
      const cold = 34;
      const tagsOf = (item: number) =>
        Array.from(
          fixture.content.tags!.values.subarray(
            fixture.content.tags!.offsets[item]!,
            fixture.content.tags!.offsets[item + 1]!,
          ),
        ).map((t) => fixture.vocabulary[t]!);
      const vectorsOf = (item: number) => ({
        image: fixture.content.vectors.image!.data.subarray(item * 6, item * 6 + 6),
        text: fixture.content.vectors.text!.data.subarray(item * 4, item * 4 + 4),
      });
      const result = await expectNoTensorLeak(() =>
        embedNewItems({
          artifacts: loaded,
          items: [{ tags: [...tagsOf(cold), 'brand-new-tag'], vectors: vectorsOf(cold) }],
        }),
      );
      expect(result.unknownTags).toEqual([['brand-new-tag']]);
      const expected = embeddings.subarray(cold * 8, cold * 8 + 8);
      for (let d = 0; d < 8; d++) expect(result.embeddings[d]).toBeCloseTo(expected[d]!, 5);
      expect(result.gates![0]).toBeCloseTo(gates![cold]!, 5);
      await expect(
        embedNewItems({ artifacts: loaded, items: [{ vectors: { image: [1, 2, 3] } }] }),
      ).rejects.toThrow(/vectors\.image has the wrong dimension/);
      await expect(
        embedNewItems({
          artifacts: loaded,
          items: [{ vectors: { ...vectorsOf(cold), image: [1, 2, 3, 4, 5, Number.NaN] } }],
        }),
      ).rejects.toThrow(/must be a finite number/);
      await expect(
        embedNewItems({ artifacts: loaded, items: [{ vectors: { ...vectorsOf(cold), audio: [1] } }] }),
      ).rejects.toThrow(/unknown vector name/);
      loaded.dispose();
    });
  }

  it('refuses id-only models with a clear message', async () => {
    const fixture = tinyFixture('id-only');
    const model = createRecallModel({ config: fixture.config });
    const dir = path.join(root, 'id-only');
    const { embeddings } = await embedItems({ model, store: createItemFeatureStore({ ...fixture }) });
    await writeArtifacts({
      dir,
      model,
      idMaps: { users: [], items: Array.from({ length: 40 }, (_, i) => `i${i}`) },
      itemEmbeddings: embeddings,
      itemMeta: { warm: fixture.warm },
    });
    model.dispose();
    const loaded = await readArtifacts({ dir });
    await expect(embedNewItems({ artifacts: loaded, items: [{ vectors: {} }] })).rejects.toThrow(
      /no content tower/,
    );
    loaded.dispose();
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.format).toBe('mmrecall-artifacts');
  });
});
