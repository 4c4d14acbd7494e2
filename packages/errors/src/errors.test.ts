import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidArtifactError,
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

  it('InvalidArtifactError names path, field and reason and is not a MissingArtifactError', () => {
    const error = new InvalidArtifactError({
      path: '/a/id-maps.json',
      file: 'id-maps.json',
      field: 'items[2]',
      kind: 'duplicate-id',
      message: 'id "x" also at items[0]',
    });
    expect(error.message).toBe('/a/id-maps.json field "items[2]": id "x" also at items[0]');
    expect(error.code).toBe('INVALID_ARTIFACT');
    expect(error.file).toBe('id-maps.json');
    expect(error.kind).toBe('duplicate-id');
    expect(InvalidArtifactError.isInstance(error)).toBe(true);
    expect(MissingArtifactError.isInstance(error)).toBe(false);
    expect(new InvalidArtifactError({ path: '/a/b', file: 'b', kind: 'size', message: 'm' }).message).toBe(
      '/a/b: m',
    );
  });
});
