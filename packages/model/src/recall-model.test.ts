import { expectNoTensorLeak } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { defaultModelConfig, validateModelConfig } from './config';
import { embedItems, embedUsers } from './embed';
import { createItemFeatureStore, createUserFeatureStore, sliceRows } from './feature-store';
import { MODEL_KINDS } from './kinds/registry';
import { createRecallModel } from './recall-model';
import { tinyFixture } from './test-fixtures';

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('defaultModelConfig / validateModelConfig', () => {
  it('names the invalid field', () => {
    expect(() =>
      defaultModelConfig({
        kind: 'gated-additive',
        numUsers: 3,
        numItems: 0,
        vectors: { image: { dim: 4 } },
      }),
    ).toThrow(/config\.numItems: must be an integer >= 1/);
    const { config } = tinyFixture('multiview');
    expect(() =>
      validateModelConfig({ ...config, content: { ...config.content, vectors: { image: { dim: -1 } } } }),
    ).toThrow(/config\.content\.vectors\.image\.dim/);
    // The shared checks of @mmrecall/errors: the field, the bound and the value as given.
    expect(() => validateModelConfig({ ...config, mode: 'x2i' } as never)).toThrow(
      `config.mode: must be one of 'u2i', 'i2i', got "x2i"`,
    );
    expect(() => validateModelConfig({ ...config, id: { ...config.id, idDropout: 1 } })).toThrow(
      'config.id.idDropout: must be a finite number >= 0 and < 1, got 1',
    );
    expect(() => validateModelConfig({ ...config, dim: 2.5 })).toThrow(
      'config.dim: must be an integer >= 1, got 2.5',
    );
    expect(() =>
      validateModelConfig({ ...config, tableOptimizer: { kind: 'adam', learningRate: 0 } }),
    ).toThrow('config.tableOptimizer.learningRate: must be a finite number > 0, got 0');
    expect(() =>
      validateModelConfig({ ...config, tableOptimizer: { kind: 'sgd', learningRate: 0.1 } } as never),
    ).toThrow(`config.tableOptimizer.kind: must be one of 'adam', 'adagrad', got "sgd"`);
    expect(() =>
      validateModelConfig({ ...config, kind: 'gated-additive', gate: undefined } as never),
    ).toThrow(/config\.gate/);
    expect(() =>
      defaultModelConfig({ kind: 'content-only', numUsers: 1, numItems: 2, vectors: {}, historyLength: 0 }),
    ).toThrow(/needs tags, vectors or node ids/);
  });
});

describe('createRecallModel', () => {
  for (const kind of MODEL_KINDS) {
    it(`${kind}: shapes, unit-norm queries, no leaks`, async () => {
      const fixture = tinyFixture(kind);
      const model = createRecallModel({ config: fixture.config });
      const items = createItemFeatureStore({ ...fixture });
      const users = createUserFeatureStore({
        config: fixture.config,
        numUsers: fixture.numUsers,
        history: fixture.history,
      });
      const expectedDim = kind === 'gated-concat' ? 16 : 8;
      expect(model.itemDim).toBe(expectedDim);
      expect(model.queryDim).toBe(expectedDim);
      await expectNoTensorLeak(() => {
        const views = model.itemViews(items.batch(Int32Array.from([0, 5, 35])), { training: true, step: 3 });
        expect(views.item.shape).toEqual([3, expectedDim]);
        expect(Boolean(views.id)).toBe(kind !== 'content-only');
        expect(Boolean(views.content)).toBe(kind !== 'id-only');
        expect(Boolean(views.gate)).toBe(kind.startsWith('gated'));
        tf.dispose(Object.values(views));
        const query = model.embedUsers(users.batch(Int32Array.from([0, 1])));
        expect(query.shape).toEqual([2, expectedDim]);
        const norms = tf.tidy(() => tf.sum(tf.square(query), 1).arraySync() as number[]);
        for (const norm of norms) expect(norm).toBeCloseTo(kind === 'gated-concat' ? 2 : 1, 4);
        query.dispose();
      }, `${kind} forward`);
      const { embeddings, gates } = await expectNoTensorLeak(() =>
        embedItems({ model, store: items, batchSize: 16 }),
      );
      expect(embeddings.length).toBe(fixture.numItems * expectedDim);
      expect(Boolean(gates)).toBe(kind.startsWith('gated'));
      const userEmbeddings = await embedUsers({ model, store: users, batchSize: 5 });
      expect(userEmbeddings.length).toBe(fixture.numUsers * expectedDim);
      model.dispose();
    });
  }

  it('cold items share the unknown behaviour row: id-only cannot tell them apart, content can', async () => {
    for (const kind of ['id-only', 'multiview'] as const) {
      const fixture = tinyFixture(kind);
      const model = createRecallModel({ config: fixture.config });
      const store = createItemFeatureStore({ ...fixture });
      const { embeddings } = await embedItems({ model, store });
      const row = (i: number) => embeddings.subarray(i * 8, (i + 1) * 8);
      const coldA = row(31);
      const coldB = row(36);
      const same = coldA.every((v, d) => Math.abs(v - coldB[d]!) < 1e-6);
      expect(same).toBe(kind === 'id-only');
      // multiview serves warm items from the behaviour tower: differs from the content view.
      if (kind === 'multiview') {
        const views = model.itemViews(store.batch(Int32Array.from([2])));
        const content = await views.content!.data();
        const item = await views.item.data();
        const id = await views.id!.data();
        expect(Array.from(item)).toEqual(Array.from(id));
        expect(Array.from(item)).not.toEqual(Array.from(content));
        tf.dispose(Object.values(views));
      }
      model.dispose();
    }
  });

  it('gated-concat: u . item = u_id . id + g * (u_meta . meta)', async () => {
    const fixture = tinyFixture('gated-concat');
    const model = createRecallModel({ config: fixture.config });
    const items = createItemFeatureStore({ ...fixture });
    const users = createUserFeatureStore({
      config: fixture.config,
      numUsers: fixture.numUsers,
      history: fixture.history,
    });
    const views = model.itemViews(items.batch(Int32Array.from([4])));
    const query = model.embedUsers(users.batch(Int32Array.from([2])));
    const u = (await query.data()) as Float32Array;
    const item = (await views.item.data()) as Float32Array;
    const id = (await views.id!.data()) as Float32Array;
    const meta = (await views.content!.data()) as Float32Array;
    const g = (await views.gate!.data())[0]!;
    expect(g).toBeGreaterThan(0);
    expect(g).toBeLessThan(1);
    const expected = dot(u.subarray(0, 8), id) + g * dot(u.subarray(8), meta);
    expect(dot(u, item)).toBeCloseTo(expected, 5);
    tf.dispose([query, ...Object.values(views)]);
    model.dispose();
  });

  it('gated-additive: item = g * meta + (1 - g) * id', async () => {
    const fixture = tinyFixture('gated-additive');
    const model = createRecallModel({ config: fixture.config });
    const items = createItemFeatureStore({ ...fixture });
    const views = model.itemViews(items.batch(Int32Array.from([1, 33])));
    const item = (await views.item.data()) as Float32Array;
    const id = (await views.id!.data()) as Float32Array;
    const meta = (await views.content!.data()) as Float32Array;
    const gate = (await views.gate!.data()) as Float32Array;
    for (let r = 0; r < 2; r++) {
      for (let d = 0; d < 8; d++) {
        const expected = gate[r]! * meta[r * 8 + d]! + (1 - gate[r]!) * id[r * 8 + d]!;
        expect(item[r * 8 + d]).toBeCloseTo(expected, 5);
      }
    }
    tf.dispose(Object.values(views));
    model.dispose();
  });

  it('training-mode dropout is seeded by the step: same step, same output', async () => {
    const fixture = tinyFixture('gated-additive');
    fixture.config.id.idDropout = 0.5;
    const model = createRecallModel({ config: fixture.config });
    const store = createItemFeatureStore({ ...fixture });
    const batch = store.batch(Int32Array.from({ length: 20 }, (_, i) => i));
    const run = async (step: number) => {
      const views = model.itemViews(batch, { training: true, step });
      const out = Array.from(await views.item.data());
      tf.dispose(Object.values(views));
      return out;
    };
    expect(await run(4)).toEqual(await run(4));
    expect(await run(4)).not.toEqual(await run(5));
    model.dispose();
  });

  it('weights round-trip through toNamedWeights / loadNamedWeights', async () => {
    const fixture = tinyFixture('multiview');
    const a = createRecallModel({ config: fixture.config });
    const b = createRecallModel({ config: { ...fixture.config, seed: 99 } });
    const store = createItemFeatureStore({ ...fixture });
    const before = await embedItems({ model: a, store });
    const other = await embedItems({ model: b, store });
    expect(Array.from(other.embeddings)).not.toEqual(Array.from(before.embeddings));
    b.loadNamedWeights(a.toNamedWeights());
    const after = await embedItems({ model: b, store });
    expect(Array.from(after.embeddings)).toEqual(Array.from(before.embeddings));
    a.dispose();
    b.dispose();
  });
});

describe('feature stores', () => {
  it('sliceRows keeps the last maxLength values and drops the excluded one', () => {
    const rows = { offsets: Int32Array.from([0, 4, 4, 6]), values: Int32Array.from([1, 2, 3, 4, 7, 8]) };
    const sliced = sliceRows(rows, Int32Array.from([0, 1, 2, 0]), Int32Array.from([4, -1, 8, -1]), 3);
    expect(Array.from(sliced.offsets)).toEqual([0, 2, 2, 3, 6]);
    expect(Array.from(sliced.values)).toEqual([2, 3, 7, 2, 3, 4]);
  });

  it('item batches carry the right rows and zero statistics for cold items', () => {
    const fixture = tinyFixture('gated-additive');
    const store = createItemFeatureStore({ ...fixture });
    const batch = store.batch(Int32Array.from([3, 32]));
    expect(Array.from(batch.vectors.image!.subarray(0, 6))).toEqual(
      Array.from(fixture.content.vectors.image!.data.subarray(18, 24)),
    );
    expect(Array.from(batch.warm!)).toEqual([1, 0]);
    expect(Array.from(batch.posterior!.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(batch.posterior![0]).toBeGreaterThan(0);
    expect(Array.from(batch.tags!.values)).toEqual([3, 5, 2, 7]);
    expect(() => store.batch(Int32Array.from([40]))).toThrow(/items\[0\]: 40 is outside/);
  });
});

describe('unknown users', () => {
  it('embeds a new user from history alone through the shared unknown-user row', async () => {
    const fixture = tinyFixture('gated-additive');
    fixture.config.user.idDropout = 0.5;
    const model = createRecallModel({ config: fixture.config });
    const history = { offsets: Int32Array.from([0, 3, 3]), values: Int32Array.from([1, 2, 3]) };
    const newUsers = Int32Array.from([fixture.numUsers, fixture.numUsers]);
    const embedded = await expectNoTensorLeak(async () => {
      const query = model.embedUsers({ users: newUsers, history });
      const data = Array.from(await query.data());
      query.dispose();
      return data;
    });
    expect(embedded).toHaveLength(16);
    // Same unknown row, different histories: different queries.
    expect(embedded.slice(0, 8)).not.toEqual(embedded.slice(8));
    expect(() =>
      model.embedUsers({
        users: Int32Array.from([fixture.numUsers + 1]),
        history: { offsets: Int32Array.from([0, 0]), values: new Int32Array(0) },
      }),
    ).toThrow(/users\[0\]: user index 13 is outside \[0, 12\]/);
    // Training-mode user dropout is seeded by the step.
    const users = createUserFeatureStore({
      config: fixture.config,
      numUsers: fixture.numUsers,
      history: fixture.history,
    });
    const batch = users.batch(Int32Array.from({ length: 12 }, (_, i) => i));
    const run = async (step: number) => {
      const query = model.embedUsers(batch, { training: true, step });
      const data = Array.from(await query.data());
      query.dispose();
      return data;
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(8));
    model.dispose();
  });
});
