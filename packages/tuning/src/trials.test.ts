import { createRandom } from '@mmrecall/random';
import { describe, expect, it } from 'vitest';
import type { SearchSpace } from './search-space';
import { planTrials } from './trials';

const grid: SearchSpace = {
  file: 'space.yaml',
  seed: 1,
  dimensions: [
    { type: 'choice', path: 'a', values: [1, 2] },
    { type: 'choice', path: 'b', values: ['x', 'y', 'z'] },
  ],
};

describe('planTrials', () => {
  it('enumerates the grid in file order, the last dimension fastest', () => {
    const plan = planTrials({ space: grid });
    expect(plan.mode).toBe('grid');
    expect(plan.gridSize).toBe(6);
    expect(plan.settings).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
    expect(planTrials({ space: grid, trials: 10 }).settings).toHaveLength(6);
  });

  it('samples a smaller budget from the grid without repeats, the same for the same seed', () => {
    const plan = planTrials({ space: grid, trials: 4 });
    expect(plan.mode).toBe('grid-sample');
    expect(plan.settings).toHaveLength(4);
    const keys = plan.settings.map((s) => `${s.a}${s.b}`);
    expect(new Set(keys).size).toBe(4);
    for (const s of plan.settings) expect(planTrials({ space: grid }).settings).toContainEqual(s);
    expect(planTrials({ space: grid, trials: 4 }).settings).toEqual(plan.settings);
    // Another sampler seed gives another sample (for these two seeds).
    expect(planTrials({ space: { ...grid, seed: 2 }, trials: 4 }).settings).not.toEqual(plan.settings);
  });

  it('draws ranges from the seeded stream: uniform, log-uniform and integer, 4 significant digits', () => {
    const space: SearchSpace = {
      file: 'space.yaml',
      seed: 5,
      dimensions: [
        { type: 'range', path: 'u', min: 0.1, max: 0.5, log: false, integer: false },
        { type: 'range', path: 'l', min: 0.0001, max: 0.01, log: true, integer: false },
        { type: 'range', path: 'i', min: 10, max: 50, log: false, integer: true },
        { type: 'choice', path: 'c', values: [256, 512, 1024] },
      ],
    };
    const plan = planTrials({ space, trials: 3 });
    expect(plan.mode).toBe('random');
    // The same draws by hand from the sampler's stream, one number per dimension in order.
    const random = createRandom(5);
    const expected = [0, 1, 2].map(() => {
      const u = random();
      const l = random();
      const i = random();
      const c = random();
      return {
        u: Number((0.1 + u * 0.4).toPrecision(4)),
        l: Number(Math.exp(Math.log(0.0001) + l * (Math.log(0.01) - Math.log(0.0001))).toPrecision(4)),
        i: 10 + Math.floor(i * 41),
        c: [256, 512, 1024][Math.floor(c * 3)],
      };
    });
    expect(plan.settings).toEqual(expected);
    for (const s of plan.settings) {
      expect(s.u).toBeGreaterThanOrEqual(0.1);
      expect(s.u).toBeLessThanOrEqual(0.5);
      expect(s.l).toBeGreaterThanOrEqual(0.0001);
      expect(s.l).toBeLessThanOrEqual(0.01);
      expect(Number.isInteger(s.i)).toBe(true);
    }
    expect(planTrials({ space, trials: 3 }).settings).toEqual(plan.settings);
    expect(planTrials({ space: { ...space, seed: 6 }, trials: 3 }).settings).not.toEqual(plan.settings);
  });

  it('needs a budget when the space has a range', () => {
    const space: SearchSpace = {
      file: 'space.yaml',
      seed: 1,
      dimensions: [{ type: 'range', path: 'u', min: 0, max: 1, log: false, integer: false }],
    };
    expect(() => planTrials({ space })).toThrow(/trial budget is required/);
  });
});
