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
