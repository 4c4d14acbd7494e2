import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';

import { loadTrainingData } from './data-source';

const base = { source: 'synthetic', preset: 'tiny', seed: 3 } as const;
const timeSplit = { method: 'time', validFraction: 0.1, testFraction: 0.1, coldItemFraction: 0.1 } as const;

async function exportFile(lines: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mmrecall-events-'));
  const file = join(dir, 'events.csv');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe("data.events: the serving layer's event export read back as exposures and clicks", () => {
  it('appends each row to the interactions before the split; unknown users become users without profile', async () => {
    const without = await loadTrainingData({ data: { ...base, split: timeSplit } });
    const { dataset } = without;
    const at = dataset.interactions.timestamps![0]! + 3600;
    const file = await exportFile([
      'user_id,item_id,timestamp,click',
      `"u,""1""",i007,${at},1`,
      `_anonymous,i007,${at + 0.5},0`,
      `${dataset.users.ids[4]},i123,${at + 60},1`,
    ]);
    const data = await loadTrainingData({ data: { ...base, split: timeSplit, events: [file] } });
    const rows = dataset.interactions.users.length;
    const merged = data.dataset.interactions;
    expect(merged.users.length).toBe(rows + 3);
    expect(data.numUsers).toBe(dataset.users.size + 2);
    const ids = data.dataset.users.ids;
    expect([ids[merged.users[rows]!], ids[merged.users[rows + 1]!], ids[merged.users[rows + 2]!]]).toEqual([
      'u,"1"',
      '_anonymous',
      dataset.users.ids[4],
    ]);
    const items = data.dataset.items.ids;
    expect(Array.from(merged.items.subarray(rows), (item) => items[item])).toEqual(['i007', 'i007', 'i123']);
    expect(Array.from(merged.clicks!.subarray(rows))).toEqual([1, 0, 1]);
    expect(Array.from(merged.timestamps!.subarray(rows))).toEqual([at, at + 0.5, at + 60]);
    // New users have empty profile rows.
    const offsets = data.dataset.userFeatures!.offsets;
    expect(offsets).toHaveLength(data.numUsers + 1);
    expect(offsets[data.numUsers]).toBe(offsets[dataset.users.size]);
    // Every row lands in one part of the split; the events are early, so in train with their counts.
    const { train, valid, test } = data.split;
    expect(train.users.length + valid.users.length + test.users.length).toBe(rows + 3);
    const item7 = data.dataset.items.ids.indexOf('i007');
    const trainRowsOf = (split: typeof train, item: number) => split.items.filter((i) => i === item).length;
    expect(trainRowsOf(train, item7)).toBe(trainRowsOf(without.split.train, item7) + 2);
    expect(data.statistics.exposures[item7]).toBe(without.statistics.exposures[item7]! + 2);
    expect(data.statistics.clicks[item7]).toBe(without.statistics.clicks[item7]! + 1);
    expect(data.notes).toContain(
      `events ${file}: 3 rows (1 exposures without a click, 2 clicks), 2 new users`,
    );
  });

  it("a bad export names file, line and field; the generator's own split refuses events", async () => {
    const unknown = await exportFile([
      'user_id,item_id,timestamp,click',
      'u1,i007,1767225600,1',
      'u1,nope,1767225600,1',
    ]);
    const error = await loadTrainingData({ data: { ...base, split: timeSplit, events: [unknown] } }).catch(
      (caught: unknown) => caught,
    );
    expect(InvalidDatasetError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ file: unknown, line: 3, field: 'item_id', kind: 'unknown-item' });

    const badTime = await exportFile(['user_id,item_id,timestamp,click', 'u1,i007,yesterday,1']);
    await expect(
      loadTrainingData({ data: { ...base, split: timeSplit, events: [badTime] } }),
    ).rejects.toMatchObject({
      file: badTime,
      line: 2,
      field: 'timestamp',
    });

    const noClick = await exportFile(['user_id,item_id,timestamp', 'u1,i007,1767225600']);
    await expect(
      loadTrainingData({ data: { ...base, split: timeSplit, events: [noClick] } }),
    ).rejects.toThrow(new RegExp(`${noClick}.*click`));

    const good = await exportFile(['user_id,item_id,timestamp,click', 'u1,i007,1767225600,1']);
    const refused = await loadTrainingData({ data: { ...base, events: [good] } }).catch(
      (caught: unknown) => caught,
    );
    expect(InvalidArgumentError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/config\.data\.events.*split\.method/);
  });
});
