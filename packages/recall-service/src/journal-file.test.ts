import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { ItemJournalError } from './errors';
import { openJournalFile, readJournalLines } from './journal-file';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'mmrecall-journal-file-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('readJournalLines', () => {
  test('a missing file is an empty journal', async () => {
    expect(await readJournalLines(path.join(folder, 'missing.jsonl'))).toEqual({
      lines: [],
      completeBytes: 0,
      truncatedBytes: 0,
    });
  });

  test('complete lines keep their line numbers (blank ones included); the bytes after the last newline are left out', async () => {
    const file = path.join(folder, 'torn.jsonl');
    // 'é' is two bytes: the counts are bytes, not characters.
    await writeFile(file, 'a\n\nbé\n{"half');
    expect(await readJournalLines(file)).toEqual({
      lines: ['a', '', 'bé'],
      completeBytes: 7,
      truncatedBytes: 6,
    });
  });

  test('a file that cannot be read (a folder) is an ItemJournalError naming it', async () => {
    const dir = path.join(folder, 'a-folder');
    await mkdir(dir);
    const error = await readJournalLines(dir).catch((caught: unknown) => caught);
    expect(ItemJournalError.isInstance(error)).toBe(true);
    expect((error as ItemJournalError).file).toBe(dir);
  });
});

describe('openJournalFile', () => {
  test('cuts an incomplete last line, appends whole lines, rewrites atomically and keeps appending to the new file', async () => {
    const file = path.join(folder, 'appends.jsonl');
    await writeFile(file, 'one\ntwo\nthr');
    const read = await readJournalLines(file);
    const opened = await openJournalFile({ file, read });
    await opened.append('three\n');
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\nthree\n');
    await opened.rewrite('base\n');
    await opened.append('four\n');
    await opened.close();
    expect(await readFile(file, 'utf8')).toBe('base\nfour\n');
  });
});
