import { describe, expect, it } from 'vitest';
import { formatDuration, timedStep } from './timed-step';

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });
});

describe('timedStep', () => {
  it('logs a start line and an end line with the wall time, and returns the result', async () => {
    const lines: string[] = [];
    const clock = [1000, 66_000];
    const result = await timedStep({
      label: 'load data',
      log: (line) => lines.push(line),
      run: async () => 7,
      now: () => clock.shift() as number,
    });
    expect(result).toBe(7);
    expect(lines[0]).toBe('[mmrecall] load data ...');
    expect(lines[1]).toMatch(/^\[mmrecall\] load data done in 1m05s \(rss \d+ MiB\)$/);
  });
});
