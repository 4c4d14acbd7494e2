import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataFolder, readInteractionsCsv, readUserFeaturesJsonl } from './index';
import {
  createParquetReaders,
  describeParquet,
  readInteractionsParquet,
  readItemsParquet,
  readUserFeaturesParquet,
} from './parquet';
import { createFixtureDir, expectDatasetError } from './test-helpers';

const fixtures = createFixtureDir('parquet');
afterAll(() => fixtures.cleanup());

/** Writes a Parquet file from a SQL query with DuckDB itself (the reference writer). */
async function writeParquet(name: string, query: string): Promise<string> {
  const path = `${fixtures.dir}/${name}`;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`COPY (${query}) TO '${path}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
  return path;
}

let interactions = '';
beforeAll(async () => {
  // 5000 rows: user u(r % 37), item i(r % 101), millisecond timestamps, a click every third row.
  interactions = await writeParquet(
    'interactions.parquet',
    `SELECT 'u' || (r % 37) AS user_id, 'i' || (r % 101) AS item_id, 1700000000000 + r * 1000 AS ts,
            CASE WHEN r % 3 = 0 THEN 0 ELSE 1 END AS click FROM range(5000) t(r)`,
  );
});

describe('Parquet through DuckDB', () => {
  it('reads interactions in batches, equal to the same rows read from CSV', async () => {
    const progress: number[] = [];
    const read = await readInteractionsParquet({
      path: interactions,
      columns: { user: 'user_id', item: 'item_id', timestamp: 'ts', click: 'click' },
      onProgress: (p) => progress.push(p.rows),
    });
    const csvRows = ['user_id,item_id,ts,click'];
    for (let r = 0; r < 5000; r++)
      csvRows.push(`u${r % 37},i${r % 101},${1700000000000 + r * 1000},${r % 3 === 0 ? 0 : 1}`);
    const csv = await readInteractionsCsv({
      path: fixtures.write('same.csv', `${csvRows.join('\n')}\n`),
      columns: { user: 'user_id', item: 'item_id', timestamp: 'ts', click: 'click' },
    });
    expect(read.users.ids).toEqual(csv.users.ids);
    expect(read.items.ids).toEqual(csv.items.ids);
    expect(read.interactions).toEqual(csv.interactions);
    expect(read.warnings[0]).toMatch(/column "ts" read as milliseconds/);
    expect(progress.length).toBeGreaterThan(1); // more than one 2,048-row batch
    expect(progress[progress.length - 1]).toBe(5000);
  });

  it('names the row and column of a NUL byte in an id or a fractional weight', async () => {
    const nul = await writeParquet(
      'nul.parquet',
      `SELECT * FROM (VALUES ('u1', 'a'), ('u2', 'b' || chr(0))) t(user_id, item_id)`,
    );
    const error = await expectDatasetError(
      readInteractionsParquet({ path: nul, columns: { user: 'user_id', item: 'item_id' } }),
    );
    expect(error).toMatchObject({ file: nul, line: 2, field: 'item_id', kind: 'invalid-id' });
    const weights = await writeParquet(
      'weights.parquet',
      `SELECT * FROM (VALUES ('u1', 'a', 2), ('u2', 'b', 1.5)) t(user_id, item_id, w)`,
    );
    const bad = await expectDatasetError(
      readInteractionsParquet({ path: weights, columns: { user: 'user_id', item: 'item_id', weight: 'w' } }),
    );
    expect(bad).toMatchObject({ line: 2, field: 'w', kind: 'invalid-weight' });
  });

  it('reads items: list<float> as a vector, list<varchar> as tags, and refuses an unused column', async () => {
    const path = await writeParquet(
      'items.parquet',
      `SELECT * FROM (VALUES ('a', ['rock', 'pop'], [1.0, 2.0]::FLOAT[], 'A'), ('b', [], [3.0, 4.0]::FLOAT[], 'B')) t(id, tags, image, title)`,
    );
    expect(await describeParquet(path)).toEqual([
      { name: 'id', type: 'string' },
      { name: 'tags', type: 'string[]' },
      { name: 'image', type: 'number[]' },
      { name: 'title', type: 'string' },
    ]);
    const error = await expectDatasetError(readItemsParquet({ path, vectorFields: ['image'] }));
    expect(error).toMatchObject({ file: path, line: 1, field: 'title', kind: 'unknown-field' });
    const read = await readItemsParquet({ path, vectorFields: ['image'], ignoreFields: ['title'] });
    expect(read.items.ids).toEqual(['a', 'b']);
    expect(Array.from(read.vectors.image?.data ?? [])).toEqual([1, 2, 3, 4]);
    expect(read.tags.vocabulary.ids).toEqual(['rock', 'pop']);
    expect(read.fields).toEqual({ used: ['id', 'tags', 'image'], ignored: ['title'] });
  });

  it('loads a folder of Parquet files through loadDataFolder', async () => {
    const dir = `${fixtures.dir}/folder`;
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    const write = (name: string, query: string) => writeParquet(`folder/${name}`, query);
    await write(
      'train.parquet',
      `SELECT * FROM (VALUES ('u1', 'a', 10), ('u2', 'b', 20)) t(user_id, item_id, timestamp)`,
    );
    await write('test.parquet', `SELECT * FROM (VALUES ('u1', 'c', 30)) t(user_id, item_id, timestamp)`);
    await write(
      'items.parquet',
      `SELECT * FROM (VALUES ('a', [1.0, 0.0]), ('b', [0.0, 1.0]), ('c', [1.0, 1.0])) t(id, image)`,
    );
    const result = await loadDataFolder({ dir, parquet: createParquetReaders() });
    expect(result.dataset.items.ids).toEqual(['a', 'b', 'c']);
    expect(Array.from(result.given?.test.items ?? [])).toEqual([2]);
    expect(Array.from(result.dataset.content.vectors.image?.data ?? [])).toEqual([1, 0, 0, 1, 1, 1]);
    expect(result.files.map((file) => [file.role, file.rows])).toEqual([
      ['items', 3],
      ['train', 2],
      ['test', 1],
    ]);
  });

  it('reads a user table: the same profiles as the same records in JSONL (lists, integers, BIGINT ids, nulls)', async () => {
    const path = await writeParquet(
      'users.parquet',
      `SELECT * FROM (VALUES ('u1', 25, 'F', true, ['de', 'en']), ('u2', 40, NULL, false, []),
                             ('u3', 31, 'M', true, ['fr'])) t(user_id, age, gender, premium, langs)`,
    );
    const progress: number[] = [];
    const parquet = await readUserFeaturesParquet({ path, onProgress: (p) => progress.push(p.rows) });
    const jsonl = await readUserFeaturesJsonl({
      path: fixtures.write(
        'users.jsonl',
        [
          '{"user_id": "u1", "age": 25, "gender": "F", "premium": true, "langs": ["de", "en"]}',
          '{"user_id": "u2", "age": 40, "gender": null, "premium": false, "langs": []}',
          '{"user_id": "u3", "age": 31, "gender": "M", "premium": true, "langs": ["fr"]}',
        ].join('\n'),
      ),
    });
    expect(parquet.users.ids).toEqual(['u1', 'u2', 'u3']);
    expect(parquet.features.vocabulary.ids).toEqual(jsonl.features.vocabulary.ids);
    expect(parquet.features.offsets).toEqual(jsonl.features.offsets);
    expect(parquet.features.values).toEqual(jsonl.features.values);
    expect(jsonl.features.vocabulary.ids).toEqual([
      'age:25',
      'gender:F',
      'premium:true',
      'langs:de',
      'langs:en',
      'age:40',
      'premium:false',
      'age:31',
      'gender:M',
      'langs:fr',
    ]);
    expect(parquet.fields).toEqual({ used: ['user_id', 'age', 'gender', 'premium', 'langs'], ignored: [] });
    expect(progress).toEqual([3]);
    const bigint = await writeParquet(
      'users-bigint.parquet',
      `SELECT 9007199254740993::BIGINT AS user_id, 'de' AS country`,
    );
    expect((await readUserFeaturesParquet({ path: bigint })).users.ids).toEqual(['9007199254740993']);
  });

  it('user table errors name file, row and column', async () => {
    const cases: [string, string, Record<string, unknown>, Record<string, unknown>?][] = [
      ['u-noid.parquet', `SELECT 'u1' AS id, 'de' AS country`, { field: 'user_id', kind: 'missing-column' }],
      [
        'u-unknown.parquet',
        `SELECT 'u1' AS user_id, 'de' AS country, 'x' AS city`,
        { field: 'city', kind: 'unknown-field' },
        { features: ['country'] },
      ],
      [
        'u-dup.parquet',
        `SELECT * FROM (VALUES ('u1', 'de'), ('u2', 'fr'), ('u1', 'it')) t(user_id, country)`,
        { line: 3, field: 'user_id', kind: 'duplicate-id' },
      ],
      [
        'u-nul.parquet',
        `SELECT * FROM (VALUES ('u1', 'de'), ('u' || chr(0), 'fr')) t(user_id, country)`,
        { line: 2, field: 'user_id', kind: 'invalid-id' },
      ],
      [
        'u-null-id.parquet',
        `SELECT * FROM (VALUES ('u1', 'de'), (NULL, 'fr')) t(user_id, country)`,
        { line: 2, field: 'user_id', kind: 'empty-field' },
      ],
      [
        'u-nan.parquet',
        `SELECT * FROM (VALUES ('u1', 1.0::DOUBLE), ('u2', 'nan'::DOUBLE)) t(user_id, score)`,
        { line: 2, field: 'score', kind: 'nan' },
      ],
      [
        'u-struct.parquet',
        `SELECT 'u1' AS user_id, {'lat': 1.0, 'lon': 2.0} AS geo`,
        { line: 1, field: 'geo', kind: 'invalid-type' },
      ],
    ];
    for (const [name, query, expected, extra] of cases) {
      const path = await writeParquet(name, query);
      const error = await expectDatasetError(readUserFeaturesParquet({ ...extra, path }));
      expect(error, name).toMatchObject({ file: path, ...expected });
      if (expected.line === undefined) expect(error.line, name).toBeUndefined();
    }
    const skipped = await readUserFeaturesParquet({
      path: `${fixtures.dir}/u-dup.parquet`,
      skipInvalid: true,
    });
    expect(skipped.report).toMatchObject({ rows: 2, skipped: 1, skippedByKind: { 'duplicate-id': 1 } });
  });

  it('loadDataFolder reads users.parquet and users.jsonl', async () => {
    const fs = await import('node:fs/promises');
    for (const format of ['parquet', 'jsonl'] as const) {
      const dir = `${fixtures.dir}/users-${format}`;
      await fs.mkdir(dir);
      await fs.writeFile(`${dir}/interactions.csv`, 'user_id,item_id\nu1,a\nu2,b\n');
      if (format === 'parquet') {
        await writeParquet(
          `users-${format}/users.parquet`,
          `SELECT * FROM (VALUES ('u2', 'fr'), ('u3', 'de')) t(user_id, country)`,
        );
      } else {
        await fs.writeFile(
          `${dir}/users.jsonl`,
          '{"user_id": "u2", "country": "fr"}\n{"user_id": "u3", "country": "de"}\n',
        );
      }
      const result = await loadDataFolder({ dir, parquet: createParquetReaders() });
      expect(result.dataset.users.ids, format).toEqual(['u1', 'u2', 'u3']);
      expect(Array.from(result.dataset.userFeatures?.offsets ?? []), format).toEqual([0, 0, 1, 2]);
      expect(result.dataset.userFeatures?.vocabulary.ids, format).toEqual(['country:fr', 'country:de']);
      expect(result.files.at(-1), format).toMatchObject({
        role: 'users',
        rows: 2,
        used: ['user_id', 'country'],
      });
      expect(result.unusedFiles, format).toEqual([]);
    }
  });
});
