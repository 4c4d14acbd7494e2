import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy, loadDataFolder } from './index';
import { createFixtureDir, expectDatasetError } from './test-helpers';

const fixtures = createFixtureDir('folder');
afterAll(() => fixtures.cleanup());

let folders = 0;
/** A folder of the given files (name -> content). */
function folder(files: Record<string, string | Uint8Array>): string {
  const name = `f${folders++}`;
  mkdirSync(join(fixtures.dir, name));
  for (const [file, content] of Object.entries(files)) fixtures.write(join(name, file), content);
  return join(fixtures.dir, name);
}

const ITEMS = [
  '{"id": "a", "tags": ["x"], "genres": ["rock", "pop"], "image": [1, 0]}',
  '{"id": "b", "tags": [], "genres": ["jazz"], "image": [0, 1]}',
  '{"id": "c", "tags": ["y"], "genres": [], "image": [1, 1]}',
].join('\n');

describe('loadDataFolder', () => {
  it('one interactions file, items.jsonl (tags, a string list as categorical, a vector) and users.csv', async () => {
    const dir = folder({
      'interactions.csv': 'user_id,item_id,timestamp,click\nu1,a,10,1\nu2,b,20,0\nu1,c,30,1\n',
      'items.jsonl': `${ITEMS}\n`,
      'users.csv': 'user_id,country\nu1,de\nu2,fr\nu3,de\n',
      'notes.txt': 'not data',
    });
    const result = await loadDataFolder({ dir });
    const { dataset } = result;
    expect(dataset.items.ids).toEqual(['a', 'b', 'c']);
    expect(dataset.users.ids).toEqual(['u1', 'u2', 'u3']);
    expect(Array.from(dataset.interactions.clicks ?? [])).toEqual([1, 0, 1]);
    expect(dataset.content.tags?.vocabulary.ids).toEqual([
      'x',
      'genres:rock',
      'genres:pop',
      'genres:jazz',
      'y',
    ]);
    expect(Array.from(dataset.content.tags?.offsets ?? [])).toEqual([0, 3, 4, 5]);
    expect(Array.from(dataset.content.vectors.image?.data ?? [])).toEqual([1, 0, 0, 1, 1, 1]);
    expect(dataset.userFeatures?.vocabulary.ids).toEqual(['country:de', 'country:fr']);
    expect(Array.from(dataset.userFeatures?.values ?? [])).toEqual([0, 1, 0]);
    expect(result.given).toBeUndefined();
    expect(result.files.map(({ role, rows, used }) => [role, rows, used])).toEqual([
      ['items', 3, ['id', 'tags', 'genres', 'image']],
      ['interactions', 3, ['user_id', 'item_id', 'timestamp', 'click']],
      ['users', 3, ['user_id', 'country']],
    ]);
    expect(result.unusedFiles).toEqual(['notes.txt']);
  });

  it('keeps a pre-split folder exactly; items first seen in test join the map', async () => {
    const dir = folder({
      'train.csv': 'user_id,item_id\nu1,a\nu2,b\n',
      'valid.csv': 'user_id,item_id\nu1,b\n',
      'test.csv': 'user_id,item_id\nu2,z\nu3,a\n',
    });
    const { dataset, given } = await loadDataFolder({ dir });
    expect(dataset.items.ids).toEqual(['a', 'b', 'z']);
    expect(dataset.users.ids).toEqual(['u1', 'u2', 'u3']);
    expect(Array.from(given?.train.items ?? [])).toEqual([0, 1]);
    expect(Array.from(given?.valid.users ?? [])).toEqual([0]);
    expect(Array.from(given?.test.items ?? [])).toEqual([2, 0]);
    expect(Array.from(given?.test.users ?? [])).toEqual([1, 2]);
    expect(dataset.interactions.users.length).toBe(5);
  });

  it('reads RecBole atomic files: typed headers, tab delimiter, token_seq split at spaces; rating named as unused', async () => {
    const dir = folder({
      'ml.inter':
        'user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t5\t100\n2\t11\t3\t200\n',
      'ml.item': 'item_id:token\tgenre:token_seq\n10\tAction Comedy\n11\tDrama\n',
    });
    const result = await loadDataFolder({ dir, files: { interactions: 'ml.inter', items: 'ml.item' } });
    expect(result.dataset.items.ids).toEqual(['10', '11']);
    expect(result.dataset.content.tags?.vocabulary.ids).toEqual([
      'genre:Action',
      'genre:Comedy',
      'genre:Drama',
    ]);
    expect(Array.from(result.dataset.interactions.timestamps ?? [])).toEqual([100, 200]);
    expect(result.files[1]?.ignored).toEqual(['rating:float']);
    expect(result.warnings.join('\n')).toMatch(/"rating:float" not used/);
  });

  it('reads .npy vectors in the order of an id file; catalogue rows without interactions become items', async () => {
    const dir = folder({
      'interactions.tsv': 'user\titem\tts_ms\tplays\nu1\ta\t1700000000000\t2\nu2\tb\t1700000001000\t1\n',
      'image.npy': encodeNpy({ shape: [3, 2], data: Float32Array.from([5, 6, 1, 2, 3, 4]) }),
      'image_ids.txt': 'new\na\nb\n',
    });
    const result = await loadDataFolder({ dir, columns: { timestamp: 'ts_ms', weight: 'plays' } });
    const { dataset } = result;
    expect(dataset.items.ids).toEqual(['a', 'b', 'new']);
    expect(Array.from(dataset.content.vectors.image?.data ?? [])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(dataset.interactions.weights ?? [])).toEqual([2, 1]);
    expect(dataset.interactions.timestamps?.[0]).toBe(1_700_000_000);
    expect(result.warnings.join('\n')).toMatch(/"ts_ms" read as milliseconds/);
    expect(result.vectors).toEqual([{ name: 'image', dim: 2, source: 'image.npy', missing: 0 }]);
  });

  it('a vector missing for some items is an error naming the file and field, unless the fill policy is zeros', async () => {
    const files = {
      'interactions.csv': 'user_id,item_id\nu1,a\nu1,b\n',
      'image.npy': encodeNpy({ shape: [1, 2], data: Float32Array.from([1, 2]) }),
      'image_ids.txt': 'a\n',
    };
    const error = await expectDatasetError(loadDataFolder({ dir: folder(files) }));
    expect(error).toMatchObject({ field: 'image', kind: 'missing-vectors' });
    expect(error.file).toMatch(/image\.npy$/);
    expect(error.message).toMatch(/1 of 2 items have no "image" vector/);
    const filled = await loadDataFolder({ dir: folder(files), items: { missingVectors: 'zeros' } });
    expect(Array.from(filled.dataset.content.vectors.image?.data ?? [])).toEqual([1, 2, 0, 0]);
    // In the items file: the record without it is named by line.
    const dir = folder({
      'interactions.csv': 'user_id,item_id\nu1,a\nu1,b\n',
      'items.jsonl': '{"id": "a", "image": [1, 2]}\n{"id": "b"}\n',
    });
    const missing = await expectDatasetError(loadDataFolder({ dir }));
    expect(missing).toMatchObject({ line: 2, field: 'image', kind: 'missing-field' });
    expect(missing.file).toMatch(/items\.jsonl$/);
  });

  it('a header-only interactions file names the file, not a model size', async () => {
    const dir = folder({ 'interactions.csv': 'user_id,item_id\n' });
    const error = await expectDatasetError(loadDataFolder({ dir }));
    expect(error).toMatchObject({ line: 2, kind: 'no-rows' });
    expect(error.message).toMatch(/interactions\.csv:line 2: no data rows after the header/);
  });

  it('an item field that is neither used nor ignored is refused with file, line and field', async () => {
    const dir = folder({
      'interactions.csv': 'user_id,item_id\nu1,a\n',
      'items.jsonl': '{"id": "a", "title": "A"}\n',
    });
    const error = await expectDatasetError(loadDataFolder({ dir }));
    expect(error).toMatchObject({ line: 1, field: 'title', kind: 'unknown-field' });
    const ok = await loadDataFolder({ dir, items: { ignore: ['title'] } });
    expect(ok.files[0]?.ignored).toEqual(['title']);
  });
});
