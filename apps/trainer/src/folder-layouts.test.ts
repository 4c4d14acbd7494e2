import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTrainingData } from '@mmrecall/experiments';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo as capture } from './capture-io';
import { runCli } from './cli-app';
import { resolveTrainerConfig } from './config';

const EXAMPLES = fileURLToPath(new URL('../examples/data', import.meta.url));
const outputs: string[] = [];
afterAll(async () => {
  for (const dir of outputs) await rm(dir, { recursive: true, force: true });
});

/** Data rows of a delimited file as [user, item] pairs, read independently of the loader. */
function pairs(file: string, delimiter = ','): [string, string][] {
  const [, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  return rows.map((row) => row.split(delimiter).slice(0, 2) as [string, string]);
}

describe('example data folders', () => {
  // The README's inspect command per layout, with the extra flags it shows.
  const layouts: [string, string[], RegExp][] = [
    ['single', [], /interactions .*interactions\.csv: 960 rows; used user_id, item_id, timestamp, click/],
    ['presplit', [], /test .*test\.csv: 80 rows; used user_id, item_id, timestamp/],
    ['recbole', [], /ignored rating:float/],
    [
      'parquet',
      [],
      /interactions .*interactions\.parquet: 960 rows; used user_id, item_id, timestamp, click[\s\S]*users .*users\.parquet: 80 rows; used user_id, age, country/,
    ],
    [
      'npy',
      ['--set', 'data.columns.timestamp=ts_ms', '--set', 'data.columns.weight=plays'],
      /column "ts_ms" read as milliseconds/,
    ],
  ];
  it.each(layouts)('inspect reads the %s folder', async (name, extra, pattern) => {
    const c = capture();
    const code = await runCli({
      argv: ['inspect', '--data', 'folder', '--data-path', join(EXAMPLES, name), '-q', ...extra],
      io: c.io,
    });
    expect(c.stderr()).toBe('');
    expect(code).toBe(0);
    expect(c.stdout()).toMatch(pattern);
    expect(c.stdout()).toMatch(/^split:\n {2}train/m);
  });

  it('keeps the pre-split folder exactly: train, valid and test are its files, row for row', async () => {
    const dir = join(EXAMPLES, 'presplit');
    const config = resolveTrainerConfig({ overrides: { data: { source: 'folder', path: dir } } });
    const data = await loadTrainingData({ data: config.data });
    const ids = (part: typeof data.split.train) =>
      Array.from(part.users, (user, r) => [
        data.dataset.users.ids[user],
        data.dataset.items.ids[part.items[r] as number],
      ]);
    expect(ids(data.split.train)).toEqual(pairs(join(dir, 'train.csv')));
    expect(ids(data.split.valid)).toEqual(pairs(join(dir, 'valid.csv')));
    expect(ids(data.split.test)).toEqual(pairs(join(dir, 'test.csv')));
    // Asking for a random split instead re-splits the union.
    const resplit = await loadTrainingData({
      data: {
        ...config.data,
        split: { method: 'random', validFraction: 0.2, testFraction: 0.2, coldItemFraction: 0 },
      },
    });
    expect(resplit.split.test.users.length).not.toBe(data.split.test.users.length);
  });

  it('trains and evaluates the pre-split folder through the CLI on its own test file', async () => {
    const output = await mkdtemp(join(tmpdir(), 'mmrecall-presplit-'));
    outputs.push(output);
    const dir = join(EXAMPLES, 'presplit');
    const train = capture();
    const code = await runCli({
      argv: [
        'train',
        '--data',
        'folder',
        '--data-path',
        dir,
        '--epochs',
        '2',
        '--dim',
        '8',
        '--batch-size',
        '64',
        '--backend',
        'cpu',
        '-q',
        '-o',
        output,
      ],
      io: train.io,
    });
    expect(train.stderr()).toMatch(/test .*test\.csv: 80 rows/);
    expect(code).toBe(0);
    const evaluated = capture();
    expect(
      await runCli({
        argv: ['eval', '--artifacts', join(output, 'artifacts'), '--backend', 'cpu', '--json'],
        io: evaluated.io,
      }),
    ).toBe(0);
    const result = JSON.parse(evaluated.stdout()) as {
      numQueries: number;
      split: string;
      metrics: { recall: Record<string, number> };
    };
    // Every test user of test.csv is a query (each has training positives), and no other user.
    expect(result.split).toBe('test');
    expect(result.numQueries).toBe(new Set(pairs(join(dir, 'test.csv')).map(([user]) => user)).size);
    const metrics = JSON.parse(await readFile(join(output, 'artifacts', 'metrics.json'), 'utf8')) as {
      test: unknown;
    };
    expect(metrics.test).toBeDefined();
  });
});
