import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidDatasetError,
  MissingArtifactError,
  MmrecallError,
  NotFoundError,
  ShapeMismatchError,
} from './index';

describe('errors', () => {
  it('InvalidDatasetError names file, line and field and keeps the cause', () => {
    const cause = new Error('parse');
    const error = new InvalidDatasetError({
      file: 'train.csv',
      line: 12,
      field: 'item_id',
      kind: 'non-numeric',
      message: 'expected an integer, got "abc"',
      cause,
    });
    expect(error.message).toBe('train.csv:line 12 field "item_id": expected an integer, got "abc"');
    expect(error.code).toBe('INVALID_DATASET');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(InvalidDatasetError.isInstance(error)).toBe(true);
    expect(ShapeMismatchError.isInstance(error)).toBe(false);
    expect(MmrecallError.isInstance(error)).toBe(true);
  });

  it('isInstance works on a structurally separate copy (duplicate installs)', () => {
    const foreign = Object.assign(new Error('x'), {
      code: 'NOT_FOUND',
      [Symbol.for('mmrecall.error')]: true,
    });
    expect(NotFoundError.isInstance(foreign)).toBe(true);
    expect(MmrecallError.isInstance(new Error('plain'))).toBe(false);
    expect(MmrecallError.isInstance(null)).toBe(false);
  });

  it('formats shape, argument and artifact errors', () => {
    expect(new ShapeMismatchError({ message: 'vector dim', expected: [64], actual: [32] }).message).toBe(
      'vector dim (expected [64], got [32])',
    );
    expect(new InvalidArgumentError({ argument: 'k', message: 'must be >= 1' }).message).toBe(
      'k: must be >= 1',
    );
    const missing = new MissingArtifactError({ path: '/a/model.json', message: 'not found' });
    expect(missing.code).toBe('MISSING_ARTIFACT');
    expect(missing.path).toBe('/a/model.json');
  });
});
