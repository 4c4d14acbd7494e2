import { describe, expect, it } from 'vitest';
import {
  checkFiniteNumber,
  checkInteger,
  checkNonNegativeInteger,
  checkOneOf,
  checkPositiveInteger,
} from './checks';
import { InvalidArgumentError } from './errors';

function thrown(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('checkInteger', () => {
  it('returns integers inside the bounds, including the bounds', () => {
    expect(checkInteger({ argument: 'n', value: 2, min: 2 })).toBe(2);
    expect(checkInteger({ argument: 'n', value: 5, min: 2, max: 5 })).toBe(5);
    expect(checkInteger({ argument: 'n', value: -7 })).toBe(-7);
  });

  it('names the argument and the bound, and shows what it got', () => {
    const below = thrown(() => checkInteger({ argument: 'leaves', value: 1, min: 2 }));
    expect(below.argument).toBe('leaves');
    expect(below.message).toBe('leaves: must be an integer >= 2, got 1');
    expect(thrown(() => checkInteger({ argument: 'n', value: 2.5, min: 0 })).message).toBe(
      'n: must be an integer >= 0, got 2.5',
    );
    expect(thrown(() => checkInteger({ argument: 'n', value: 6, min: 1, max: 5 })).message).toBe(
      'n: must be an integer in [1, 5], got 6',
    );
    // A string is quoted, so "3" is told apart from 3; arrays and objects are named by kind.
    expect(thrown(() => checkInteger({ argument: 'n', value: '3', min: 1 })).message).toBe(
      'n: must be an integer >= 1, got "3"',
    );
    expect(thrown(() => checkInteger({ argument: 'n', value: [3], min: 1 })).message).toBe(
      'n: must be an integer >= 1, got an array',
    );
    expect(thrown(() => checkInteger({ argument: 'n', value: null, min: 1 })).message).toBe(
      'n: must be an integer >= 1, got null',
    );
    expect(() => checkInteger({ argument: 'n', value: Number.NaN })).toThrow(/got NaN/);
  });
});

describe('checkPositiveInteger and checkNonNegativeInteger', () => {
  it('accept the smallest allowed value and reject the one below', () => {
    expect(checkPositiveInteger({ argument: 'k', value: 1 })).toBe(1);
    expect(thrown(() => checkPositiveInteger({ argument: 'k', value: 0 })).message).toBe(
      'k: must be a positive integer, got 0',
    );
    expect(checkNonNegativeInteger({ argument: 'count', value: 0 })).toBe(0);
    expect(thrown(() => checkNonNegativeInteger({ argument: 'count', value: -1 })).message).toBe(
      'count: must be a non-negative integer, got -1',
    );
  });

  it('reject non-integers and non-numbers', () => {
    expect(() => checkPositiveInteger({ argument: 'k', value: 1.5 })).toThrow(
      'k: must be a positive integer',
    );
    expect(() => checkPositiveInteger({ argument: 'k', value: Number.POSITIVE_INFINITY })).toThrow(
      InvalidArgumentError,
    );
    expect(() => checkNonNegativeInteger({ argument: 'count', value: undefined })).toThrow(
      'count: must be a non-negative integer, got undefined',
    );
  });
});

describe('checkFiniteNumber', () => {
  it('applies an inclusive or exclusive lower bound', () => {
    expect(checkFiniteNumber({ argument: 'w', value: 0, min: 0 })).toBe(0);
    expect(
      thrown(() => checkFiniteNumber({ argument: 'lr', value: 0, min: 0, exclusiveMin: true })).message,
    ).toBe('lr: must be a finite number > 0, got 0');
    expect(thrown(() => checkFiniteNumber({ argument: 'w', value: -1, min: 0 })).message).toBe(
      'w: must be a finite number >= 0, got -1',
    );
  });

  it('applies an inclusive or exclusive upper bound, alone or with a lower one', () => {
    expect(checkFiniteNumber({ argument: 'p', value: 0.9, min: 0, max: 0.9 })).toBe(0.9);
    expect(thrown(() => checkFiniteNumber({ argument: 'p', value: 0.95, min: 0, max: 0.9 })).message).toBe(
      'p: must be a finite number >= 0 and <= 0.9, got 0.95',
    );
    expect(
      thrown(() => checkFiniteNumber({ argument: 'p', value: 1, min: 0, max: 1, exclusiveMax: true }))
        .message,
    ).toBe('p: must be a finite number >= 0 and < 1, got 1');
    expect(checkFiniteNumber({ argument: 'p', value: 0.999, max: 1, exclusiveMax: true })).toBe(0.999);
    expect(thrown(() => checkFiniteNumber({ argument: 'p', value: 2, max: 1 })).message).toBe(
      'p: must be a finite number <= 1, got 2',
    );
  });

  it('rejects NaN and infinities even without a bound', () => {
    expect(checkFiniteNumber({ argument: 'x', value: -3.5 })).toBe(-3.5);
    expect(thrown(() => checkFiniteNumber({ argument: 'x', value: Number.NaN })).message).toBe(
      'x: must be a finite number, got NaN',
    );
    expect(() => checkFiniteNumber({ argument: 'x', value: Number.NEGATIVE_INFINITY })).toThrow(
      /got -Infinity/,
    );
  });
});

describe('checkOneOf', () => {
  it('returns an allowed string and lists the allowed ones otherwise', () => {
    expect(checkOneOf({ argument: 'metric', value: 'ip', allowed: ['ip', 'cosine'] })).toBe('ip');
    expect(
      thrown(() => checkOneOf({ argument: 'metric', value: 'l2', allowed: ['ip', 'cosine'] })).message,
    ).toBe(`metric: must be one of 'ip', 'cosine', got "l2"`);
    expect(() => checkOneOf({ argument: 'metric', value: 1, allowed: ['ip'] })).toThrow(InvalidArgumentError);
  });
});
