import { describe, expect, it } from 'vitest';
import type { SearchSpace } from './search-space';
import { runTuning } from './tune';
import { tuningMarkdown } from './tuning-markdown';

const space: SearchSpace = {
  file: 'space.yaml',
  seed: 1,
  dimensions: [
    { type: 'choice', path: 'train.temperature', values: [0.1, 0.2, 0.3] },
    { type: 'choice', path: 'model.dim', values: [32, 64] },
  ],
};

/** Valid metric: best at temperature 0.2, dim 64, plus a small seed effect. */
function valid(settings: Record<string, unknown>, seed: number): number {
  const t = settings['train.temperature'] as number;
  const d = settings['model.dim'] as number;
  return 0.1 - (t - 0.2) ** 2 - ((d - 64) / 1000) ** 2 + 0.001 * seed;
}
/** Test metric that would pick another trial (the highest temperature, dim 32). */
function test(settings: Record<string, unknown>): number {
  return (settings['train.temperature'] as number) - (settings['model.dim'] as number) / 1000;
}

describe('runTuning', () => {
  it('picks the trial with the best mean valid metric and evaluates test once, after the search', async () => {
    const calls: string[] = [];
    const result = await runTuning({
      space,
      seeds: 2,
      baseSeed: 7,
      runTrial: async ({ trial, settings, seed }) => {
        calls.push(`valid ${trial} ${seed}`);
        return { value: valid(settings, seed) };
      },
      testWinner: async ({ trial }) => {
        calls.push(`test ${trial.trial}`);
        return test(trial.settings);
      },
    });
    // Grid order: (0.1,32) (0.1,64) (0.2,32) (0.2,64) ... ; the best valid is trial 4.
    expect(result.best.trial).toBe(4);
    expect(result.best.settings).toEqual({ 'train.temperature': 0.2, 'model.dim': 64 });
    expect(result.trials).toHaveLength(6);
    const byTest = [...result.trials].sort((a, b) => test(b.settings) - test(a.settings))[0];
    expect(byTest?.trial).not.toBe(4);
    expect(calls.filter((c) => c.startsWith('test'))).toEqual(['test 4']);
    expect(calls.at(-1)).toBe('test 4');
    expect(calls).toHaveLength(6 * 2 + 1);
    expect(result.test).toBeCloseTo(0.2 - 0.064, 12);
    // Seeds 7 and 8: values v + 0.007 and v + 0.008; mean v + 0.0075, std 0.001 / sqrt(2).
    const record = result.best;
    expect(record.seeds).toEqual([7, 8]);
    expect(record.mean).toBeCloseTo(0.1 + 0.0075, 12);
    expect(record.std).toBeCloseTo(0.001 / Math.SQRT2, 12);
  });

  it('passes what the winner kept to testWinner and releases every other one', async () => {
    const released: string[] = [];
    let tested: string | undefined;
    const result = await runTuning<number, string>({
      space,
      seeds: 2,
      runTrial: async ({ trial, settings, seed }) => ({
        value: valid(settings, seed),
        kept: `trial ${trial} seed ${seed}`,
      }),
      testWinner: async ({ kept }) => {
        tested = kept;
        return 0;
      },
      release: (kept) => released.push(kept),
    });
    expect(result.best.trial).toBe(4);
    expect(tested).toBe('trial 4 seed 0');
    // Every kept value is released exactly once, the winner's after the test.
    expect(released).toHaveLength(12);
    expect(new Set(released).size).toBe(12);
    expect(released.at(-1)).toBe('trial 4 seed 0');
  });

  it('keeps the earliest trial on a tie', async () => {
    const result = await runTuning({
      space,
      runTrial: async () => ({ value: 0.5 }),
      testWinner: async () => 0,
    });
    expect(result.best.trial).toBe(1);
  });

  it('starts no trial after the time budget', async () => {
    let clock = 0;
    const result = await runTuning({
      space,
      minutes: 25,
      now: () => clock,
      runTrial: async ({ settings, seed }) => {
        clock += 10 * 60_000;
        return { value: valid(settings, seed) };
      },
      testWinner: async () => 0,
    });
    // Trials start at 0, 10 and 20 minutes; at 30 the budget of 25 is spent.
    expect(result.trials.map((t) => t.trial)).toEqual([1, 2, 3]);
    expect(result.stoppedByTime).toBe(true);
    expect(result.best.trial).toBe(3);
  });

  it.each([
    [{ trials: 0 }, /^trials: must be an integer >= 1, got 0$/],
    [{ trials: 1.5 }, /^trials: must be an integer >= 1, got 1\.5$/],
    [{ seeds: 0 }, /^seeds: must be an integer >= 1, got 0$/],
    [{ minutes: 0 }, /^minutes: must be a number > 0, got 0$/],
  ])('refuses the budget %j with one line', async (budget, message) => {
    await expect(
      runTuning({ space, ...budget, runTrial: async () => ({ value: 0 }), testWinner: async () => 0 }),
    ).rejects.toThrow(message);
  });

  it('needs budget.trials for a range', async () => {
    await expect(
      runTuning({
        space: {
          ...space,
          dimensions: [{ type: 'range', path: 'x', min: 0, max: 1, log: false, integer: false }],
        },
        runTrial: async () => ({ value: 0 }),
        testWinner: async () => 0,
      }),
    ).rejects.toThrow(/space\.yaml: budget\.trials: is required when the space has a range/);
  });
});

describe('tuningMarkdown', () => {
  it('has one column per setting, mean, std, each seed and the chosen mark', () => {
    const markdown = tuningMarkdown({
      metric: 'valid Recall@20',
      chosen: 2,
      trials: [
        {
          trial: 1,
          settings: { 'model.dim': 32 },
          seeds: [7, 8],
          values: [0.1, 0.2],
          mean: 0.15,
          std: 0.0707,
          seconds: 12,
        },
        {
          trial: 2,
          settings: { 'model.dim': 64 },
          seeds: [7, 8],
          values: [0.3, 0.3],
          mean: 0.3,
          std: 0,
          seconds: 14,
        },
      ],
    });
    expect(markdown.split('\n').slice(0, 4)).toEqual([
      '| trial | model.dim | valid Recall@20 mean | std | per seed | s | chosen |',
      '|---:|---|---:|---:|---:|---:|---:|',
      '| 1 | 32 | 0.1500 | 0.0707 | 0.1000 (seed 7), 0.2000 (seed 8) | 12 |  |',
      '| 2 | 64 | 0.3000 | 0.0000 | 0.3000 (seed 7), 0.3000 (seed 8) | 14 | yes |',
    ]);
  });
});
