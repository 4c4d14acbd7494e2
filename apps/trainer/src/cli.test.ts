import { describe, expect, it } from 'vitest';
import { captureIo as capture } from './capture-io';
import { runCli } from './cli-app';

describe('mmrecall-train CLI', () => {
  it.each([
    [['--help'], /^mmrecall-train: train, evaluate and compare/],
    [['train', '--help'], /^Usage: mmrecall-train train \[options\][\s\S]*--resume[\s\S]*--batch-size <n>/],
    [['eval', '--help'], /^Usage: mmrecall-train eval --artifacts <dir>/],
    [
      ['update', '--help'],
      /^Usage: mmrecall-train update --from <model> --data <folder> -o <out>[\s\S]*--replay-ratio <x>/,
    ],
    [['compare', '--help'], /^Usage: mmrecall-train compare[\s\S]*--kinds <list>[\s\S]*--seeds <n>/],
    [
      ['tune', '--help'],
      /^Usage: mmrecall-train tune --space <space.yaml>[\s\S]*--trials <n>[\s\S]*--seeds <n>/,
    ],
    [['experiment', '--help'], /^Usage: mmrecall-train experiment <name>[\s\S]*clusters/],
    [
      ['experiment', 'clusters', '--help'],
      /^Usage: mmrecall-train experiment clusters[\s\S]*--leaves <list>/,
    ],
  ])('prints help for %j and exits 0', async (argv, pattern) => {
    const c = capture();
    expect(await runCli({ argv, io: c.io })).toBe(0);
    expect(c.stdout()).toMatch(pattern);
    expect(c.stderr()).toBe('');
  });

  it.each([
    [
      ['frobnicate'],
      'mmrecall-train: unknown command "frobnicate" (commands: train, eval, update, inspect, compare, tune, experiment clusters; see --help)\n',
    ],
    [['train', '--bogus'], "mmrecall-train: train: Unknown option '--bogus'\n"],
    [['train', '--epochs', 'many'], 'mmrecall-train: --epochs: expected a number, got "many"\n'],
    [
      ['train', '--batch-size', '0'],
      'mmrecall-train: config.train.batchSize: must be an integer >= 2, got 0 (in command-line flags)\n',
    ],
    [
      ['train', '--set', 'train.nope=1'],
      'mmrecall-train: config.train.nope: unknown field (known fields of config.train: epochs, batchSize, learningRate, temperature, tripletMargin, lossWeights, auxiliaryWeight, mixedViewWeight, earlyStoppingPatience, maxStepsPerEpoch, seed, logQ, extraNegatives, clipNorm, fusedKernels) (in command-line flags)\n',
    ],
    [
      ['train', '--config', '/nonexistent/train.yaml'],
      /^mmrecall-train: --config: cannot read config file \/nonexistent\/train\.yaml/,
    ],
    [['eval'], 'mmrecall-train: eval: --artifacts <dir> is required\n'],
    [['update', '--data', 'd', '-o', 'o'], 'mmrecall-train: update: --from <path> is required\n'],
    [
      ['compare', '--kinds', 'id-only,deep'],
      'mmrecall-train: --kinds: unknown kind "deep", expected id-only, content-only, multiview, gated-concat, gated-additive, most-popular, item-knn, ease, bpr-mf, lightgcn\n',
    ],
    [
      ['compare', '--candidates', 'new'],
      `mmrecall-train: config.eval.candidates: must be one of 'all', 'warm', 'cold', got "new" (in command-line flags)\n`,
    ],
    [
      ['compare', '--set', 'baselines.easeLambdas=[50, 0]'],
      'mmrecall-train: config.baselines.easeLambdas[1]: must be a finite number > 0, got 0 (in command-line flags)\n',
    ],
    [
      ['experiment', 'bananas'],
      'mmrecall-train: experiment: unknown experiment "bananas" (available: clusters)\n',
    ],
    [
      ['experiment', 'clusters', '--leaves', '8,1'],
      'mmrecall-train: --leaves: each leaf count must be an integer >= 2, got "1"\n',
    ],
  ])('exits 2 with one line for usage error %j', async (argv, expected) => {
    const c = capture();
    expect(await runCli({ argv, io: c.io })).toBe(2);
    if (typeof expected === 'string') expect(c.stderr()).toBe(expected);
    else expect(c.stderr()).toMatch(expected);
    expect(c.stderr().trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 and prints the overview without a command', async () => {
    const c = capture();
    expect(await runCli({ argv: [], io: c.io })).toBe(2);
    expect(c.stdout()).toMatch(/Commands:/);
  });
});
