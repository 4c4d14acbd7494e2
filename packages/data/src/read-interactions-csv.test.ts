import { InvalidArgumentError } from '@mmrecall/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdMapBuilder, readInteractionsCsv } from './index';
import { readLineBlocks } from './line-blocks';
import { createFixtureDir, expectDatasetError } from './test-helpers';

const fixtures = createFixtureDir('csv');
afterAll(() => fixtures.cleanup());

const columns = { user: 'user_id', item: 'item_id', timestamp: 'ts', click: 'click' };

describe('readInteractionsCsv', () => {
  it('reads columns, maps ids in order of appearance and converts clicks and timestamps', async () => {
    const path = fixtures.write(
      'basic.csv',
      'user_id,ts,item_id,click\nalice,100,i9,1\nbob,250.5,i3,0\nalice,300,i3,2\n',
    );
    const { interactions, users, items, report } = await readInteractionsCsv({ path, columns });
    expect(users.ids).toEqual(['alice', 'bob']);
    expect(items.ids).toEqual(['i9', 'i3']);
    expect(Array.from(interactions.users)).toEqual([0, 1, 0]);
    expect(Array.from(interactions.items)).toEqual([0, 1, 1]);
    expect(Array.from(interactions.timestamps ?? [])).toEqual([100, 250.5, 300]);
    expect(Array.from(interactions.clicks ?? [])).toEqual([1, 0, 1]);
    expect(interactions.ratings).toBeUndefined();
    expect(report).toEqual({ rows: 3, skipped: 0, skippedByKind: {}, examples: [] });
  });

  it('auto-detects tabs for .tsv, handles CRLF, a BOM, blank lines and a missing final newline', async () => {
    const path = fixtures.write('crlf.tsv', '\uFEFFuser_id\titem_id\r\nu1\ta\r\n\r\nu2\tb\r\nu1\tb');
    const { interactions, users, items } = await readInteractionsCsv({
      path,
      columns: { user: 'user_id', item: 'item_id' },
    });
    expect(users.ids).toEqual(['u1', 'u2']);
    expect(items.ids).toEqual(['a', 'b']);
    expect(Array.from(interactions.items)).toEqual([0, 1, 1]);
    expect(interactions.timestamps).toBeUndefined();
  });

  it('treats "7", "007" and quoted "7" as the ids they spell, with or without a shared numeric map', async () => {
    const path = fixtures.write('zeros.csv', 'user_id,item_id\n7,1\n007,1\n"7",2\n7,10000000000\n');
    const items = createIdMapBuilder({ ids: ['2', '1'] });
    const { users, interactions } = await readInteractionsCsv({
      path,
      columns: { user: 'user_id', item: 'item_id' },
      items,
    });
    expect(users.ids).toEqual(['7', '007']);
    expect(Array.from(interactions.users)).toEqual([0, 1, 0, 0]);
    expect(Array.from(interactions.items)).toEqual([1, 1, 0, 2]);
    expect(items.ids).toEqual(['2', '1', '10000000000']);
  });

  it('reads quoted fields with delimiters and escaped quotes inside', async () => {
    const path = fixtures.write('quoted.csv', 'user_id,item_id\n"a,b","say ""hi"""\nplain,"x"\n');
    const { users, items } = await readInteractionsCsv({
      path,
      columns: { user: 'user_id', item: 'item_id' },
    });
    expect(users.ids).toEqual(['a,b', 'plain']);
    expect(items.ids).toEqual(['say "hi"', 'x']);
  });

  it('reads files without a header by column position and shares id maps across files', async () => {
    const users = createIdMapBuilder();
    const items = createIdMapBuilder({ ids: ['10', '20'] });
    const first = fixtures.write('a.data', '7|20|4\n8|10|3\n');
    const second = fixtures.write('b.data', '8|20|5\n9|30|1\n');
    const one = await readInteractionsCsv({
      path: first,
      delimiter: '|',
      header: false,
      columns: { user: 0, item: 1, rating: 2 },
      users,
      items,
    });
    const two = await readInteractionsCsv({
      path: second,
      delimiter: '|',
      header: false,
      columns: { user: 0, item: 1, rating: 2 },
      users,
      items,
    });
    expect(Array.from(one.interactions.items)).toEqual([1, 0]);
    expect(Array.from(two.interactions.users)).toEqual([1, 2]);
    expect(Array.from(two.interactions.items)).toEqual([1, 2]);
    expect(Array.from(two.interactions.ratings ?? [])).toEqual([5, 1]);
    expect(users.ids).toEqual(['7', '8', '9']);
    await expect(
      readInteractionsCsv({ path: first, header: false, columns: { user: 'user_id', item: 1 } }),
    ).rejects.toThrow(InvalidArgumentError);
  });

  it('parses a multi-chunk file exactly like a naive parser', async () => {
    const lines = ['user_id,item_id,ts'];
    const expectedUsers: string[] = [];
    let seed = 7;
    for (let r = 0; r < 60_000; r++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const user = `user-${seed % 997}-éü`; // multi-byte characters straddle chunk boundaries
      lines.push(`${user},${seed % 4001},${1_600_000_000 + r}`);
      expectedUsers.push(user);
    }
    const path = fixtures.write('big.csv', `${lines.join('\n')}\n`);
    const progress: number[] = [];
    const { interactions, users, report } = await readInteractionsCsv({
      path,
      columns: { user: 'user_id', item: 'item_id', timestamp: 'ts' },
      onProgress: (event) => progress.push(event.bytesRead),
    });
    expect(report.rows).toBe(60_000);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(Buffer.byteLength(`${lines.join('\n')}\n`));
    for (const r of [0, 1, 29_999, 43_690, 59_999]) {
      expect(users.ids[interactions.users[r] as number]).toBe(expectedUsers[r]);
      expect(interactions.timestamps?.[r]).toBe(1_600_000_000 + r);
    }
  });

  describe('bad input', () => {
    const cases: [
      string,
      string,
      Record<string, unknown>,
      { kind: string; line: number; field?: string; message: RegExp },
    ][] = [
      [
        'column-count',
        'user_id,item_id\nu1,i1\nu2,i2,extra\n',
        {},
        { kind: 'column-count', line: 3, message: /expected 2 fields, got 3/ },
      ],
      [
        'empty-field',
        'user_id,item_id\nu1,i1\n,i2\n',
        {},
        { kind: 'empty-field', line: 3, field: 'user_id', message: /user id is empty/ },
      ],
      [
        'non-numeric timestamp',
        'user_id,item_id,ts\nu1,i1,12\nu1,i2,yesterday\n',
        { columns: { user: 'user_id', item: 'item_id', timestamp: 'ts' } },
        { kind: 'non-numeric', line: 3, field: 'ts', message: /expected a number, got "yesterday"/ },
      ],
      [
        'non-numeric click',
        'user_id,item_id,click\nu1,i1,yes\n',
        { columns: { user: 'user_id', item: 'item_id', click: 'click' } },
        { kind: 'non-numeric', line: 2, field: 'click', message: /got "yes"/ },
      ],
      [
        'numeric ids',
        'user_id,item_id\n1,2\n3,4x\n',
        { numericIds: true },
        { kind: 'non-numeric', line: 3, field: 'item_id', message: /integer id, got "4x"/ },
      ],
      [
        'unknown item',
        'user_id,item_id\n1,a\n1,b\n',
        { knownItemsOnly: true, items: createIdMapBuilder({ ids: ['a'] }) },
        { kind: 'unknown-item', line: 3, field: 'item_id', message: /item "b" is not in the given item map/ },
      ],
      [
        'unknown user',
        'user_id,item_id\nz,a\n',
        { knownUsersOnly: true, users: createIdMapBuilder({ ids: ['y'] }) },
        { kind: 'unknown-user', line: 2, message: /user "z"/ },
      ],
      [
        'missing column',
        'user,item_id\nu1,i1\n',
        {},
        {
          kind: 'missing-column',
          line: 1,
          field: 'user_id',
          message: /not in the header \(2 columns: user, item_id\)/,
        },
      ],
      [
        'unterminated quote',
        'user_id,item_id\n"u1,i1\n',
        {},
        { kind: 'invalid-quote', line: 2, message: /unterminated quote/ },
      ],
    ];
    for (const [name, content, extra, expected] of cases) {
      it(`throws InvalidDatasetError (${name}) with file, line, field and kind`, async () => {
        const path = fixtures.write(`bad-${name.replace(/\s/g, '-')}.csv`, content);
        const error = await expectDatasetError(
          readInteractionsCsv({ path, columns: { user: 'user_id', item: 'item_id' }, ...extra }),
        );
        expect(error.kind).toBe(expected.kind);
        expect(error.line).toBe(expected.line);
        expect(error.file).toBe(path);
        if (expected.field) expect(error.field).toBe(expected.field);
        expect(error.message).toMatch(expected.message);
        expect(error.message.startsWith(`${path}:line ${expected.line}`)).toBe(true);
      });
    }

    it('skipInvalid skips bad rows, counts them by kind and keeps the first examples', async () => {
      const rows = [
        'user_id,item_id,ts',
        'u1,a,1',
        'u2,b',
        'u3,,3',
        'u4,c,x',
        'u5,d,5',
        'u6,e',
        'u7,z,7',
        'u8,f,8,9',
      ];
      const path = fixtures.write('skip.csv', `${rows.join('\n')}\n`);
      const items = createIdMapBuilder({ ids: ['a', 'b', 'c', 'd', 'e', 'f'] });
      const { interactions, users, report } = await readInteractionsCsv({
        path,
        columns: { user: 'user_id', item: 'item_id', timestamp: 'ts' },
        items,
        knownItemsOnly: true,
        skipInvalid: true,
      });
      expect(report.rows).toBe(2);
      expect(report.skipped).toBe(6);
      expect(report.skippedByKind).toEqual({
        'column-count': 3,
        'empty-field': 1,
        'non-numeric': 1,
        'unknown-item': 1,
      });
      expect(report.examples.map((example) => example.line)).toEqual([3, 4, 5, 7, 8]);
      expect(report.examples[2]).toMatchObject({ kind: 'non-numeric', field: 'ts' });
      // Rejected rows must not leak ids into the maps.
      expect(users.ids).toEqual(['u1', 'u5']);
      expect(items.size).toBe(6);
      expect(Array.from(interactions.timestamps ?? [])).toEqual([1, 5]);
    });

    it('missing columns fail even with skipInvalid, and a missing file is a typed error', async () => {
      const path = fixtures.write('nohead.csv', 'a,b\n1,2\n');
      expect(
        (
          await expectDatasetError(
            readInteractionsCsv({ path, columns: { user: 'user_id', item: 'b' }, skipInvalid: true }),
          )
        ).kind,
      ).toBe('missing-column');
      expect((await expectDatasetError(readInteractionsCsv({ path: `${path}.nope`, columns }))).kind).toBe(
        'unreadable',
      );
      const empty = fixtures.write('empty.csv', '');
      expect((await expectDatasetError(readInteractionsCsv({ path: empty, columns }))).message).toMatch(
        /empty/,
      );
    });
  });
});

describe('readLineBlocks', () => {
  it('yields whole lines for any chunk size, multi-byte characters intact', async () => {
    const text = 'αβγ,1\nδ\n\nx,€€€\nlast';
    const path = fixtures.write('lines.txt', text);
    for (const chunkBytes of [1, 2, 3, 5, 64]) {
      const lines: string[] = [];
      await readLineBlocks({
        path,
        encoding: 'utf8',
        chunkBytes,
        onBlock: (block, end) => {
          expect(block.charCodeAt(end - 1)).toBe(10);
          lines.push(...block.slice(0, end - 1).split('\n'));
        },
      });
      expect(lines).toEqual(['αβγ,1', 'δ', '', 'x,€€€', 'last']);
    }
  });
});

describe('readInteractionsCsv: reader cases named by file, line and field', () => {
  const idColumns = { user: 'user_id', item: 'item_id' };

  it('a header-only file is an error naming the file and the first data line', async () => {
    const path = fixtures.write('header-only.csv', 'user_id,item_id\n');
    const error = await expectDatasetError(readInteractionsCsv({ path, columns: idColumns }));
    expect(error).toMatchObject({ file: path, line: 2, kind: 'no-rows' });
    expect(error.message).toMatch(/header-only\.csv:line 2: no data rows after the header/);
    const empty = await readInteractionsCsv({ path, columns: idColumns, allowEmpty: true });
    expect(empty.interactions.users.length).toBe(0);
  });

  it('an id with a NUL byte is refused with its line and column', async () => {
    const path = fixtures.write('nul.csv', 'user_id,item_id\nu1,a\nu2,b\0c\n');
    const error = await expectDatasetError(readInteractionsCsv({ path, columns: idColumns }));
    expect(error).toMatchObject({ file: path, line: 3, field: 'item_id', kind: 'invalid-id' });
    expect(error.message).toMatch(/NUL byte/);
    const skipped = await readInteractionsCsv({ path, columns: idColumns, skipInvalid: true });
    expect(skipped.items.ids).toEqual(['a']);
    expect(skipped.report.skippedByKind).toEqual({ 'invalid-id': 1 });
  });

  it('detects millisecond timestamps with a warning; an explicit unit is obeyed', async () => {
    const path = fixtures.write('ms.csv', 'user_id,item_id,ts\nu1,a,1700000000000\nu1,b,1700000001500\n');
    const detected = await readInteractionsCsv({ path, columns: { ...idColumns, timestamp: 'ts' } });
    expect(Array.from(detected.interactions.timestamps ?? [])).toEqual([1_700_000_000, 1_700_000_001.5]);
    expect(detected.timestampUnit).toBe('ms');
    expect(detected.warnings).toHaveLength(1);
    expect(detected.warnings[0]).toMatch(/ms\.csv: column "ts" read as milliseconds .* on line 3/);
    const explicit = await readInteractionsCsv({
      path,
      columns: { ...idColumns, timestamp: 'ts' },
      timestampUnit: 'ms',
    });
    expect(explicit.warnings).toEqual([]);
    expect(explicit.interactions.timestamps?.[1]).toBe(1_700_000_001.5);
    const seconds = fixtures.write('s.csv', 'user_id,item_id,ts\nu1,a,1700000000\n');
    const read = await readInteractionsCsv({ path: seconds, columns: { ...idColumns, timestamp: 'ts' } });
    expect([read.timestampUnit, read.warnings, read.interactions.timestamps?.[0]]).toEqual([
      's',
      [],
      1_700_000_000,
    ]);
    // Microseconds are neither: refused on the line with the largest value.
    const micro = fixtures.write('us.csv', 'user_id,item_id,ts\nu1,a,1700000000000000\nu1,b,1\n');
    const error = await expectDatasetError(
      readInteractionsCsv({ path: micro, columns: { ...idColumns, timestamp: 'ts' } }),
    );
    expect(error).toMatchObject({ file: micro, line: 2, field: 'ts', kind: 'timestamp-unit' });
  });

  it('reads a weight column of whole counts and refuses fractional or negative weights', async () => {
    const path = fixtures.write('weights.tsv', 'user_id\titem_id\tplays\nu1\ta\t3\nu2\ta\t0\n');
    const { interactions } = await readInteractionsCsv({ path, columns: { ...idColumns, weight: 'plays' } });
    expect(Array.from(interactions.weights ?? [])).toEqual([3, 0]);
    for (const bad of ['1.5', '-2']) {
      const file = fixtures.write(`weight-${bad}.csv`, `user_id,item_id,plays\nu1,a,1\nu1,b,${bad}\n`);
      const error = await expectDatasetError(
        readInteractionsCsv({ path: file, columns: { ...idColumns, weight: 'plays' } }),
      );
      expect(error).toMatchObject({ file, line: 3, field: 'plays', kind: 'invalid-weight' });
    }
  });

  it('refuses a line over maxLineLength with its line number', async () => {
    const path = fixtures.write('long.csv', `user_id,item_id\nu1,a\nu2,${'x'.repeat(5000)}\n`);
    const error = await expectDatasetError(
      readInteractionsCsv({ path, columns: idColumns, maxLineLength: 1000 }),
    );
    expect(error).toMatchObject({ file: path, line: 3, kind: 'line-too-long' });
  });
});
