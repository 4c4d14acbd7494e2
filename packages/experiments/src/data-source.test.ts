import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainingData } from './data-source';

describe('loadTrainingData', () => {
  it('loads the tiny synthetic preset with statistics from the training period', async () => {
    const data = await loadTrainingData({ data: { source: 'synthetic', preset: 'tiny', seed: 3 } });
    expect(data.numItems).toBe(400);
    expect(data.numUsers).toBe(300);
    // statistics and popularity only count training positives: cold items have none
    for (let i = 0; i < data.numItems; i++) {
      if (data.split.coldItems[i] === 1) expect(data.popularity[i]).toBe(0);
      else expect(data.popularity[i]).toBeGreaterThan(0);
    }
    expect(data.summary).toMatch(/^synthetic-tiny: 300 users, 400 items/);
  });

  it('names config.data.path when a folder cannot be read', async () => {
    await expect(
      loadTrainingData({ data: { source: 'tiktok', path: '/nonexistent/tiktok', preset: 'tiny', seed: 1 } }),
    ).rejects.toThrow(/nonexistent\/tiktok/);
  });

  it('loads a folder: interactions.csv with time and click columns, items.jsonl with tags and vectors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmrecall-folder-'));
    const rows = ['user_id,item_id,timestamp,click'];
    for (let t = 0; t < 100; t++) rows.push(`u${t % 7},i${(t * 3) % 11},${1000 + t},${t % 4 === 0 ? 0 : 1}`);
    await writeFile(join(dir, 'interactions.csv'), `${rows.join('\n')}\n`);
    const items = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ id: `i${i}`, tags: [`t${i % 3}`], image: [i, 1, 0] }),
    );
    await writeFile(join(dir, 'items.jsonl'), `${items.join('\n')}\n`);
    // i10 appears only in the interactions: without a fill policy its missing vector is an error.
    await expect(
      loadTrainingData({ data: { source: 'folder', path: dir, preset: 'tiny', seed: 1 } }),
    ).rejects.toThrow(/1 of 11 items have no "image" vector/);
    const data = await loadTrainingData({
      data: { source: 'folder', path: dir, preset: 'tiny', seed: 1, items: { missingVectors: 'zeros' } },
    });
    expect(data.notes).toContain('vectors image: 1 items without one, filled with zeros');
    expect(data.numUsers).toBe(7);
    expect(data.numItems).toBe(11); // i10 appears only in the interactions: zero vector, no tags
    expect(data.dataset.content.vectors.image?.dim).toBe(3);
    expect(data.dataset.content.vectors.image?.data).toHaveLength(33);
    expect(data.dataset.content.tags?.vocabulary.size).toBe(3);
    expect(data.dataset.content.tags?.offsets).toHaveLength(12);
    // time split 80/10/10: the latest rows are the test rows
    expect(data.split.train.items.length + data.split.valid.items.length + data.split.test.items.length).toBe(
      100,
    );
    expect(Math.max(...data.split.train.timestamps!)).toBeLessThan(Math.min(...data.split.test.timestamps!));
    expect(data.summary).toMatch(/^folder:.*7 users, 11 items/);
  });
});
