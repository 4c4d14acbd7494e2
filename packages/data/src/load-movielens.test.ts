import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMovieLens100k } from './index';
import { createFixtureDir, expectDatasetError } from './test-helpers';

const fixtures = createFixtureDir('ml');
afterAll(() => fixtures.cleanup());

const GENRES = 'unknown|0\nAction|1\nComedy|2\n';
const ITEMS = '1|Caf\xe9 (1995)|01-Jan-1995||url|0|1|1\n2|B (1996)|01-Jan-1996||url|1|0|0\n';

function folder(name: string, overrides: Record<string, string | Buffer> = {}): string {
  const dir = join(fixtures.dir, name);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string | Buffer> = {
    'u.genre': GENRES,
    'u.item': Buffer.from(ITEMS, 'latin1'),
    'u.occupation': 'artist\nnone\n',
    'u.user': '1|17|F|artist|12345\n2|60|M|none|54321\n',
    'u.data': '2\t1\t5\t900\n1\t2\t2\t800\n',
    ...overrides,
  };
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

describe('loadMovieLens100k (fixtures)', () => {
  it('reads a genre count from u.genre, latin-1 titles, age buckets and the click threshold', async () => {
    const { dataset, titles } = await loadMovieLens100k({ dir: folder('ok'), positiveThreshold: 4 });
    expect(titles).toEqual(['Café (1995)', 'B (1996)']);
    expect(dataset.content.tags?.vocabulary.ids).toEqual(['unknown', 'Action', 'Comedy']);
    expect(Array.from(dataset.content.tags?.values ?? [])).toEqual([1, 2, 0]);
    const features = dataset.userFeatures;
    const names = (user: number) =>
      Array.from(
        features?.values.subarray(features.offsets[user], features.offsets[user + 1]) ?? [],
        (f) => features?.vocabulary.ids[f],
      );
    expect(names(0)).toEqual(['age:<18', 'gender:F', 'occupation:artist']);
    expect(names(1)).toEqual(['age:56+', 'gender:M', 'occupation:none']);
    expect(Array.from(dataset.interactions.users)).toEqual([1, 0]);
    expect(Array.from(dataset.interactions.clicks ?? [])).toEqual([1, 0]);
    expect(dataset.content.vectors).toEqual({});
  });

  it('names the file and line of bad rows', async () => {
    const badItem = await expectDatasetError(
      loadMovieLens100k({ dir: folder('bad-item', { 'u.item': '1|A|x||u|0|1\n' }) }),
    );
    expect([badItem.kind, badItem.line]).toEqual(['column-count', 1]);
    expect(badItem.file).toMatch(/u\.item$/);
    const unknownUser = await expectDatasetError(
      loadMovieLens100k({ dir: folder('bad-data', { 'u.data': '1\t1\t5\t1\n3\t1\t5\t2\n' }) }),
    );
    expect([unknownUser.kind, unknownUser.line, unknownUser.file.endsWith('u.data')]).toEqual([
      'unknown-user',
      2,
      true,
    ]);
    const badAge = await expectDatasetError(
      loadMovieLens100k({ dir: folder('bad-age', { 'u.user': '1|old|F|artist|1\n' }) }),
    );
    expect([badAge.kind, badAge.field]).toEqual(['non-numeric', 'age']);
  });
});
