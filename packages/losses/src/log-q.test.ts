import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { logQFromCounts } from './log-q';

describe('logQFromCounts', () => {
  it('returns smoothed log frequencies of the requested items', () => {
    // counts 3, 1, 0 with smoothing 1: (4, 2, 1) / 7
    const logQ = logQFromCounts({ counts: Float32Array.of(3, 1, 0), indices: Int32Array.of(2, 0, 0) });
    expect(logQ).toBeInstanceOf(Float32Array);
    expect(logQ[0]).toBeCloseTo(Math.log(1 / 7), 6);
    expect(logQ[1]).toBeCloseTo(Math.log(4 / 7), 6);
    expect(logQ[2]).toBeCloseTo(Math.log(4 / 7), 6);
  });

  it('covers every item without indices and supports other smoothing', () => {
    const logQ = logQFromCounts({ counts: Float32Array.of(3, 1), smoothing: 0 });
    expect(Array.from(logQ).map((v) => Math.exp(v))).toEqual([
      expect.closeTo(0.75, 6),
      expect.closeTo(0.25, 6),
    ]);
    const smoothed = logQFromCounts({ counts: Float32Array.of(3, 1), smoothing: 2 }); // (5, 3) / 8
    expect(Math.exp(smoothed[0]!)).toBeCloseTo(5 / 8, 6);
  });

  it('rejects negative counts, bad indices and a zero probability', () => {
    expect(() => logQFromCounts({ counts: Float32Array.of(-1, 1) })).toThrow(InvalidArgumentError);
    expect(() => logQFromCounts({ counts: Float32Array.of(1, 1), indices: Int32Array.of(2) })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      logQFromCounts({ counts: Float32Array.of(1, 0), smoothing: 0, indices: Int32Array.of(1) }),
    ).toThrow(InvalidArgumentError);
    expect(() => logQFromCounts({ counts: Float32Array.of(0, 0), smoothing: 0 })).toThrow(
      InvalidArgumentError,
    );
  });
});
