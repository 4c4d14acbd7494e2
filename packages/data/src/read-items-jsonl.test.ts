import { InvalidArgumentError } from '@mmrecall/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdMapBuilder, readItemsJsonl } from './index';
import { createFixtureDir, expectDatasetError } from './test-helpers';

const fixtures = createFixtureDir('jsonl');
afterAll(() => fixtures.cleanup());

const jsonl = (records: unknown[]) => `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;

describe('readItemsJsonl', () => {
  it('reads ids, tags as CSR and vectors aligned with an existing item map', async () => {
    const items = createIdMapBuilder({ ids: ['b', 'a', 'never-described'] });
    const path = fixtures.write(
      'items.jsonl',
      jsonl([
        { id: 'a', tags: ['rock', 'live'], image: [1, 2] },
        { id: 'c', tags: [], image: [5, 6] },
        { id: 'b', tags: ['live', 7], image: [3, 4.5] },
      ]),
    );
    const {
      items: map,
      tags,
      vectors,
      present,
      report,
    } = await readItemsJsonl({ path, items, vectorFields: ['image'] });
    expect(map.ids).toEqual(['b', 'a', 'never-described', 'c']);
    expect(tags.vocabulary.ids).toEqual(['rock', 'live', '7']);
    expect(Array.from(tags.offsets)).toEqual([0, 2, 4, 4, 4]);
    expect(Array.from(tags.values)).toEqual([1, 2, 0, 1]);
    expect(vectors.image?.dim).toBe(2);
    expect(Array.from(vectors.image?.data ?? [])).toEqual([3, 4.5, 1, 2, 0, 0, 5, 6]);
    expect(Array.from(present)).toEqual([1, 1, 0, 1]);
    expect(report.rows).toBe(3);
  });

  it('uses custom id/tag fields, numeric ids and blank lines', async () => {
    const path = fixtures.write('custom.jsonl', '{"item": 12, "genres": ["x"]}\n\n{"item": 13}\n');
    const { items, tags } = await readItemsJsonl({ path, idField: 'item', tagsField: 'genres' });
    expect(items.ids).toEqual(['12', '13']);
    expect(Array.from(tags.offsets)).toEqual([0, 1, 1]);
  });

  describe('bad input', () => {
    const cases: [
      string,
      string,
      Record<string, unknown>,
      { kind: string; line: number; field?: string; message: RegExp },
    ][] = [
      [
        'invalid json',
        '{"id": "a"}\n{"id": "b",\n',
        {},
        { kind: 'invalid-json', line: 2, message: /invalid JSON/ },
      ],
      [
        'missing id',
        '{"id": "a"}\n{"name": "b"}\n',
        {},
        { kind: 'missing-field', line: 2, field: 'id', message: /no item id/ },
      ],
      [
        'dimension',
        '{"id": "a", "v": [1, 2, 3]}\n{"id": "b", "v": [1, 2]}\n',
        { vectorFields: ['v'] },
        { kind: 'dimension', line: 2, field: 'v', message: /dimension 3, got 2/ },
      ],
      [
        'declared dimension',
        '{"id": "a", "v": [1, 2, 3]}\n',
        { vectorFields: ['v'], vectorDims: { v: 4 } },
        { kind: 'dimension', line: 1, message: /dimension 4, got 3/ },
      ],
      [
        'nan string',
        '{"id": "a", "v": [1, "NaN"]}\n',
        { vectorFields: ['v'] },
        { kind: 'nan', line: 1, field: 'v', message: /entry 1 is "NaN"/ },
      ],
      [
        'bare NaN token',
        '{"id": "a", "v": [1, NaN]}\n',
        { vectorFields: ['v'] },
        { kind: 'nan', line: 1, message: /NaN\/Infinity/ },
      ],
      [
        'infinity string',
        '{"id": "a", "v": ["-inf", 1]}\n',
        { vectorFields: ['v'] },
        { kind: 'nan', line: 1, message: /entry 0/ },
      ],
      [
        'non-numeric',
        '{"id": "a", "v": [1, "2x"]}\n',
        { vectorFields: ['v'] },
        { kind: 'non-numeric', line: 1, message: /entry 1 is .*2x.*not a number/ },
      ],
      [
        'missing vector',
        '{"id": "a"}\n',
        { vectorFields: ['v'] },
        { kind: 'missing-field', line: 1, field: 'v', message: /missing/ },
      ],
      [
        'bad tags',
        '{"id": "a", "tags": "rock"}\n',
        {},
        { kind: 'invalid-type', line: 1, field: 'tags', message: /array/ },
      ],
      [
        'duplicate',
        '{"id": "a"}\n{"id": "a"}\n',
        {},
        { kind: 'duplicate-id', line: 2, message: /already had a record/ },
      ],
    ];
    for (const [name, content, extra, expected] of cases) {
      it(`throws InvalidDatasetError (${name})`, async () => {
        const path = fixtures.write(`bad-${name.replace(/\s/g, '-')}.jsonl`, content);
        const error = await expectDatasetError(readItemsJsonl({ path, ...extra }));
        expect(error.kind).toBe(expected.kind);
        expect(error.line).toBe(expected.line);
        expect(error.file).toBe(path);
        if (expected.field) expect(error.field).toBe(expected.field);
        expect(error.message).toMatch(expected.message);
      });
    }

    it('skipInvalid keeps valid records only and counts the rest by kind', async () => {
      const path = fixtures.write(
        'mixed.jsonl',
        [
          '{"id": "a", "v": [1, 2]}',
          'not json',
          '{"id": "b", "v": [1]}',
          '{"id": "c", "v": [3, 4]}',
          '{"v": [0, 0]}',
          '{"id": "d", "v": [1, "x"]}',
        ].join('\n'),
      );
      const { items, vectors, report } = await readItemsJsonl({
        path,
        vectorFields: ['v'],
        skipInvalid: true,
      });
      expect(items.ids).toEqual(['a', 'c']);
      expect(Array.from(vectors.v?.data ?? [])).toEqual([1, 2, 3, 4]);
      expect(report).toMatchObject({
        rows: 2,
        skipped: 4,
        skippedByKind: { 'invalid-json': 1, dimension: 1, 'missing-field': 1, 'non-numeric': 1 },
      });
      expect(report.examples.map((example) => example.line)).toEqual([2, 3, 5, 6]);
    });

    it('rejects a bad vectorDims option', async () => {
      const path = fixtures.write('ok.jsonl', '{"id": "a"}\n');
      await expect(readItemsJsonl({ path, vectorDims: { v: 0 } })).rejects.toThrow(InvalidArgumentError);
    });
  });
});

describe('readItemsJsonl: reader cases named by file, line and field', () => {
  it('reads a file that starts with a UTF-8 byte order mark', async () => {
    const path = fixtures.write('bom.jsonl', `\uFEFF{"id": "a", "tags": ["x"]}\n{"id": "b"}\n`);
    const { items, tags } = await readItemsJsonl({ path });
    expect(items.ids).toEqual(['a', 'b']);
    expect(tags.vocabulary.ids).toEqual(['x']);
  });

  it('blames a bad first line on line 1 of the file', async () => {
    const path = fixtures.write('bad-first.jsonl', `\uFEFF{"id": "a", "tags": [}\n{"id": "b"}\n`);
    const error = await expectDatasetError(readItemsJsonl({ path }));
    expect(error).toMatchObject({ file: path, line: 1, kind: 'invalid-json' });
    expect(error.message).toMatch(/^.*bad-first\.jsonl:line 1: invalid JSON/);
  });

  it('reads a valid first line longer than 1.5 MiB (over one read chunk)', async () => {
    const dim = 400_000;
    const vector = Array.from({ length: dim }, (_, k) => (k % 7) + 0.5);
    const first = JSON.stringify({ id: 'big', v: vector });
    expect(first.length).toBeGreaterThan(1.5 * 2 ** 20);
    const path = fixtures.write('long-first.jsonl', `${first}\n${JSON.stringify({ id: 'b', v: vector })}\n`);
    const { items, vectors } = await readItemsJsonl({ path, vectorFields: ['v'] });
    expect(items.ids).toEqual(['big', 'b']);
    expect(vectors.v?.dim).toBe(dim);
    expect(vectors.v?.data[dim + 5]).toBe(5.5); // entry 5 of item 1
  });

  it('refuses a line over maxLineLength without reading the rest of it', async () => {
    const line = `{"id": "a", "v": [${'1,'.repeat(3 * 2 ** 20)}1]}`; // 6 MiB, one line
    const path = fixtures.write('too-long.jsonl', `{"id": "z", "v": [1]}\n${line}\n`);
    let bytesRead = 0;
    const error = await expectDatasetError(
      readItemsJsonl({
        path,
        vectorFields: ['v'],
        maxLineLength: 2 ** 20,
        onProgress: (progress) => {
          bytesRead = progress.bytesRead;
        },
      }),
    );
    expect(error).toMatchObject({ file: path, line: 2, kind: 'line-too-long' });
    expect(error.message).toMatch(/longer than 1048576 characters/);
    // Stopped within two 1 MiB chunks of the limit, long before the 6 MiB line ends.
    expect(bytesRead).toBeLessThanOrEqual(3 * 2 ** 20);
  });

  it('blames a wrong dimension in the first record on line 1, not on line 2', async () => {
    const path = fixtures.write(
      'first-dim.jsonl',
      jsonl([
        { id: 'a', v: [1, 2, 3] },
        { id: 'b', v: [1, 2] },
        { id: 'c', v: [3, 4] },
      ]),
    );
    const error = await expectDatasetError(readItemsJsonl({ path, vectorFields: ['v'] }));
    expect(error).toMatchObject({ file: path, line: 1, field: 'v', kind: 'dimension' });
    expect(error.message).toMatch(/dimension 2, got 3/);
  });

  it('refuses 1e400 and numbers beyond float32 in a vector', async () => {
    for (const [literal, entry] of [
      ['1e400', 1],
      ['-1e39', 0],
    ] as const) {
      const values = entry === 1 ? `[0.5, ${literal}]` : `[${literal}, 0.5]`;
      const path = fixtures.write(
        `overflow-${literal}.jsonl`,
        `{"id": "a", "v": [1, 2]}\n{"id": "b", "v": ${values}}\n`,
      );
      const error = await expectDatasetError(readItemsJsonl({ path, vectorFields: ['v'] }));
      expect(error).toMatchObject({ file: path, line: 2, field: 'v', kind: 'non-finite' });
      expect(error.message).toMatch(new RegExp(`entry ${entry} is outside the float32 range`));
    }
  });

  it('refuses numeric ids that JSON cannot hold exactly and ids with a NUL byte', async () => {
    const cases: [string, RegExp][] = [
      ['{"id": 12345678901234567890}', /beyond 2\^53/],
      ['{"id": 1.5}', /not an integer/],
      ['{"id": "a\\u0000b"}', /contains a NUL byte at position 1/],
    ];
    for (const [index, [record, message]] of cases.entries()) {
      const path = fixtures.write(`bad-id-${index}.jsonl`, `{"id": 7}\n${record}\n`);
      const error = await expectDatasetError(readItemsJsonl({ path }));
      expect(error).toMatchObject({ file: path, line: 2, field: 'id', kind: 'invalid-id' });
      expect(error.message).toMatch(message);
    }
    // Exact integers are fine, and the same item as the string id.
    const path = fixtures.write('int-ids.jsonl', '{"id": 7}\n{"id": 9007199254740991}\n');
    expect((await readItemsJsonl({ path })).items.ids).toEqual(['7', '9007199254740991']);
  });

  it('a list of strings read as a vector says it is categorical; as a categorical field it becomes tags', async () => {
    const path = fixtures.write(
      'genres.jsonl',
      jsonl([
        { id: 'a', genres: ['rock', 'pop'] },
        { id: 'b', genres: 'jazz' },
      ]),
    );
    const error = await expectDatasetError(readItemsJsonl({ path, vectorFields: ['genres'] }));
    expect(error).toMatchObject({ file: path, line: 1, field: 'genres', kind: 'non-numeric' });
    expect(error.message).toMatch(/list of strings is categorical/);
    const { tags, fields } = await readItemsJsonl({ path, categoricalFields: ['genres'] });
    expect(tags.vocabulary.ids).toEqual(['genres:rock', 'genres:pop', 'genres:jazz']);
    expect(Array.from(tags.offsets)).toEqual([0, 2, 3]);
    expect(fields).toEqual({ used: ['id', 'genres'], ignored: [] });
  });

  it('refuses a field it would not use, unless it is listed as ignored', async () => {
    const path = fixtures.write(
      'title.jsonl',
      jsonl([
        { id: 'a', tags: ['x'] },
        { id: 'b', title: 'B-side' },
      ]),
    );
    const error = await expectDatasetError(readItemsJsonl({ path }));
    expect(error).toMatchObject({ file: path, line: 2, field: 'title', kind: 'unknown-field' });
    expect(error.message).toMatch(/a string that is not the id, tags, a vector or a categorical field/);
    const { fields } = await readItemsJsonl({ path, ignoreFields: ['title'] });
    expect(fields).toEqual({ used: ['id', 'tags'], ignored: ['title'] });
  });

  it('a vector missing in some records is an error unless the zeros fill policy is set', async () => {
    const path = fixtures.write(
      'holes.jsonl',
      jsonl([{ id: 'a', v: [1, 2] }, { id: 'b' }, { id: 'c', v: [5, 6] }]),
    );
    const error = await expectDatasetError(readItemsJsonl({ path, vectorFields: ['v'] }));
    expect(error).toMatchObject({ file: path, line: 2, field: 'v', kind: 'missing-field' });
    const filled = await readItemsJsonl({ path, vectorFields: ['v'], missingVectors: 'zeros' });
    expect(Array.from(filled.vectors.v?.data ?? [])).toEqual([1, 2, 0, 0, 5, 6]);
    expect(filled.missingVectors).toEqual({ v: 1 });
  });
});
