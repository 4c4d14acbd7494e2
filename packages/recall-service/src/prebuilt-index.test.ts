import { stat, writeFile } from 'node:fs/promises';
import { InvalidArtifactError } from '@mmrecall/errors';
import { addArtifactsIndex, readArtifacts } from '@mmrecall/model';
import { buildPrebuiltHnswIndex } from '@mmrecall/serving';
import {
  bruteForce,
  createTempDir,
  itemContent,
  removeTempDir,
  writeTestArtifacts,
} from '@mmrecall/test-artifacts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { createRecallService } from './recall-service';

let parent: string;
beforeAll(async () => {
  parent = await createTempDir();
});
afterAll(async () => {
  await removeTempDir(parent);
});

describe('createRecallService over artifacts with a prebuilt HNSW index', () => {
  test('maps the graph: exact answers, identical after a restart, PUT and DELETE on top', async () => {
    const artifacts = await writeTestArtifacts({ parent, name: 'indexed', seed: 3 });
    const { dim } = artifacts;
    // expansionSearch above the item count: the graph search visits every item, so answers are exact.
    const built = await buildPrebuiltHnswIndex({
      vectors: artifacts.itemEmbeddings,
      dim,
      threads: 1,
      expansionSearch: 512,
    });
    await addArtifactsIndex({ dir: artifacts.dir, index: built });
    built.dispose();
    const ids = artifacts.data.dataset.items.ids;
    const users = artifacts.data.dataset.users.ids.slice(0, 12);
    const answers: string[][][] = [];
    for (let start = 0; start < 2; start++) {
      const service = createRecallService({ artifactsDir: artifacts.dir, index: 'hnsw' });
      await service.ready;
      const run: string[][] = [];
      for (const [row, userId] of users.entries()) {
        const result = await service.u2i({ userId, k: 10 });
        const expected = bruteForce(
          artifacts.userEmbeddings.subarray(row * dim, (row + 1) * dim),
          artifacts.itemEmbeddings,
          dim,
          10,
        );
        expect(result.items.map((item) => item.id)).toEqual(expected.map((entry) => ids[entry.row]));
        run.push(result.items.map((item) => item.id));
      }
      answers.push(run);
      // Writes go to the overlay over the read-only mapped graph.
      const top = run[0]?.[0] as string;
      await service.deleteItem({ id: top });
      expect(
        (await service.u2i({ userId: users[0] as string, k: 10 })).items.map((item) => item.id),
      ).not.toContain(top);
      const put = await service.putItem({ id: 'brand-new', ...itemContent(artifacts, 5) });
      expect(put.created).toBe(true);
      expect((await service.i2i({ itemId: 'brand-new', k: 400 })).items.map((item) => item.id)).toContain(
        ids[5],
      );
      await service.dispose();
    }
    expect(answers[1]).toEqual(answers[0]);
  });

  test('a changed index file is refused before anything is served', async () => {
    const artifacts = await writeTestArtifacts({ parent, name: 'tampered', seed: 4 });
    const built = await buildPrebuiltHnswIndex({
      vectors: artifacts.itemEmbeddings,
      dim: artifacts.dim,
      threads: 1,
    });
    await addArtifactsIndex({ dir: artifacts.dir, index: built });
    built.dispose();
    const loaded = await readArtifacts({ dir: artifacts.dir });
    loaded.dispose();
    const file = loaded.prebuiltIndex?.path as string;
    await writeFile(file, Buffer.alloc((await stat(file)).size));
    const service = createRecallService({ artifactsDir: artifacts.dir, index: 'hnsw' });
    const error = await service.ready.catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/items\.hnsw: sha256 is [0-9a-f]{64}, the manifest says/);
    const cause = (error as Error).cause;
    expect(InvalidArtifactError.isInstance(cause) && cause.kind).toBe('checksum');
    await service.dispose();
  });
});
