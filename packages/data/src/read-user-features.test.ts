import { afterAll, describe, expect, it } from 'vitest';
import { createIdMapBuilder, readUserFeaturesCsv, readUserFeaturesJsonl } from './index';
import { createFixtureDir, expectDatasetError } from './test-helpers';

const fixtures = createFixtureDir('users');
afterAll(() => fixtures.cleanup());

let files = 0;
const write = (extension: string, content: string): string =>
  fixtures.write(`users${files++}${extension}`, content);

/** Feature names per user, in the order of the user map (decodes the multi-hot CSR). */
function profiles(read: Awaited<ReturnType<typeof readUserFeaturesJsonl>>): Record<string, string[]> {
  const { offsets, values, vocabulary } = read.features;
  const out: Record<string, string[]> = {};
  read.users.ids.forEach((id, u) => {
    out[id] = Array.from(values.subarray(offsets[u] as number, offsets[u + 1] as number), (v) => {
      return vocabulary.ids[v] as string;
    });
  });
  return out;
}

describe('user tables', () => {
  it('CSV: column:value features, several values per cell, an empty cell gives none', async () => {
    const users = createIdMapBuilder({ ids: ['u9'] });
    const read = await readUserFeaturesCsv({
      path: write('.csv', 'user_id,country,langs,note\nu1,de,de|en,x\nu2,fr,,y\n'),
      users,
      ignore: ['note'],
    });
    expect(profiles(read)).toEqual({
      u9: [],
      u1: ['country:de', 'langs:de', 'langs:en'],
      u2: ['country:fr'],
    });
    expect(read.fields).toEqual({ used: ['user_id', 'country', 'langs'], ignored: ['note'] });
    expect(read.report.rows).toBe(2);
  });

  it('JSONL gives the same profiles as the same table in CSV (strings, numbers, booleans, arrays)', async () => {
    const csv = await readUserFeaturesCsv({
      path: write(
        '.csv',
        'user_id,age,gender,premium,langs\nu1,25,F,true,de|en\nu2,40,,false,\n7,31,M,true,fr\n',
      ),
    });
    const jsonl = await readUserFeaturesJsonl({
      path: write(
        '.jsonl',
        [
          '\ufeff{"user_id": "u1", "age": 25, "gender": "F", "premium": true, "langs": ["de", "en"]}',
          '',
          '{"user_id": "u2", "age": 40, "gender": null, "premium": false, "langs": []}',
          '{"user_id": 7, "age": 31, "gender": "M", "premium": true, "langs": ["fr"]}',
        ].join('\n'),
      ),
    });
    expect(profiles(jsonl)).toEqual(profiles(csv));
    expect(profiles(jsonl).u1).toEqual(['age:25', 'gender:F', 'premium:true', 'langs:de', 'langs:en']);
    expect(jsonl.features.vocabulary.ids).toEqual(csv.features.vocabulary.ids);
    expect(jsonl.fields).toEqual({ used: ['user_id', 'age', 'gender', 'premium', 'langs'], ignored: [] });
  });

  it('JSONL: every bad record names file, line and field', async () => {
    const cases: [string, Record<string, unknown>, Parameters<typeof readUserFeaturesJsonl>[0]?][] = [
      ['{"user_id": "u1"}\n{"user_id": "u2",\n', { line: 2, kind: 'invalid-json' }],
      ['{"user_id": "u1"}\n["u2"]\n', { line: 2, kind: 'invalid-json' }],
      ['{"user_id": "u1", "age": NaN}\n', { line: 1, kind: 'nan' }],
      ['{"user_id": "u1"}\n{"age": 3}\n', { line: 2, field: 'user_id', kind: 'missing-field' }],
      ['{"user_id": " "}\n', { line: 1, field: 'user_id', kind: 'empty-field' }],
      ['{"user_id": "u\\u0000x"}\n', { line: 1, field: 'user_id', kind: 'invalid-id' }],
      ['{"user_id": 1.5}\n', { line: 1, field: 'user_id', kind: 'invalid-id' }],
      ['{"user_id": 12345678901234567890}\n', { line: 1, field: 'user_id', kind: 'invalid-id' }],
      ['{"user_id": {"a": 1}}\n', { line: 1, field: 'user_id', kind: 'invalid-type' }],
      ['{"user_id": "u1", "geo": {"lat": 1}}\n', { line: 1, field: 'geo', kind: 'invalid-type' }],
      ['{"user_id": "u1", "langs": [["de"]]}\n', { line: 1, field: 'langs', kind: 'invalid-type' }],
      ['{"user_id": "u1"}\n{"user_id": "u1"}\n', { line: 2, field: 'user_id', kind: 'duplicate-id' }],
      [
        '{"user_id": "u1", "age": 3}\n{"user_id": "u2", "city": "x"}\n',
        { line: 2, field: 'city', kind: 'unknown-field' },
        { path: '', features: ['age'] },
      ],
      [
        '{"user_id": "u1", "age": 3}\n',
        { field: 'country', kind: 'missing-column' },
        { path: '', features: ['age', 'country'] },
      ],
      [
        `{"user_id": "u1"}\n{"user_id": "u2", "bio": "${'x'.repeat(200)}"}\n`,
        { line: 2, kind: 'line-too-long' },
        { path: '', maxLineLength: 100 },
      ],
    ];
    for (const [content, expected, extra] of cases) {
      const path = write('.jsonl', content);
      const error = await expectDatasetError(readUserFeaturesJsonl({ ...extra, path }));
      expect(error, content).toMatchObject({ file: path, ...expected });
      if (expected.line === undefined) expect(error.line, content).toBeUndefined();
    }
  });

  it('JSONL with skipInvalid: bad records are counted with line, field and kind, good ones kept', async () => {
    const read = await readUserFeaturesJsonl({
      path: write(
        '.jsonl',
        '{"user_id": "u1", "age": 3}\n{"user_id": "u1", "age": 4}\nnot json\n{"user_id": "u3", "tags": {"x": 1}}\n{"user_id": "u4", "age": 5}\n',
      ),
      skipInvalid: true,
    });
    expect(profiles(read)).toEqual({ u1: ['age:3'], u4: ['age:5'] });
    expect(read.report).toMatchObject({
      rows: 2,
      skipped: 3,
      skippedByKind: { 'duplicate-id': 1, 'invalid-json': 1, 'invalid-type': 1 },
    });
    expect(read.report.examples.map(({ line, field, kind }) => [line, field, kind])).toEqual([
      [2, 'user_id', 'duplicate-id'],
      [3, undefined, 'invalid-json'],
      [4, 'tags', 'invalid-type'],
    ]);
  });

  it('CSV: header and row errors name file, line and field', async () => {
    const cases: [string, Record<string, unknown>, Partial<Parameters<typeof readUserFeaturesCsv>[0]>?][] = [
      ['id,country\nu1,de\n', { line: 1, field: 'user_id', kind: 'missing-column' }],
      [
        'user_id,country,city\nu1,de,x\n',
        { line: 1, field: 'city', kind: 'unknown-field' },
        { features: ['country'] },
      ],
      ['user_id,country\nu1,de\n', { line: 1, field: 'age', kind: 'missing-column' }, { features: ['age'] }],
      ['user_id,country\nu1,de\n,fr\n', { line: 3, field: 'user_id', kind: 'empty-field' }],
      ['user_id,country\nu1,de\nu1,fr\n', { line: 3, field: 'user_id', kind: 'duplicate-id' }],
      ['user_id,country\nu1,de\nu2\n', { line: 3, kind: 'column-count' }],
      ['user_id,country\nu\u0000,de\n', { line: 2, field: 'user_id', kind: 'invalid-id' }],
    ];
    for (const [content, expected, extra] of cases) {
      const path = write('.csv', content);
      const error = await expectDatasetError(readUserFeaturesCsv({ ...extra, path }));
      expect(error, content).toMatchObject({ file: path, ...expected });
    }
  });
});
