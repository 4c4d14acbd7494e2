import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy, loadTiktok } from './index';
import { createFixtureDir, expectDatasetError } from './test-helpers';

const fixtures = createFixtureDir('tiktok');
afterAll(() => fixtures.cleanup());

/** Writes a sub-folder of the fixture dir with the given files. */
function makeFolder(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(fixtures.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

describe('loadTiktok (fixtures)', () => {
  const features = (rows: number) =>
    encodeNpy({ shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => i) });

  it('maps ids to their numeric value and computes cold items from train', async () => {
    const dir = makeFolder('ok', {
      'train.csv': 'user_id,item_id\n4,1\n2,0\n',
      'valid.csv': 'user_id,item_id\n0,2\n',
      'test.csv': 'user_id,item_id\n2,3\n',
      'image_feat.npy': features(5),
    });
    const { dataset, split } = await loadTiktok({ dir, features: ['image'] });
    expect(dataset.users.size).toBe(5);
    expect(dataset.items.size).toBe(5);
    expect(Array.from(split.train.users)).toEqual([4, 2]);
    expect(Array.from(split.valid.users)).toEqual([0]);
    expect(Array.from(split.test.items)).toEqual([3]);
    expect(Array.from(split.coldItems)).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(dataset.content.vectors.image?.data.subarray(2, 4) ?? [])).toEqual([2, 3]);
  });

  it('rejects items beyond the feature matrix, mismatched matrices and non-integer ids', async () => {
    const base = { 'valid.csv': 'user_id,item_id\n0,1\n', 'test.csv': 'user_id,item_id\n0,1\n' };
    const make = (name: string, files: Record<string, string | Uint8Array>) =>
      makeFolder(name, { ...base, ...files });
    const outside = await expectDatasetError(
      loadTiktok({
        dir: make('outside', { 'train.csv': 'user_id,item_id\n0,1\n0,7\n', 'image_feat.npy': features(3) }),
        features: ['image'],
      }),
    );
    expect([outside.kind, outside.line, outside.field]).toEqual(['unknown-item', 3, 'item_id']);
    const mismatch = await expectDatasetError(
      loadTiktok({
        dir: make('mismatch', {
          'train.csv': 'user_id,item_id\n0,1\n',
          'image_feat.npy': features(3),
          'audio_feat.npy': features(4),
        }),
      }),
    );
    expect(mismatch.kind).toBe('dimension');
    expect(mismatch.message).toMatch(/expected a \(3, dim\) matrix, got shape \(4, 2\)/);
    const nonNumeric = await expectDatasetError(
      loadTiktok({
        dir: make('text', { 'train.csv': 'user_id,item_id\nu0,1\n', 'image_feat.npy': features(3) }),
        features: ['image'],
      }),
    );
    expect([nonNumeric.kind, nonNumeric.field]).toEqual(['non-numeric', 'user_id']);
  });
});
