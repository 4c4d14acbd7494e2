import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@mmrecall/errors';
import { type AsyncRecallIndex, createExactIndex, toAsyncRecallIndex } from '@mmrecall/serving';
import {
  bruteForce,
  createTempDir,
  itemContent,
  removeTempDir,
  type TestArtifacts,
  writeTestArtifacts,
} from '@mmrecall/test-artifacts';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { InvalidItemError, ServiceUnavailableError } from './errors';
import { loadServingModel } from './load-serving-model';
import { createRecallService } from './recall-service';

let parent: string;
let a: TestArtifacts;
let b: TestArtifacts;

beforeAll(async () => {
  parent = await createTempDir();
  a = await writeTestArtifacts({ parent, name: 'a', seed: 1 });
  b = await writeTestArtifacts({ parent, name: 'b', seed: 2 });
});

afterAll(async () => {
  await removeTempDir(parent);
});

describe('createRecallService in process', () => {
  test('u2i, i2i, put, delete and reload without HTTP, and dispose frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const service = createRecallService({ artifactsDir: a.dir, index: 'exact' });
    await expect(service.u2i({ userId: 'u0000', k: 3 })).rejects.toThrow(ServiceUnavailableError);
    expect(service.status()).toEqual({ status: 'loading' });
    await service.ready;
    const ids = a.data.dataset.items.ids;
    const users = a.data.dataset.users.ids;
    const { dim } = a;
    expect(service.status()).toMatchObject({
      status: 'ready',
      kind: 'gated-additive',
      items: 400,
      users: 300,
    });

    const byUser = await service.u2i({ userId: users[5] as string, k: 10 });
    const expectedUser = bruteForce(a.userEmbeddings.subarray(5 * dim, 6 * dim), a.itemEmbeddings, dim, 10);
    expect(byUser.items.map((item) => item.id)).toEqual(expectedUser.map((e) => ids[e.row]));
    byUser.items.forEach((item, i) => {
      expect(item.score).toBeCloseTo(expectedUser[i]!.score, 4);
    });

    const similar = await service.i2i({ itemId: ids[3] as string, k: 8, exclude: [ids[0] as string] });
    const expectedItem = bruteForce(
      a.itemEmbeddings.subarray(3 * dim, 4 * dim),
      a.itemEmbeddings,
      dim,
      8,
      new Set([3, 0]),
    );
    expect(similar.items.map((item) => item.id)).toEqual(expectedItem.map((e) => ids[e.row]));

    // A new item with the content of a cold item gets the cold item's embedding (zero statistics).
    const cold = a.warm.indexOf(0);
    const put = await service.putItem({ id: 'twin', ...itemContent(a, cold) });
    expect(put).toMatchObject({ id: 'twin', created: true, unknownTags: [] });
    const coldVector = a.itemEmbeddings.subarray(cold * dim, (cold + 1) * dim);
    const selfScore = coldVector.reduce((sum, v) => sum + v * v, 0);
    const fromCold = await service.i2i({ itemId: ids[cold] as string, k: 3 });
    expect(fromCold.items[0]).toMatchObject({ id: 'twin' });
    expect(fromCold.items[0]!.score).toBeCloseTo(selfScore, 4);

    await service.deleteItem({ id: ids[7] as string });
    await expect(service.i2i({ itemId: ids[7] as string, k: 3 })).rejects.toThrow(NotFoundError);
    await expect(service.deleteItem({ id: ids[7] as string })).rejects.toThrow(/unknown item/);

    // Reload into B: B's embeddings answer, the run-time item is re-embedded, the deletion stays.
    const reloaded = await service.reload({ artifactsDir: b.dir });
    expect(reloaded).toMatchObject({ artifactsDir: b.dir, items: 400, replayed: 1, pending: 0 });
    const afterReload = await service.u2i({ userId: users[5] as string, k: 1000 });
    const expectedB = bruteForce(
      b.userEmbeddings.subarray(5 * dim, 6 * dim),
      b.itemEmbeddings,
      dim,
      400,
      new Set([7]),
    );
    expect(afterReload.items.filter((item) => item.id !== 'twin').map((item) => item.id)).toEqual(
      expectedB.map((e) => ids[e.row]),
    );
    expect(afterReload.items.map((item) => item.id)).toContain('twin');
    expect(afterReload.items.map((item) => item.id)).not.toContain(ids[7]);

    await service.dispose();
    expect(service.status()).toEqual({ status: 'closed' });
    await expect(service.i2i({ itemId: ids[0] as string, k: 1 })).rejects.toThrow(/closed/);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('input errors name the argument or field and change nothing', async () => {
    const service = createRecallService({ artifactsDir: a.dir, index: 'exact' });
    try {
      await service.ready;
      const good = itemContent(a, 1);
      const [name, values] = Object.entries(good.vectors)[0]!;
      const bad = await service
        .putItem({
          id: 'bad',
          ...good,
          vectors: { ...good.vectors, [name]: values.map((v, j) => (j === 2 ? Number.NaN : v)) },
        })
        .catch((error: unknown) => error);
      expect(bad).toBeInstanceOf(InvalidItemError);
      expect((bad as InvalidItemError).field).toBe(`vectors/${name}/2`);
      await expect(service.putItem({ id: '', ...good })).rejects.toThrow(InvalidArgumentError);
      await expect(service.u2i({ k: 5 })).rejects.toThrow(/userId, features or both/);
      await expect(service.u2i({ userId: 'nobody', k: 5 })).rejects.toThrow(NotFoundError);
      await expect(service.i2i({ itemId: a.data.dataset.items.ids[0] as string, k: 0 })).rejects.toThrow(
        /k: must be a positive integer, got 0/,
      );
      expect(service.status()).toMatchObject({ items: 400 });
    } finally {
      await service.dispose();
    }
  });

  test('a brand-new user is recalled from features through the unknown-user row', async () => {
    const service = createRecallService({ artifactsDir: a.dir, index: 'exact' });
    try {
      await service.ready;
      const ids = a.data.dataset.items.ids as string[];
      const anonymous = await service.u2i({ features: { history: [ids[0]!, ids[1]!] }, k: 5 });
      const unknownId = await service.u2i({
        userId: 'nobody',
        features: { history: [ids[0]!, ids[1]!] },
        k: 5,
      });
      expect(anonymous.items).toHaveLength(5);
      expect(unknownId.items).toEqual(anonymous.items);
      // The query is the user tower's output: the scores are its inner products with the items.
      const model = await loadServingModel({ dir: a.dir });
      try {
        const query = await model.embedUserFeatures({
          user: model.userIds.length,
          profile: [],
          history: Int32Array.of(0, 1),
        });
        const expected = bruteForce(query, a.itemEmbeddings, a.dim, 5);
        expect(anonymous.items.map((item) => item.id)).toEqual(expected.map((e) => ids[e.row]));
      } finally {
        model.dispose();
      }
    } finally {
      await service.dispose();
    }
  });

  test('a put over a trained item survives a restart on the same artifacts; newer artifacts take the id over', async () => {
    const folder = await createTempDir();
    const journal = path.join(folder, 'items.journal');
    const ids = a.data.dataset.items.ids as string[];
    try {
      const first = createRecallService({ artifactsDir: a.dir, index: 'exact', journal });
      await first.ready;
      expect(await first.putItem({ id: ids[4]!, ...itemContent(a, 9) })).toMatchObject({ created: false });
      const overridden = await first.i2i({ itemId: ids[4]!, k: 5 });
      await first.dispose();

      const restarted = createRecallService({ artifactsDir: a.dir, index: 'exact', journal });
      await restarted.ready;
      expect(await restarted.i2i({ itemId: ids[4]!, k: 5 })).toEqual(overridden);
      const reloaded = await restarted.reload({ artifactsDir: b.dir });
      expect(reloaded).toMatchObject({ replayed: 0, pending: 0, items: 400 });
      const { dim } = b;
      const expected = bruteForce(
        b.itemEmbeddings.subarray(4 * dim, 5 * dim),
        b.itemEmbeddings,
        dim,
        5,
        new Set([4]),
      );
      expect((await restarted.i2i({ itemId: ids[4]!, k: 5 })).items.map((item) => item.id)).toEqual(
        expected.map((e) => ids[e.row]),
      );
      await restarted.dispose();
      // Compacted: the journal names B and no longer carries the put.
      const lines = (await readFile(journal, 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ op: 'base' });
      expect(JSON.parse(lines[0]!).artifacts.startsWith(`${b.dir}@`)).toBe(true);
    } finally {
      await removeTempDir(folder);
    }
  });

  test('a corrupt journal fails the first load naming file and line; nothing is served', async () => {
    const folder = await createTempDir();
    const journal = path.join(folder, 'items.journal');
    try {
      await writeFile(journal, '{"op":"delete","id":"x"}\n{"op":"put","id":"y"}\n');
      const service = createRecallService({ artifactsDir: a.dir, index: 'exact', journal });
      await expect(service.ready).rejects.toThrow(
        `${journal}:2: field "vectors" must be an object of number arrays`,
      );
      expect(service.status()).toMatchObject({ status: 'failed' });
      await service.dispose();
    } finally {
      await removeTempDir(folder);
    }
  });

  test('items a reloaded model cannot embed stay pending, can be deleted, and come back with a model that can', async () => {
    const idOnly = await writeTestArtifacts({ parent, name: 'id-only', kind: 'id-only', seed: 3 });
    const service = createRecallService({ artifactsDir: a.dir, index: 'exact' });
    try {
      await service.ready;
      await service.putItem({ id: 'kept', ...itemContent(a, 5) });
      await service.putItem({ id: 'dropped-later', ...itemContent(a, 6) });
      expect(await service.reload({ artifactsDir: idOnly.dir })).toMatchObject({
        replayed: 0,
        pending: 2,
        items: 400,
      });
      await expect(service.i2i({ itemId: 'kept', k: 1 })).rejects.toThrow(NotFoundError);
      await service.deleteItem({ id: 'dropped-later' });
      expect(service.status()).toMatchObject({ kind: 'id-only', pending: 1 });
      await expect(service.deleteItem({ id: 'dropped-later' })).rejects.toThrow(NotFoundError);
      expect(await service.reload({ artifactsDir: a.dir })).toMatchObject({
        replayed: 1,
        pending: 0,
        items: 401,
      });
      expect((await service.i2i({ itemId: 'kept', k: 1 })).items).toHaveLength(1);
      await expect(service.i2i({ itemId: 'dropped-later', k: 1 })).rejects.toThrow(NotFoundError);
    } finally {
      await service.dispose();
    }
  });

  test('superseded journal records are compacted at the next start; the latest content wins', async () => {
    const folder = await createTempDir();
    const journal = path.join(folder, 'items.journal');
    try {
      const first = createRecallService({ artifactsDir: a.dir, index: 'exact', journal });
      await first.ready;
      for (let row = 0; row < 10; row++) await first.putItem({ id: 'again', ...itemContent(a, row) });
      const latest = await first.i2i({ itemId: 'again', k: 5 });
      await first.dispose();
      const lines = async () => (await readFile(journal, 'utf8')).trim().split('\n');
      expect(await lines()).toHaveLength(11);
      const second = createRecallService({ artifactsDir: a.dir, index: 'exact', journal });
      await second.ready;
      expect(await second.i2i({ itemId: 'again', k: 5 })).toEqual(latest);
      await second.dispose();
      const compacted = await lines();
      expect(compacted).toHaveLength(2);
      expect(JSON.parse(compacted[1]!)).toMatchObject({
        op: 'put',
        id: 'again',
        tags: itemContent(a, 9).tags,
      });
    } finally {
      await removeTempDir(folder);
    }
  });
});

describe('createRecallService over an external index', () => {
  test('answers like the exact index through the async contract, and disposes each retired index', async () => {
    const created: { dim: number; filledRows: number; disposed: boolean }[] = [];
    const service = createRecallService({
      artifactsDir: a.dir,
      index: {
        kind: 'remote-test',
        // Every call goes through a timer turn, as a database round trip would.
        create: async ({ dim }): Promise<AsyncRecallIndex> => {
          const inner = toAsyncRecallIndex(createExactIndex({ dim, metric: 'ip' }));
          const record = { dim, filledRows: -1, disposed: false };
          created.push(record);
          const later = <T>(value: () => Promise<T>): Promise<T> =>
            new Promise((resolve) => setTimeout(resolve, 1)).then(value);
          return {
            ...inner,
            upsert: (options) => later(() => inner.upsert(options)),
            remove: (options) => later(() => inner.remove(options)),
            search: (options) => later(() => inner.search(options)),
            searchBatch: (options) => later(() => inner.searchBatch(options)),
            dispose: async () => {
              await later(() => inner.dispose());
              record.disposed = true;
            },
          };
        },
        filled: async (index: AsyncRecallIndex) => {
          (created.at(-1) as { filledRows: number }).filledRows = await index.size();
        },
      },
    });
    await service.ready;
    expect(created).toEqual([{ dim: a.dim, filledRows: 400, disposed: false }]);
    expect(service.status()).toMatchObject({ status: 'ready', index: 'remote-test', items: 400 });
    const ids = a.data.dataset.items.ids;
    const { dim } = a;
    const users = a.data.dataset.users.ids;
    const [first, second] = await Promise.all([
      service.u2i({ userId: users[5] as string, k: 10 }),
      service.u2i({ userId: users[6] as string, k: 4 }),
    ]);
    const expected5 = bruteForce(a.userEmbeddings.subarray(5 * dim, 6 * dim), a.itemEmbeddings, dim, 10);
    const expected6 = bruteForce(a.userEmbeddings.subarray(6 * dim, 7 * dim), a.itemEmbeddings, dim, 4);
    expect(first.items.map((item) => item.id)).toEqual(expected5.map((e) => ids[e.row]));
    expect(second.items.map((item) => item.id)).toEqual(expected6.map((e) => ids[e.row]));
    const cold = a.warm.indexOf(0);
    await service.putItem({ id: 'twin', ...itemContent(a, cold) });
    expect((await service.i2i({ itemId: ids[cold] as string, k: 1 })).items[0]).toMatchObject({ id: 'twin' });
    await service.deleteItem({ id: 'twin' });
    expect((await service.i2i({ itemId: ids[cold] as string, k: 1 })).items[0]?.id).not.toBe('twin');
    // A reload builds a second index; the first one is disposed once no request holds it.
    await service.reload({ artifactsDir: b.dir });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(created.map((entry) => entry.disposed)).toEqual([true, false]);
    await service.dispose();
    expect(created.map((entry) => entry.disposed)).toEqual([true, true]);
  });

  test('refuses an index option that is neither a kind nor an external index', () => {
    expect(() => createRecallService({ artifactsDir: a.dir, index: { kind: 'x' } as never })).toThrow(
      InvalidArgumentError,
    );
  });
});
