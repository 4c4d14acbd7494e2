import { computeItemStatistics, type Interactions } from '@mmrecall/data';
import { createItemFeatureStore, disposeViews, readArtifacts } from '@mmrecall/model';
import {
  createTempDir,
  removeTempDir,
  setClickShyGate,
  type TestArtifacts,
  writeTestArtifacts,
} from '@mmrecall/test-artifacts';
import { expectNoTensorLeak } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { createLiveStatistics, type LiveEvent } from './live-statistics';
import { loadServingModel } from './load-serving-model';

const DAY = 86_400;
let parent: string;
let live: TestArtifacts;
let old: TestArtifacts;

beforeAll(async () => {
  parent = await createTempDir();
  live = await writeTestArtifacts({ parent, name: 'live', liveLoop: true, prepareModel: setClickShyGate });
  old = await writeTestArtifacts({ parent, name: 'old' });
});

afterAll(async () => {
  await removeTempDir(parent);
});

/** Appends events as interaction rows (a click is an exposure with a click). */
function withEvents(train: Interactions, events: readonly LiveEvent[]): Interactions {
  const n = train.items.length;
  const size = n + events.length;
  const out: Interactions = {
    users: new Int32Array(size),
    items: new Int32Array(size),
    timestamps: new Float64Array(size),
    clicks: new Uint8Array(size),
  };
  out.users.set(train.users);
  out.items.set(train.items);
  out.timestamps!.set(train.timestamps!);
  if (train.clicks) out.clicks!.set(train.clicks);
  else out.clicks!.fill(1, 0, n);
  events.forEach((event, e) => {
    out.items[n + e] = event.row;
    out.timestamps![n + e] = event.at;
    out.clicks![n + e] = event.type === 'click' ? 1 : 0;
  });
  return out;
}

describe('createLiveStatistics', () => {
  test('clicks lower the gate and move the embedding to the behaviour view, exactly as offline; cold items stay', async () => {
    const { split, dataset } = live.data;
    const numItems = dataset.items.size;
    const serving = await loadServingModel({ dir: live.dir });
    const artifacts = await readArtifacts({ dir: live.dir });
    try {
      expect(serving.live).toBeDefined();
      const reference = artifacts.itemStatistics!.referenceTime;
      const warmRows = [...Array(numItems).keys()].filter((i) => live.warm[i] === 1);
      const popular = warmRows[0]!;
      const quiet = warmRows[1]!;
      const cold = live.warm.indexOf(0);
      const events: LiveEvent[] = [];
      for (let e = 0; e < 40; e++) events.push({ row: popular, type: 'click', at: reference + DAY + e * 60 });
      for (let e = 0; e < 5; e++) events.push({ row: quiet, type: 'exposure', at: reference + 2 * DAY });
      for (let e = 0; e < 30; e++) events.push({ row: cold, type: 'click', at: reference + DAY });
      const statistics = createLiveStatistics({ model: serving.live!, batchSize: 8 });
      statistics.record(events);
      expect(statistics.pending).toBe(2);
      expect(statistics.now).toBe(reference + 2 * DAY);
      const before = tf.memory().numTensors;
      const update = await statistics.nextUpdate();
      expect(tf.memory().numTensors).toBe(before);
      expect(statistics.pending).toBe(0);
      expect(await statistics.nextUpdate()).toBeUndefined();
      expect(Array.from(update!.rows)).toEqual([popular, quiet].sort((x, y) => x - y));

      // Offline reference: the training rows plus the events as rows, through the model's own forward pass.
      const offlineStatistics = computeItemStatistics({
        interactions: withEvents(split.train, events),
        numItems,
      });
      expect(statistics.countsOf(popular).clicks).toBe(offlineStatistics.clicks[popular]);
      expect(statistics.countsOf(cold).clicks).toBe(offlineStatistics.clicks[cold]);
      const store = createItemFeatureStore({
        config: artifacts.config,
        content: dataset.content,
        statistics: offlineStatistics,
        warm: live.warm,
      });
      const views = artifacts.model.itemViews(store.batch(update!.rows));
      const offlineItems = (await views.item.data()) as Float32Array;
      const offlineGates = (await views.gate!.data()) as Float32Array;
      const idViews = (await views.id!.data()) as Float32Array;
      disposeViews(views);
      const dim = live.dim;
      for (let i = 0; i < offlineItems.length; i++)
        expect(update!.embeddings[i]).toBeCloseTo(offlineItems[i]!, 6);
      for (let n = 0; n < update!.rows.length; n++) expect(update!.gates[n]).toBeCloseTo(offlineGates[n]!, 6);

      // The clicked item's gate fell and its embedding came closer to its behaviour view.
      const n = Array.from(update!.rows).indexOf(popular);
      const trainedGate = artifacts.itemMeta.gate![popular]!;
      expect(update!.gates[n]).toBeLessThan(trainedGate - 0.01);
      const distance = (vector: Float32Array) => {
        let sum = 0;
        for (let d = 0; d < dim; d++) sum += (vector[d]! - idViews[n * dim + d]!) ** 2;
        return Math.sqrt(sum);
      };
      const trainedVector = live.itemEmbeddings.subarray(popular * dim, (popular + 1) * dim);
      expect(distance(update!.embeddings.subarray(n * dim, (n + 1) * dim))).toBeLessThan(
        distance(trainedVector),
      );
    } finally {
      serving.dispose();
      artifacts.dispose();
    }
  });

  test('decay halves counts per half-life; bad options are refused; old folders have no live loop', async () => {
    const serving = await loadServingModel({ dir: live.dir });
    try {
      const model = serving.live!;
      const reference = model.trained.referenceTime;
      const row = model.trained.warm.indexOf(1);
      const trainedExposures = model.trained.exposures[row]!;
      const trainedClicks = model.trained.clicks[row]!;
      const statistics = createLiveStatistics({ model, halfLifeDays: 2 });
      statistics.record([{ row, type: 'click', at: reference + 2 * DAY }]);
      statistics.record([{ row, type: 'exposure', at: reference + 4 * DAY }]);
      // Training counts aged 4 days (x 1/4), the click aged 2 days (x 1/2), the exposure fresh.
      const counts = statistics.countsOf(row);
      expect(counts.exposures).toBeCloseTo(trainedExposures / 4 + 0.5 + 1, 10);
      expect(counts.clicks).toBeCloseTo(trainedClicks / 4 + 0.5, 10);
      // An event older than the counts weighs its age: 2 days before the counts' time -> 1/2.
      statistics.record([{ row, type: 'exposure', at: reference + 2 * DAY }]);
      expect(statistics.countsOf(row).exposures).toBeCloseTo(trainedExposures / 4 + 0.5 + 1 + 0.5, 10);
      await expectNoTensorLeak(async () => {
        await statistics.nextUpdate();
      });
      expect(() => createLiveStatistics({ model, halfLifeDays: 0 })).toThrow(/halfLifeDays/);
      expect(() => createLiveStatistics({ model, batchSize: 0 })).toThrow(/batchSize/);
      expect(() => statistics.record([{ row: -1, type: 'click', at: reference }])).toThrow(/training row/);
    } finally {
      serving.dispose();
    }
    const older = await loadServingModel({ dir: old.dir });
    expect(older.live).toBeUndefined();
    older.dispose();
  });
});
