import { describe, expect, it } from 'vitest';
import { concatInteractions, repeatByWeight } from './index';

describe('concatInteractions', () => {
  it('concatenates columns, keeping only those every part has', () => {
    const joined = concatInteractions([
      {
        users: Int32Array.from([0, 1]),
        items: Int32Array.from([5, 6]),
        timestamps: Float64Array.from([1, 2]),
        clicks: Uint8Array.from([1, 0]),
      },
      { users: Int32Array.from([2]), items: Int32Array.from([7]), timestamps: Float64Array.from([3]) },
    ]);
    expect(Array.from(joined.users)).toEqual([0, 1, 2]);
    expect(Array.from(joined.items)).toEqual([5, 6, 7]);
    expect(Array.from(joined.timestamps ?? [])).toEqual([1, 2, 3]);
    expect(joined.clicks).toBeUndefined();
    expect(concatInteractions([]).users.length).toBe(0);
  });
});

describe('repeatByWeight', () => {
  it('repeats a row w times and keeps a weight-0 row once as an exposure', () => {
    const out = repeatByWeight({
      users: Int32Array.from([0, 1, 2]),
      items: Int32Array.from([5, 6, 7]),
      weights: Float32Array.from([2, 0, 1]),
    });
    expect(Array.from(out.users)).toEqual([0, 0, 1, 2]);
    expect(Array.from(out.items)).toEqual([5, 5, 6, 7]);
    expect(Array.from(out.clicks ?? [])).toEqual([1, 1, 0, 1]);
    expect(out.weights).toBeUndefined();
  });
});
