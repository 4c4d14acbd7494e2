import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { ItemJournalError } from './errors';
import { openItemJournal } from './item-journal';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'mmrecall-journal-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('openItemJournal', () => {
  test('records survive reopening; the last record per id wins; float32 vectors come back bit for bit', async () => {
    const file = path.join(folder, 'round-trip.journal');
    const vector = Float32Array.from([0.1, -1 / 3, 3.4028234663852886e38, 1e-45]);
    const first = await openItemJournal({ file });
    expect(first).toMatchObject({ records: 0, truncatedBytes: 0 });
    await first.journal.append({ op: 'put', id: 'a', content: { tags: ['t1'], vectors: { image: vector } } });
    await first.journal.append({ op: 'put', id: 'b', content: { vectors: { image: [1, 2, 3, 4] } } });
    await first.journal.append({ op: 'delete', id: 'b' });
    await first.journal.append({ op: 'delete', id: 'trained-7' });
    await first.journal.append({ op: 'put', id: 'trained-7', content: { vectors: { image: [4, 3, 2, 1] } } });
    await first.journal.close();

    const second = await openItemJournal({ file });
    expect(second.records).toBe(5);
    expect([...second.state.puts.keys()]).toEqual(['a', 'trained-7']);
    expect([...second.state.deletes]).toEqual(['b']);
    const stored = second.state.puts.get('a');
    expect(stored?.tags).toEqual(['t1']);
    expect(Float32Array.from(stored?.vectors.image as number[])).toEqual(vector);
    await second.journal.close();
  });

  test('an incomplete last line (a crash during a write) is cut off; the records before it stay', async () => {
    const file = path.join(folder, 'torn.journal');
    const opened = await openItemJournal({ file });
    await opened.journal.append({ op: 'delete', id: 'x' });
    await opened.journal.close();
    const complete = (await readFile(file)).length;
    const torn = '{"op":"put","id":"half","vec';
    await appendFile(file, torn);
    const reopened = await openItemJournal({ file });
    expect(reopened).toMatchObject({ records: 1, truncatedBytes: torn.length });
    expect([...reopened.state.deletes]).toEqual(['x']);
    expect((await readFile(file)).length).toBe(complete);
    // Appending after the cut gives whole lines again.
    await reopened.journal.append({ op: 'delete', id: 'y' });
    await reopened.journal.close();
    expect((await readFile(file, 'utf8')).split('\n')).toEqual([
      '{"op":"delete","id":"x"}',
      '{"op":"delete","id":"y"}',
      '',
    ]);
  });

  test('a complete line that is not a record names file and line; nothing is shortened', async () => {
    const cases: [string, RegExp][] = [
      ['{"op":"delete","id":"x"}\nnot json\n', /:2: is not valid JSON/],
      ['{"op":"move","id":"x"}\n', /:1: field "op" must be "put" or "delete", got "move"/],
      [
        '{"op":"put","id":"x","vectors":{"image":["1"]}}\n',
        /:1: field "vectors.image" must be an array of numbers/,
      ],
      ['{"op":"delete","id":""}\n', /:1: field "id" must be a non-empty string/],
    ];
    for (const [text, message] of cases) {
      const file = path.join(folder, 'corrupt.journal');
      await writeFile(file, text);
      const error = await openItemJournal({ file }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ItemJournalError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.startsWith(file)).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(text);
    }
  });

  test('rewrite replaces the file atomically with the compacted state and later appends go to it', async () => {
    const file = path.join(folder, 'compact.journal');
    const opened = await openItemJournal({ file });
    for (let i = 0; i < 20; i++) {
      await opened.journal.append({ op: 'put', id: 'same', content: { vectors: { v: [i] } } });
    }
    await opened.journal.rewrite({
      artifacts: '/srv/a@2026-12-01T00:00:00.000Z',
      puts: new Map([['same', { vectors: { v: [19] } }]]),
      deletes: new Set(['old']),
    });
    await opened.journal.append({ op: 'delete', id: 'later' });
    await opened.journal.close();
    expect((await readFile(file, 'utf8')).split('\n')).toEqual([
      '{"op":"base","artifacts":"/srv/a@2026-12-01T00:00:00.000Z"}',
      '{"op":"put","id":"same","vectors":{"v":[19]}}',
      '{"op":"delete","id":"old"}',
      '{"op":"delete","id":"later"}',
      '',
    ]);
    expect((await readdir(folder)).filter((name) => name.includes('.tmp-'))).toEqual([]);
    const reopened = await openItemJournal({ file });
    expect(reopened.state).toEqual({
      artifacts: '/srv/a@2026-12-01T00:00:00.000Z',
      puts: new Map([['same', { vectors: { v: [19] } }]]),
      deletes: new Set(['old', 'later']),
    });
    await reopened.journal.close();
  });
});
