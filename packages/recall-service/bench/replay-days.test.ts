import { readArtifacts } from '@mmrecall/model';
import {
  createTempDir,
  removeTempDir,
  setClickShyGate,
  type TestArtifacts,
  writeTestArtifacts,
} from '@mmrecall/test-artifacts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import {
  createLiveStatistics,
  createRecallService,
  loadServingModel,
  type RecallService,
} from '../src/index';
import { replayDays } from './replay-days';

const K = 10;
const CLICKS = 200;
let parent: string;
let artifacts: TestArtifacts;

beforeAll(async () => {
  parent = await createTempDir();
  artifacts = await writeTestArtifacts({
    parent,
    name: 'live',
    liveLoop: true,
    prepareModel: setClickShyGate,
  });
});

afterAll(async () => {
  await removeTempDir(parent);
});

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, v, j) => sum + v * b[j]!, 0);

/** Rows of the top `k` by inner product with `query`. */
function topRows(query: Float32Array, items: Float32Array, dim: number, k: number): number[] {
  const scores = Array.from({ length: items.length / dim }, (_, row) => ({
    row,
    score: dot(query, items.subarray(row * dim, (row + 1) * dim)),
  }));
  return scores
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((entry) => entry.row);
}

describe('replayDays', () => {
  test("an item whose clicks arrive moves towards its ID view and enters the live arm's list; the frozen arm stays", async () => {
    const { dim, warm, itemEmbeddings, userEmbeddings } = artifacts;
    const itemIds = artifacts.data.dataset.items.ids;
    const userIds = artifacts.data.dataset.users.ids;
    const coldItems = Uint8Array.from(warm, (w) => 1 - w);
    const serving = await loadServingModel({ dir: artifacts.dir });
    const views = (await readArtifacts({ dir: artifacts.dir })).itemViews!;
    const reference = serving.live!.trained.referenceTime;
    const at = reference + 3600;

    // The offline computation: every warm item's embedding after CLICKS clicks at `at`.
    const statistics = createLiveStatistics({ model: serving.live!, batchSize: 1024 });
    const warmRows = [...warm.keys()].filter((row) => warm[row] === 1);
    statistics.record(
      warmRows.flatMap((row) => Array.from({ length: CLICKS }, () => ({ row, type: 'click' as const, at }))),
    );
    const update = (await statistics.nextUpdate())!;
    serving.dispose();
    const after = new Map<number, Float32Array>();
    update.rows.forEach((row, n) => {
      after.set(row, update.embeddings.slice(n * dim, (n + 1) * dim));
    });

    // A user and an item that the clicks bring into the user's top K (outside it before).
    let found: { user: number; row: number; liveItems: Float32Array } | undefined;
    search: for (const row of warmRows) {
      const moved = itemEmbeddings.slice();
      moved.set(after.get(row)!, row * dim);
      for (let user = 0; user < userIds.length; user++) {
        const query = userEmbeddings.subarray(user * dim, (user + 1) * dim);
        if (topRows(query, itemEmbeddings, dim, K).includes(row)) continue;
        if (!topRows(query, moved, dim, K).includes(row)) continue;
        found = { user, row, liveItems: moved };
        break search;
      }
    }
    expect(found).toBeDefined();
    const { user, row, liveItems } = found!;
    const slice = (table: Float32Array) => table.subarray(row * dim, (row + 1) * dim);
    const distance = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, j) => v - b[j]!));
    // Towards the behaviour view (the click-shy gate falls with clicks).
    expect(distance(after.get(row)!, slice(views.id))).toBeLessThan(
      distance(slice(itemEmbeddings), slice(views.id)),
    );

    const services: RecallService[] = [];
    for (let i = 0; i < 2; i++) {
      const service = createRecallService({ artifactsDir: artifacts.dir, index: 'exact' });
      await service.ready;
      services.push(service);
    }
    try {
      const query = userEmbeddings.subarray(user * dim, (user + 1) * dim);
      const coldShareOf = (items: Float32Array) =>
        topRows(query, items, dim, K).filter((r) => coldItems[r] === 1).length / K;
      const itemId = itemIds[row]!;
      const events = Array.from({ length: CLICKS }, () => ({ itemId, type: 'click' as const, at }));
      const queries = [{ userId: userIds[user]!, exclude: [], heldOut: [itemId] }];
      const results = await replayDays({
        arms: [
          { name: 'frozen', service: services[0]!, streams: false },
          { name: 'live', service: services[1]!, streams: true },
        ],
        // Day 1 streams the clicks; day 2 streams nothing and must keep them.
        days: [
          { label: 'day 1', events, queries },
          { label: 'day 2', events: [], queries },
        ],
        k: K,
        itemIds,
        coldItems,
        itemPopularity: new Float32Array(itemIds.length),
        eventBatch: 64,
      });
      for (const day of results) {
        expect(day.frozen).toMatchObject({
          recall: 0,
          recallWarm: 0,
          queries: 1,
          changedSlots: 0,
          applySeconds: 0,
        });
        // One item entered the list (and pushed one out).
        expect(day.live).toMatchObject({ recall: 1, recallWarm: 1, queries: 1, changedSlots: 1 / K });
        expect(Number.isNaN(day.live!.recallCold)).toBe(true);
        expect(day.frozen!.coldShare).toBeCloseTo(coldShareOf(itemEmbeddings), 10);
        expect(day.live!.coldShare).toBeCloseTo(coldShareOf(liveItems), 10);
      }
      expect(results[0]!.live!.applySeconds).toBeGreaterThan(0);
      expect(results[1]!.live!.applySeconds).toBe(0);
    } finally {
      for (const service of services) await service.dispose();
    }
  });
});
