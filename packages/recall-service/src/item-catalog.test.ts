import { describe, expect, test } from 'vitest';

import { createItemCatalog } from './item-catalog';

const given = new Map([
  ['a', 0],
  ['b', 1],
  ['c', 2],
]);

describe.each([
  ['builds its own id map', undefined],
  ["reuses the reader's id map", given],
])('createItemCatalog (%s)', (_name, trainedRows) => {
  const embeddings = Float32Array.from([1, 0, 0, 1, 1, 1]);
  const make = () =>
    createItemCatalog({
      itemIds: ['a', 'b', 'c'],
      embeddings,
      dim: 2,
      ...(trainedRows ? { trainedRows } : {}),
    });

  test('training items keep their row as key and their artifact vector', () => {
    const catalog = make();
    expect(catalog.size).toBe(3);
    expect(catalog.keyOf('b')).toBe(1);
    expect(catalog.idOf(2)).toBe('c');
    expect(Array.from(catalog.vectorOf(1)!)).toEqual([0, 1]);
    expect(catalog.trainedRow('c')).toBe(2);
    expect(catalog.trainedRow('zz')).toBeUndefined();
    expect(catalog.keyOf('zz')).toBeUndefined();
    expect(catalog.idOf(3)).toBeUndefined();
    expect(catalog.idOf(-1)).toBeUndefined();
    expect(catalog.idOf(0.5)).toBeUndefined();
  });

  test('new items get fresh keys that are never reused, even after delete', () => {
    const catalog = make();
    expect(catalog.put({ id: 'n1', vector: Float32Array.of(2, 2) })).toEqual({ key: 3, created: true });
    expect(catalog.put({ id: 'n1', vector: Float32Array.of(3, 3) })).toEqual({ key: 3, created: false });
    expect(Array.from(catalog.vectorOf(3)!)).toEqual([3, 3]);
    expect(catalog.remove({ id: 'n1' })).toBe(3);
    expect(catalog.idOf(3)).toBeUndefined();
    expect(catalog.remove({ id: 'n1' })).toBeUndefined();
    expect(catalog.put({ id: 'n1', vector: Float32Array.of(4, 4) })).toEqual({ key: 4, created: true });
    expect(catalog.trainedRow('n1')).toBeUndefined();
    expect(catalog.size).toBe(4);
  });

  test('training items can be replaced, deleted and put back under their own key', () => {
    const catalog = make();
    expect(catalog.put({ id: 'a', vector: Float32Array.of(9, 9) })).toEqual({ key: 0, created: false });
    expect(Array.from(catalog.vectorOf(0)!)).toEqual([9, 9]);
    expect(Array.from(embeddings.subarray(0, 2))).toEqual([1, 0]);
    expect(catalog.remove({ id: 'a' })).toBe(0);
    expect(catalog.keyOf('a')).toBeUndefined();
    expect(catalog.vectorOf(0)).toBeUndefined();
    expect(catalog.trainedRow('a')).toBe(0);
    expect(catalog.size).toBe(2);
    expect(catalog.put({ id: 'a', vector: Float32Array.of(5, 5) })).toEqual({ key: 0, created: true });
    expect(catalog.size).toBe(3);
  });

  test('rejects vectors of the wrong dimension without changing anything', () => {
    const catalog = make();
    expect(() => catalog.put({ id: 'x', vector: Float32Array.of(1) })).toThrow(/expected 2/);
    expect(catalog.keyOf('x')).toBeUndefined();
    expect(catalog.size).toBe(3);
  });

  test("the reader's id map is only read", () => {
    const catalog = make();
    catalog.put({ id: 'n1', vector: Float32Array.of(1, 2) });
    catalog.remove({ id: 'b' });
    catalog.put({ id: 'c', vector: Float32Array.of(2, 1) });
    expect([...given]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });
});
