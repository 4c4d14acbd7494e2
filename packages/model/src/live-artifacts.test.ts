import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { posteriorFeatures } from '@mmrecall/gating';
import { expectNoTensorLeak, expectTensorsClose } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArtifacts } from './artifacts';
import { disposeViews, embedItems } from './embed';
import { createItemFeatureStore } from './feature-store';
import { readArtifacts } from './read-artifacts';
import { createRecallModel } from './recall-model';
import { tinyFixture } from './test-fixtures';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mmrecall-live-artifacts-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('artifacts for the live loop', () => {
  it('writes and reads the per-item views and statistics times; older folders read without them', async () => {
    const fixture = tinyFixture('gated-additive');
    const model = createRecallModel({ config: fixture.config });
    const store = createItemFeatureStore(fixture);
    const { embeddings, gates, views } = await embedItems({ model, store, views: true, batchSize: 16 });
    expect(views?.id.length).toBe(fixture.numItems * 8);
    const firstSeen = Float64Array.from({ length: fixture.numItems }, (_, i) =>
      i < 30 ? 1000 + i : Number.NaN,
    );
    const base = {
      model,
      idMaps: {
        users: Array.from({ length: fixture.numUsers }, (_, i) => `u${i}`),
        items: Array.from({ length: fixture.numItems }, (_, i) => `i${i}`),
        tags: fixture.vocabulary,
      },
      itemEmbeddings: embeddings,
      itemMeta: { warm: fixture.warm, gate: gates!, exposures: fixture.statistics.exposures },
    };
    const dir = path.join(root, 'live');
    await writeArtifacts({
      ...base,
      dir,
      itemViews: views!,
      itemStatistics: { firstSeen, referenceTime: 5000, ctrPrior: { alpha: 1, beta: 9 } },
    });
    const loaded = await readArtifacts({ dir });
    try {
      expect(loaded.itemViews?.id).toEqual(views!.id);
      expect(loaded.itemViews?.content).toEqual(views!.content);
      expect(loaded.itemStatistics?.referenceTime).toBe(5000);
      expect(loaded.itemStatistics?.ctrPrior).toEqual({ alpha: 1, beta: 9 });
      expect(Array.from(loaded.itemStatistics!.firstSeen.slice(28, 32))).toEqual([
        1028,
        1029,
        Number.NaN,
        Number.NaN,
      ]);
      expect(loaded.manifest.files.itemsId).toBe('items-id.f32');
      // The existing files are unchanged: item-meta.json has no new fields.
      const meta = JSON.parse(await readFile(path.join(dir, 'item-meta.json'), 'utf8')) as object;
      expect(Object.keys(meta).sort()).toEqual(['exposures', 'gate', 'warm']);
    } finally {
      loaded.dispose();
    }
    const oldDir = path.join(root, 'old');
    await writeArtifacts({ ...base, dir: oldDir });
    const old = await readArtifacts({ dir: oldDir });
    expect(old.itemViews).toBeUndefined();
    expect(old.itemStatistics).toBeUndefined();
    old.dispose();
    model.dispose();
  });

  it('fuseItemViews from stored views equals itemViews for the same statistics, without leaks', async () => {
    for (const kind of ['gated-additive', 'gated-concat'] as const) {
      const fixture = tinyFixture(kind);
      const model = createRecallModel({ config: fixture.config });
      const store = createItemFeatureStore(fixture);
      const items = Int32Array.from([0, 3, 17, 29]);
      const batch = store.batch(items);
      const reference = model.itemViews(batch);
      // Different statistics than training: the gate features of 5x the clicks.
      const grown = posteriorFeatures({
        ...fixture.statistics,
        clicks: fixture.statistics.clicks.map((c) => 5 * c),
        indices: items,
        scale: fixture.config.posteriorScale!,
      });
      const offline = model.itemViews({ ...batch, posterior: grown });
      await expectNoTensorLeak(() => {
        const fused = model.fuseItemViews({
          id: reference.id!,
          content: reference.content!,
          posterior: grown,
        });
        expectTensorsClose(fused.gate, offline.gate!, 1e-6);
        expectTensorsClose(fused.item, offline.item, 1e-6);
        tf.dispose([fused.gate, fused.item]);
      });
      disposeViews(reference);
      disposeViews(offline);
      const multiview = createRecallModel({ config: tinyFixture('multiview').config });
      const zeros = tf.zeros([1, 8]) as tf.Tensor2D;
      expect(() =>
        multiview.fuseItemViews({ id: zeros, content: zeros, posterior: new Float32Array(4) }),
      ).toThrow(/no posterior gate/);
      zeros.dispose();
      multiview.dispose();
      model.dispose();
    }
  });
});
