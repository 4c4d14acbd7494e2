import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { groupByUser, type Interactions, itemPopularity } from './index';

const interactions: Interactions = {
  users: Int32Array.from([2, 0, 2, 1, 2, 0]),
  items: Int32Array.from([5, 1, 3, 4, 5, 2]),
  clicks: Uint8Array.from([1, 1, 0, 1, 1, 0]),
};

describe('groupByUser', () => {
  it('groups positive items per user in input order (CSR)', () => {
    const { offsets, values } = groupByUser({ interactions, numUsers: 4 });
    expect(Array.from(offsets)).toEqual([0, 1, 2, 4, 4]);
    expect(Array.from(values)).toEqual([1, 4, 5, 5]);
  });

  it('keeps every row with positivesOnly false, and validates user indices', () => {
    const { offsets, values } = groupByUser({ interactions, numUsers: 3, positivesOnly: false });
    expect(Array.from(offsets)).toEqual([0, 2, 3, 6]);
    expect(Array.from(values)).toEqual([1, 2, 4, 5, 3, 5]);
    expect(() => groupByUser({ interactions, numUsers: 2 })).toThrow(/row 0 has index 2, outside \[0, 2\)/);
    expect(() => groupByUser({ interactions, numUsers: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('itemPopularity', () => {
  it('counts positives per item', () => {
    expect(Array.from(itemPopularity({ interactions, numItems: 7 }))).toEqual([0, 1, 0, 0, 1, 2, 0]);
    const { clicks: _all, ...allPositive } = interactions;
    expect(Array.from(itemPopularity({ interactions: allPositive, numItems: 6 }))).toEqual([
      0, 1, 1, 1, 1, 2,
    ]);
    expect(() => itemPopularity({ interactions, numItems: 5 })).toThrow(InvalidArgumentError);
  });
});
