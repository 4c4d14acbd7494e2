import path from 'node:path';
import { readInteractionsCsv } from '@mmrecall/data';
import { createLiveStatistics, loadServingModel } from '@mmrecall/recall-service';
import {
  createTempDir,
  removeTempDir,
  setClickShyGate,
  type TestArtifacts,
  writeTestArtifacts,
} from '@mmrecall/test-artifacts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRecallServer, type RecallServer } from './recall-server';
import { client, listen } from './test-client';

const ADMIN = 'test-admin-token-0123456789';
const INGEST = 'test-ingest-token-9876543210';

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

async function start(journal: string): Promise<{ server: RecallServer; call: ReturnType<typeof client> }> {
  const server = createRecallServer({
    artifactsDir: artifacts.dir,
    index: 'exact',
    adminToken: ADMIN,
    ingestToken: INGEST,
    events: { journal, maxEvents: 50 },
  });
  await server.ready;
  return { server, call: client(await listen(server)) };
}

/** Score of `id` among the i2i neighbours of `trigger`: trigger . v with v the vector the index holds for `id`. */
async function scoreFrom(call: ReturnType<typeof client>, trigger: string, id: string): Promise<number> {
  const answer = await call('POST', '/v1/recall/i2i', { body: { itemId: trigger, k: 399 } });
  expect(answer.status).toBe(200);
  return answer.body.items.find((item: { id: string }) => item.id === id).score;
}

async function appliedCount(call: ReturnType<typeof client>): Promise<number> {
  const text = (await call('GET', '/metrics')).body as string;
  const match = /mmrecall_event_to_index_seconds_count (\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('timed out');
}

describe('POST /v1/events over HTTP', () => {
  test('events move a clicked item exactly as the library does; bad batches change nothing; restart and export', async () => {
    const journal = path.join(parent, 'events.jsonl');
    const { server, call } = await start(journal);
    const ids = artifacts.data.dataset.items.ids;
    const row = artifacts.warm.indexOf(1);
    const id = ids[row] as string;
    const triggerRow = artifacts.warm.indexOf(1, row + 1);
    const trigger = ids[triggerRow] as string;
    const dim = artifacts.dim;
    const triggerVector = artifacts.itemEmbeddings.subarray(triggerRow * dim, (triggerRow + 1) * dim);
    const trainedScore = await scoreFrom(call, trigger, id);
    const model = await loadServingModel({ dir: artifacts.dir });
    const reference = model.live!.trained.referenceTime;
    const clickAt = Math.min(reference + 3600, Date.now() / 1000);
    const events = Array.from({ length: 30 }, (_, e) => ({
      itemId: id,
      userId: `u,"${e % 3}`,
      type: e % 3 === 0 ? 'exposure' : 'click',
      at: clickAt,
    }));

    expect((await call('POST', '/v1/events', { body: { events } })).status).toBe(401);
    const good = await call('POST', '/v1/events', { body: { events }, token: INGEST });
    expect(good.status).toBe(202);
    expect(good.body).toMatchObject({ accepted: 30, live: true });
    await waitFor(async () => (await appliedCount(call)) >= 1);

    // The library's computation for the same statistics.
    const statistics = createLiveStatistics({ model: model.live! });
    statistics.record(
      events.map((event) => ({ row, type: event.type as 'exposure' | 'click', at: event.at })),
    );
    const expected = (await statistics.nextUpdate())!.embeddings;
    model.dispose();
    const expectedScore = expected.reduce((sum, v, d) => sum + v * triggerVector[d]!, 0);
    const liveScore = await scoreFrom(call, trigger, id);
    expect(liveScore).toBeCloseTo(expectedScore, 4);
    expect(Math.abs(liveScore - trainedScore)).toBeGreaterThan(1e-3);

    const bad = [
      {
        events: [
          { itemId: id, type: 'click' },
          { itemId: 'no-such-item', type: 'click' },
        ],
      },
      { events: [{ itemId: id, type: 'like' }] },
      { events: [{ itemId: id, type: 'click', at: Date.now() / 1000 + 3600 }] },
      { events: Array.from({ length: 51 }, () => ({ itemId: id, type: 'click' })) },
      { events: [] },
    ];
    for (const body of bad) {
      const answer = await call('POST', '/v1/events', { body, token: ADMIN });
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(Object.keys(answer.body).sort()).toEqual(['error', 'message', 'statusCode']);
    }
    expect((await call('POST', '/v1/events', { body: bad[0], token: ADMIN })).body.message).toMatch(
      /events\[1\]\.itemId.*no-such-item/,
    );
    expect((await call('POST', '/v1/events', { body: bad[2], token: ADMIN })).body.message).toMatch(/future/);
    expect(await scoreFrom(call, trigger, id)).toBeCloseTo(liveScore, 6);
    const exported = path.join(parent, 'events.csv');
    expect(await server.service.exportEvents({ file: exported })).toBe(30);
    await server.close();

    // A restart replays the journal: the same statistics, the same embedding.
    const again = await start(journal);
    await waitFor(async () => (await appliedCount(again.call)) >= 1);
    expect(await scoreFrom(again.call, trigger, id)).toBeCloseTo(liveScore, 6);
    await again.server.close();

    // The export reads as exposures and clicks with the training reader.
    const read = await readInteractionsCsv({
      path: exported,
      columns: { user: 'user_id', item: 'item_id', timestamp: 'timestamp', click: 'click' },
    });
    const rows = read.interactions;
    expect(rows.items.length).toBe(30);
    expect(Array.from(rows.clicks!).filter((c) => c === 1)).toHaveLength(20);
    expect(read.items.ids).toEqual([id]);
    expect([...read.users.ids].sort()).toEqual(['u,"0', 'u,"1', 'u,"2']);
    expect(rows.timestamps![0]).toBeCloseTo(clickAt, 3);
  });
});
