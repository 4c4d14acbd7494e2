import { InvalidDatasetError, ShapeMismatchError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { combineVectors } from './combine-vectors';

describe('combineVectors', () => {
  const image = { name: 'image', dim: 2, data: new Float32Array([3, 4, 0, 0, 1, 0]) };
  const audio = { name: 'audio', dim: 3, data: new Float32Array([0, 0, 2, 1, 2, 2, 0, 5, 0]), weight: 0.5 };

  it('concatenates L2-normalised, weighted parts', () => {
    const combined = combineVectors({ tables: [image, audio], normalizeEach: true });
    expect(combined.dim).toBe(5);
    expect(combined.rows).toBe(3);
    expect(combined.offsets).toEqual([0, 2]);
    const expected = [0.6, 0.8, 0, 0, 0.5, 0, 0, 1 / 6, 1 / 3, 1 / 3, 1, 0, 0, 0.5, 0];
    for (let i = 0; i < expected.length; i++) expect(combined.data[i]).toBeCloseTo(expected[i]!, 6);
  });

  it('only weights when normalizeEach is false, and keeps inputs untouched', () => {
    const combined = combineVectors({ tables: [audio, image], normalizeEach: false });
    expect(Array.from(combined.data.subarray(0, 5))).toEqual([0, 0, 1, 3, 4]);
    expect(Array.from(image.data)).toEqual([3, 4, 0, 0, 1, 0]);
  });

  it('rejects mismatched rows and non-finite values', () => {
    const short = { name: 'text', dim: 2, data: new Float32Array(4) };
    expect(() => combineVectors({ tables: [image, short], normalizeEach: true })).toThrow(ShapeMismatchError);
    const nan = { name: 'audio', dim: 3, data: audio.data.slice() };
    nan.data[5] = Number.NaN;
    expect(() => combineVectors({ tables: [image, nan], normalizeEach: true })).toThrow(
      expect.objectContaining({ file: 'audio', line: 2, field: 'column 2' }),
    );
    expect(() => combineVectors({ tables: [image, nan], normalizeEach: true })).toThrow(InvalidDatasetError);
    expect(() => combineVectors({ tables: [], normalizeEach: true })).toThrow(/tables/);
    expect(() => combineVectors({ tables: [{ ...image, weight: -1 }], normalizeEach: true })).toThrow(
      /weight/,
    );
  });
});
