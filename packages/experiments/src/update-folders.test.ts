import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelConfig } from '@mmrecall/model';
import { describe, expect, it } from 'vitest';
import { loadUpdateFolders } from './update-folders';

async function folder(root: string, name: string, rows: string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'interactions.csv'), `user_id,item_id,timestamp,click\n${rows.join('\n')}\n`);
  return dir;
}

describe('loadUpdateFolders', () => {
  const model = {
    config: defaultModelConfig({ kind: 'id-only', numUsers: 2, numItems: 2, vectors: {} }),
    idMaps: { users: ['u0', 'u1'], items: ['i0', 'i1'] },
  };

  it("keeps the model's ids first, adds new ones after them, and puts history in the same index space", async () => {
    const root = await mkdtemp(join(tmpdir(), 'mmrecall-update-folders-'));
    const data = await folder(root, 'new', ['u1,i2,100,1', 'u2,i0,101,1']);
    const history = await folder(root, 'old', ['u0,i1,10,1', 'u2,i2,11,0']);
    const lines: string[] = [];
    const loaded = await loadUpdateFolders({
      model,
      data: { dir: data, name: '--data' },
      history: { dir: history, name: '--history' },
      log: (line) => lines.push(line),
    });
    expect(loaded.dataset.users.ids).toEqual(['u0', 'u1', 'u2']);
    expect(loaded.dataset.items.ids).toEqual(['i0', 'i1', 'i2']);
    expect(Array.from(loaded.dataset.interactions.users)).toEqual([1, 2]);
    expect(Array.from(loaded.dataset.interactions.items)).toEqual([2, 0]);
    expect(Array.from(loaded.history!.users)).toEqual([0, 2]);
    expect(Array.from(loaded.history!.items)).toEqual([1, 2]);
    expect(Array.from(loaded.history!.clicks!)).toEqual([1, 0]);
    expect(loaded.heldOut).toBeUndefined();
    expect(lines[0]).toMatch(/^--data interactions .*interactions\.csv: 2 rows; used /);
    expect(lines.some((line) => line.startsWith('--history interactions'))).toBe(true);
  });

  it('names the folder of an id neither the model nor the update data knows, and of an unread column', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mmrecall-update-folders-'));
    const data = await folder(root, 'new', ['u1,i0,100,1']);
    const heldOut = await folder(root, 'held', ['u9,i0,200,1']);
    await expect(
      loadUpdateFolders({
        model,
        data: { dir: data, name: '--data' },
        heldOut: { dir: heldOut, name: 'held' },
      }),
    ).rejects.toThrow('held: user "u9" is neither in the model nor in the update data');
    const extra = join(root, 'extra');
    await mkdir(extra);
    await writeFile(join(extra, 'interactions.csv'), 'user_id,item_id,timestamp,click,foo\nu0,i0,1,1,x\n');
    await expect(loadUpdateFolders({ model, data: { dir: extra, name: 'new data' } })).rejects.toThrow(
      /^new data: .*interactions\.csv: unknown column foo \(the update reads user_id, item_id, timestamp, click\)$/,
    );
  });
});
