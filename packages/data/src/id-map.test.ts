import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { createIdMap, createIdMapBuilder, idMapFromJSON } from './index';

describe('id maps', () => {
  it('createIdMap indexes ids in order and rejects duplicates', () => {
    const map = createIdMap({ ids: ['b', 'a', 'c'] });
    expect(map.size).toBe(3);
    expect(map.indexOf('a')).toBe(1);
    expect(map.indexOf('zzz')).toBeUndefined();
    expect(map.ids[2]).toBe('c');
    expect(() => createIdMap({ ids: ['x', 'y', 'x'] })).toThrowError(/duplicate id "x" \(first at index 0\)/);
    expect(createIdMap().size).toBe(0);
  });

  it('builder add returns stable indices and grows size', () => {
    const builder = createIdMapBuilder({ ids: ['u0'] });
    expect(builder.add('u1')).toBe(1);
    expect(builder.add('u0')).toBe(0);
    expect(builder.add('u2')).toBe(2);
    expect(builder.add('u1')).toBe(1);
    expect(builder.size).toBe(3);
    expect(builder.indexOf('u2')).toBe(2);
    expect(builder.ids).toEqual(['u0', 'u1', 'u2']);
  });

  it('round-trips through JSON and validates the input', () => {
    const builder = createIdMapBuilder();
    for (const id of ['42', 'x', 'é']) builder.add(id);
    const json = JSON.parse(JSON.stringify(builder)) as unknown;
    expect(json).toEqual(['42', 'x', 'é']);
    const restored = idMapFromJSON(json);
    expect(restored.indexOf('é')).toBe(2);
    expect(restored.toJSON()).toEqual(builder.toJSON());
    expect(() => idMapFromJSON({ ids: [] })).toThrow(InvalidArgumentError);
    expect(() => idMapFromJSON(['a', 3])).toThrowError(/ids\[1\]: expected a string id, got number/);
  });

  it('toJSON returns a copy that does not alias the map', () => {
    const builder = createIdMapBuilder({ ids: ['a'] });
    const copy = builder.toJSON();
    copy.push('b');
    expect(builder.size).toBe(1);
  });

  it('keeps integer-like ids exact: leading zeros, huge values and mixed ids are distinct keys', () => {
    const builder = createIdMapBuilder({ ids: ['7', 'seven'] });
    const ids = ['007', '7', '0', '00', '99999999', '123456789012', '+7', '7.0', ' 7', '16777216', '5000000'];
    const indices = ids.map((id) => builder.add(id));
    expect(indices).toEqual([2, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const [k, id] of ids.entries()) expect(builder.indexOf(id)).toBe(indices[k]);
    expect(builder.indexOf('8')).toBeUndefined();
    expect(builder.indexOf('0007')).toBeUndefined();
    expect(() => createIdMap({ ids: ['1', '2', '1'] })).toThrowError(/duplicate id "1"/);
    // 50k numeric ids (dense table path) round-trip.
    const many = createIdMapBuilder();
    for (let i = 0; i < 50_000; i++) many.add(String((i * 7919) % 1_000_003));
    expect(many.size).toBe(50_000);
    expect(many.indexOf(String((123 * 7919) % 1_000_003))).toBe(123);
    expect(idMapFromJSON(many.toJSON()).indexOf(many.ids[49_999] as string)).toBe(49_999);
  });
});
