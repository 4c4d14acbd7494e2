import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createTempDir,
  removeTempDir,
  setClickShyGate,
  type TestArtifacts,
  writeTestArtifacts,
} from '@mmrecall/test-artifacts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { loadServingModel } from './load-serving-model';
import { createRecallService, type EventInput, type RecallService } from './recall-service';

let parent: string;
let artifacts: TestArtifacts;
let reference: number;

beforeAll(async () => {
  parent = await createTempDir();
  artifacts = await writeTestArtifacts({
    parent,
    name: 'live',
    liveLoop: true,
    prepareModel: setClickShyGate,
  });
  const model = await loadServingModel({ dir: artifacts.dir });
  reference = model.live!.trained.referenceTime;
  model.dispose();
});

afterAll(async () => {
  await removeTempDir(parent);
});

/** Every item's score for one user, by id (the index's vectors seen through a u2i query). */
async function scores(service: RecallService): Promise<Map<string, number>> {
  await service.eventsApplied();
  const answer = await service.u2i({ userId: artifacts.data.dataset.users.ids[0]!, k: 400 });
  return new Map(answer.items.map((item) => [item.id, item.score]));
}

const journalLines = async (file: string): Promise<string[]> =>
  (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');

describe('event journal compaction', () => {
  test('past the bound, events of the training period leave the journal; statistics after a restart equal those before', async () => {
    const ids = artifacts.data.dataset.items.ids;
    const warmRows = [...artifacts.warm.keys()].filter((row) => artifacts.warm[row] === 1);
    const [early, late, other] = warmRows.map((row) => ids[row]!);
    const journal = path.join(parent, 'bound.jsonl');
    const start = () =>
      createRecallService({
        artifactsDir: artifacts.dir,
        index: 'exact',
        events: { journal, maxKeptEvents: 10 },
      });
    const service = start();
    await service.ready;
    const trained = await scores(service);
    // 6 events inside the training period (they count as training data), then 8 after it.
    const before: EventInput[] = Array.from({ length: 6 }, (_, e) => ({
      itemId: early!,
      userId: `u${e}`,
      type: 'click',
      at: reference - 100 + e,
    }));
    const after: EventInput[] = Array.from({ length: 8 }, (_, e) => ({
      itemId: e < 6 ? late! : other!,
      userId: `u${e}`,
      type: e % 2 === 0 ? 'click' : 'exposure',
      at: reference + 3600 + e,
    }));
    await service.recordEvents({ events: before });
    expect(await journalLines(journal)).toHaveLength(6);
    const uncompacted = await scores(service);
    await service.recordEvents({ events: after.slice(0, 4) });
    // 10 kept: not past the bound yet.
    expect(await journalLines(journal)).toHaveLength(10);
    await service.recordEvents({ events: after.slice(4) });
    const lines = await journalLines(journal);
    expect(lines.map((line) => JSON.parse(line))).toEqual(after);
    const live = await scores(service);
    const exported = [...service.eventsCsv().chunks].join('');
    await service.dispose();

    // Events up to the reference time never changed a score; the later ones did.
    expect(uncompacted.get(early!)).toBeCloseTo(trained.get(early!)!, 10);
    expect(Math.abs(live.get(late!)! - trained.get(late!)!)).toBeGreaterThan(1e-3);
    expect(Math.abs(live.get(other!)! - trained.get(other!)!)).toBeGreaterThan(1e-4);

    const again = start();
    await again.ready;
    const restarted = await scores(again);
    expect(restarted.size).toBe(live.size);
    for (const [id, score] of live) expect(restarted.get(id)).toBeCloseTo(score, 6);
    expect([...again.eventsCsv().chunks].join('')).toBe(exported);
    expect(exported.split('\n')).toHaveLength(1 + 8 + 1);
    await again.dispose();
  });

  test("a load drops the events of the new model's training period from the journal it read", async () => {
    const ids = artifacts.data.dataset.items.ids;
    const item = ids[artifacts.warm.indexOf(1)]!;
    const journal = path.join(parent, 'load.jsonl');
    const kept = { itemId: item, type: 'click', at: reference + 60 };
    const lines = [
      { itemId: item, type: 'click', at: reference },
      kept,
      { itemId: item, userId: 'u1', type: 'exposure', at: reference - 86_400 },
    ];
    await writeFile(journal, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const service = createRecallService({ artifactsDir: artifacts.dir, index: 'exact', events: { journal } });
    await service.ready;
    expect((await journalLines(journal)).map((line) => JSON.parse(line))).toEqual([kept]);
    expect(service.eventsCsv().events).toBe(1);
    // Appends go to the rewritten file.
    await service.recordEvents({ events: [{ itemId: item, type: 'exposure', at: reference + 120 }] });
    expect(await journalLines(journal)).toHaveLength(2);
    await service.dispose();
  });
});
