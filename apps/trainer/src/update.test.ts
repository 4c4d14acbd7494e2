import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifacts } from '@mmrecall/model';
import { generateSyntheticDataset } from '@mmrecall/synthetic';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from './capture-io';
import { runCli } from './cli-app';

let base: string;
let root: string;
const { dataset, split } = generateSyntheticDataset({ preset: 'tiny', seed: 42 });

/** A data folder: the catalogue (plus one new item) and the valid rows (plus a new user's clicks). */
async function writeFolder(dir: string, extraColumn = false): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tags = dataset.content.tags!;
  const vector = (name: string, i: number) => {
    const { dim, data } = dataset.content.vectors[name]!;
    return Array.from(data.subarray(i * dim, (i + 1) * dim));
  };
  const records = dataset.items.ids.map((id, i) =>
    JSON.stringify({
      id,
      tags: Array.from(
        tags.values.subarray(tags.offsets[i], tags.offsets[i + 1]),
        (t) => tags.vocabulary.ids[t],
      ),
      image: vector('image', i),
      text: vector('text', i),
    }),
  );
  records.push(
    JSON.stringify({
      id: 'i_new',
      tags: [tags.vocabulary.ids[0]],
      image: vector('image', 3),
      text: vector('text', 3),
    }),
  );
  await writeFile(join(dir, 'items.jsonl'), `${records.join('\n')}\n`);
  const { users, items, timestamps, clicks } = split.valid;
  const lines = [`user_id,item_id,timestamp,click${extraColumn ? ',foo' : ''}`];
  const row = (user: string, item: string, time: number, click: number) =>
    lines.push(`${user},${item},${time},${click}${extraColumn ? ',1' : ''}`);
  for (let r = 0; r < users.length; r++)
    row(dataset.users.ids[users[r]!]!, dataset.items.ids[items[r]!]!, timestamps![r]!, clicks![r]!);
  const last = timestamps![users.length - 1]!;
  for (let k = 0; k < 6; k++) row(k % 2 === 0 ? 'u_new' : dataset.users.ids[k]!, 'i_new', last + k, 1);
  await writeFile(join(dir, 'interactions.csv'), `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mmrecall-cli-update-'));
  base = join(root, 'base');
  const c = captureIo();
  const argv = ['train', '--preset', 'tiny', '--epochs', '1', '--max-steps-per-epoch', '4', '--dim', '8'];
  argv.push('--batch-size', '64', '--max-queries', '30', '--set', 'model.useProfile=false', '-o', base, '-q');
  expect(await runCli({ argv, io: c.io }), c.stderr()).toBe(0);
  await writeFolder(join(root, 'window'));
});

describe('mmrecall-train update', () => {
  it('grows the model with a new user and item and writes artifacts the server can read', async () => {
    const out = join(root, 'updated');
    const c = captureIo();
    const argv = ['update', '--from', base, '--data', join(root, 'window'), '-o', out, '--steps', '5'];
    argv.push('--batch-size', '64', '--backend', 'wasm', '-q');
    expect(await runCli({ argv, io: c.io }), c.stderr()).toBe(0);
    expect(c.stdout()).toMatch(/^update: \+1 users, \+1 items; \d+ new clicks, 0 replayed; 5 steps of 64/);
    expect(c.stdout()).toContain(`artifacts:  ${join(out, 'artifacts')}`);
    expect(c.stderr()).toMatch(/optimizer state from .*checkpoint\.ckpt/);
    const artifacts = await readArtifacts({ dir: join(out, 'artifacts') });
    try {
      expect(artifacts.manifest.numItems).toBe(401);
      expect(artifacts.manifest.numUsers).toBe(301);
      expect(artifacts.idMaps.items[400]).toBe('i_new');
      expect(artifacts.idMaps.users[300]).toBe('u_new');
      // i_new got clicks: it is warm and served through its own ID row.
      expect(artifacts.itemMeta.warm[400]).toBe(1);
      expect(artifacts.itemMeta.clicks?.[400]).toBe(6);
    } finally {
      artifacts.dispose();
    }
  });

  it('rejects a column the update does not read in one line', async () => {
    const folder = join(root, 'extra-column');
    await writeFolder(folder, true);
    const c = captureIo();
    const argv = ['update', '--from', base, '--data', folder, '-o', join(root, 'never'), '-q'];
    expect(await runCli({ argv, io: c.io })).toBe(1);
    const errors = c
      .stderr()
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('mmrecall-train:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^mmrecall-train: error: --data: .*interactions\.csv: unknown column foo \(the update reads user_id, item_id, timestamp, click\)$/,
    );
  });
});
