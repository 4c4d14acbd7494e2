import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSearchSpace } from '@mmrecall/tuning';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureIo as capture } from './capture-io';
import { runCli } from './cli-app';
import { readConfigFile, resolveTrainerConfig } from './config';
import { configWithSettings } from './tune';

const configs = join(dirname(fileURLToPath(import.meta.url)), '..', 'configs');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mm-tune-'));
});

async function spaceFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('tune search spaces', () => {
  it.each(['space.yaml', 'tiktok-space.yaml'])(
    'configs/%s parses against the trainer config',
    async (name) => {
      const base = resolveTrainerConfig({});
      const space = await readSearchSpace({
        path: join(configs, name),
        checkSetting: (path, value) => {
          configWithSettings(base, { [path]: value });
        },
      });
      expect(space.dimensions.length).toBeGreaterThan(0);
      expect(space.trials).toBeGreaterThan(0);
    },
  );

  it.each([
    [
      'unknown.yaml',
      'space:\n  train.temprature: [0.1]\n',
      ':2: space.train.temprature.0: config.train.temprature: unknown field',
    ],
    [
      'bad-value.yaml',
      'space:\n  model.dim: [32, 0]\n',
      ':2: space.model.dim.1: config.model.dim: must be an integer in [1, 4096], got 0',
    ],
    ['empty.yaml', 'space:\n  model.dim: []\n', ':2: space.model.dim: empty list'],
    [
      'minmax.yaml',
      'budget: { trials: 2 }\nspace:\n  train.temperature: { min: 0.5, max: 0.1 }\n',
      ':3: space.train.temperature.min: min (0.5) > max (0.1)',
    ],
    [
      'nan.yaml',
      'budget: { trials: 2 }\nspace:\n  train.temperature: { min: low, max: 0.1 }\n',
      ':3: space.train.temperature.min: must be a number, got "low"',
    ],
    [
      'trials.yaml',
      'budget: { trials: 0 }\nspace:\n  model.dim: [8]\n',
      ':1: budget.trials: must be an integer >= 1, got 0',
    ],
    [
      'no-budget.yaml',
      'space:\n  train.temperature: { min: 0.1, max: 0.5 }\n',
      ': budget.trials: is required when the space has a range',
    ],
  ])('%s: exit 2 with one line naming the file, line and field', async (name, text, message) => {
    const path = await spaceFile(name, text);
    const c = capture();
    expect(
      await runCli({ argv: ['tune', '--space', path, '--preset', 'tiny', '-o', join(dir, 'out')], io: c.io }),
    ).toBe(2);
    expect(c.stderr()).toContain(`mmrecall-train: ${path}${message}`);
    expect(c.stderr().trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['--trials', '0'], 'mmrecall-train: --trials: must be an integer >= 1, got "0"\n'],
    [['--seeds', 'two'], 'mmrecall-train: --seeds: must be an integer >= 1, got "two"\n'],
    [['--minutes=-3'], 'mmrecall-train: --minutes: must be a number > 0, got "-3"\n'],
    [
      ['--metric', 'mrr'],
      'mmrecall-train: --metric: must be one of recall, ndcg, warm-recall, cold-recall, got "mrr"\n',
    ],
  ])('refuses %j', async (flags, message) => {
    const path = await spaceFile('ok.yaml', 'space:\n  model.dim: [8]\n');
    const c = capture();
    expect(await runCli({ argv: ['tune', '--space', path, ...flags], io: c.io })).toBe(2);
    expect(c.stderr()).toBe(message);
  });

  it('needs --space', async () => {
    const c = capture();
    expect(await runCli({ argv: ['tune'], io: c.io })).toBe(2);
    expect(c.stderr()).toBe('mmrecall-train: tune: --space <file> is required\n');
  });
});

describe('mmrecall-train tune', () => {
  it('picks the best valid trial, tests it once and writes a config that trains the same model', async () => {
    const path = await spaceFile('grid.yaml', 'space:\n  train.temperature: [0.05, 0.5]\n  model.dim: [8]\n');
    const output = join(dir, 'tune');
    const c = capture();
    const argv = ['tune', '--space', path, '--preset', 'tiny', '--epochs', '2', '--batch-size', '64'];
    expect(
      await runCli({
        argv: [...argv, '--max-steps-per-epoch', '4', '--backend', 'cpu', '-q', '-o', output],
        io: c.io,
      }),
    ).toBe(0);
    const json = JSON.parse(await readFile(join(output, 'tune.json'), 'utf8'));
    expect(json.plan).toEqual({ mode: 'grid', planned: 2, gridSize: 2 });
    expect(json.trials.map((t: { settings: unknown }) => t.settings)).toEqual([
      { 'train.temperature': 0.05, 'model.dim': 8 },
      { 'train.temperature': 0.5, 'model.dim': 8 },
    ]);
    const means = json.trials.map((t: { mean: number }) => t.mean);
    expect(json.chosen).toBe(means[1] > means[0] ? 2 : 1);
    expect(c.stderr()).toMatch(
      /tune trial 1\/2: train\.temperature=0\.05 model\.dim=8 -> valid Recall@20 \d\.\d{4}/,
    );
    expect(c.stderr().match(/evaluating it on test/g)).toHaveLength(1);
    const markdown = await readFile(join(output, 'tune.md'), 'utf8');
    expect(markdown).toContain(
      '| trial | train.temperature | model.dim | valid Recall@20 mean | std | per seed | s | chosen |',
    );
    // The winner's YAML, read back by --config, is the base config with the chosen settings.
    const best = resolveTrainerConfig({
      file: await readConfigFile({ path: join(output, 'best-config.yaml') }),
    });
    const chosen = json.trials[json.chosen - 1].settings;
    expect(best.train.temperature).toBe(chosen['train.temperature']);
    expect(best.model.dim).toBe(8);
    expect(best.data.preset).toBe('tiny');
    expect(best.train.maxStepsPerEpoch).toBe(4);
    // Training that config again gives the test figures tune reported (same seed, same model).
    const again = capture();
    const trainArgs = [
      'train',
      '--config',
      join(output, 'best-config.yaml'),
      '--backend',
      'cpu',
      '-q',
      '-o',
      join(dir, 'again'),
    ];
    expect(await runCli({ argv: trainArgs, io: again.io })).toBe(0);
    const metrics = JSON.parse(await readFile(join(dir, 'again', 'artifacts', 'metrics.json'), 'utf8'));
    expect(metrics.test.cutoffs[20].all.recall).toBeCloseTo(json.winner.test.cutoffs[20].all.recall, 12);
  }, 120_000);
});
