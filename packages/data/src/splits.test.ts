import { InvalidArgumentError } from '@mmrecall/errors';
import { createRandom } from '@mmrecall/random';
import { describe, expect, it } from 'vitest';
import { type Interactions, splitByTime, splitColdItems, splitRandomHoldout } from './index';

/** Synthetic interactions: rows r with user r % users, item (r * 7) % items, time 1000 + r (shuffled order). */
function synthetic(rows: number, users: number, items: number, seed = 1): Interactions {
  const random = createRandom(seed);
  const order = Array.from({ length: rows }, (_, r) => r).sort(() => random() - 0.5);
  return {
    users: Int32Array.from(order, (r) => r % users),
    items: Int32Array.from(order, (r) => (r * 7) % items),
    timestamps: Float64Array.from(order, (r) => 1000 + r),
    clicks: Uint8Array.from(order, (r) => (r % 5 === 0 ? 0 : 1)),
  };
}

/** Multiset of (user, item, time) keys, to check that a split is a partition. */
function keys(part: Interactions): string[] {
  return Array.from(part.users, (user, r) => `${user}:${part.items[r]}:${part.timestamps?.[r]}`);
}

function expectPartition(
  all: Interactions,
  split: { train: Interactions; valid: Interactions; test: Interactions },
): void {
  const joined = [...keys(split.train), ...keys(split.valid), ...keys(split.test)].sort();
  expect(joined).toEqual(keys(all).sort());
}

function coldFromScratch(train: Interactions, numItems: number): number[] {
  const warm = new Set<number>();
  train.items.forEach((item, r) => {
    if (train.clicks === undefined || train.clicks[r] === 1) warm.add(item);
  });
  return Array.from({ length: numItems }, (_, i) => (warm.has(i) ? 0 : 1));
}

describe('splitByTime', () => {
  it('cuts at global time points: every train row precedes every valid row precedes every test row', () => {
    const all = synthetic(1000, 50, 97);
    const split = splitByTime({ interactions: all, validFraction: 0.1, testFraction: 0.2, numItems: 100 });
    expect(split.train.users.length).toBe(700);
    expect(split.valid.users.length).toBe(100);
    expect(split.test.users.length).toBe(200);
    const max = (values: Float64Array | undefined) => Math.max(...(values ?? []));
    const min = (values: Float64Array | undefined) => Math.min(...(values ?? []));
    expect(max(split.train.timestamps)).toBeLessThan(min(split.valid.timestamps));
    expect(max(split.valid.timestamps)).toBeLessThan(min(split.test.timestamps));
    expectPartition(all, split);
    expect(Array.from(split.coldItems)).toEqual(coldFromScratch(split.train, 100));
    expect(split.coldItems.slice(97).every((flag) => flag === 1)).toBe(true);
  });

  it('keeps rows with the same timestamp together and needs timestamps', () => {
    const tied: Interactions = {
      users: new Int32Array(6),
      items: Int32Array.from([0, 1, 2, 3, 4, 5]),
      timestamps: Float64Array.from([1, 2, 2, 2, 3, 4]),
    };
    const split = splitByTime({ interactions: tied, validFraction: 0, testFraction: 0.5 });
    expect(Array.from(split.train.items)).toEqual([0]);
    expect(Array.from(split.test.items)).toEqual([1, 2, 3, 4, 5]);
    expect(() =>
      splitByTime({
        interactions: { users: new Int32Array(1), items: new Int32Array(1) },
        validFraction: 0.1,
        testFraction: 0.1,
      }),
    ).toThrow(/needs timestamps/);
    expect(() => splitByTime({ interactions: tied, validFraction: 0.6, testFraction: 0.4 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => splitByTime({ interactions: tied, validFraction: -0.1, testFraction: 0.4 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('splitRandomHoldout', () => {
  it('holds out exact row shares, is deterministic from the seed and differs across seeds', () => {
    const all = synthetic(1000, 50, 97);
    const a = splitRandomHoldout({ interactions: all, validFraction: 0.1, testFraction: 0.15, seed: 3 });
    const b = splitRandomHoldout({ interactions: all, validFraction: 0.1, testFraction: 0.15, seed: 3 });
    const c = splitRandomHoldout({ interactions: all, validFraction: 0.1, testFraction: 0.15, seed: 4 });
    expect([a.train.users.length, a.valid.users.length, a.test.users.length]).toEqual([750, 100, 150]);
    expect(keys(a.test)).toEqual(keys(b.test));
    expect(keys(a.test)).not.toEqual(keys(c.test));
    expectPartition(all, a);
    expect(Array.from(a.coldItems)).toEqual(coldFromScratch(a.train, 97));
  });

  it('perUser holds out each user share and keeps at least one train row per user', () => {
    const all = synthetic(1000, 50, 97); // 20 rows per user
    const split = splitRandomHoldout({
      interactions: all,
      validFraction: 0.1,
      testFraction: 0.2,
      seed: 9,
      perUser: true,
    });
    const perUser = (part: Interactions, user: number) => part.users.filter((u) => u === user).length;
    for (let user = 0; user < 50; user++) {
      expect([perUser(split.train, user), perUser(split.valid, user), perUser(split.test, user)]).toEqual([
        14, 2, 4,
      ]);
    }
    expectPartition(all, split);
    const single: Interactions = { users: Int32Array.from([0, 1, 1]), items: Int32Array.from([0, 1, 2]) };
    const small = splitRandomHoldout({
      interactions: single,
      validFraction: 0.3,
      testFraction: 0.5,
      seed: 1,
      perUser: true,
    });
    expect(Array.from(small.train.users).sort()).toEqual([0, 1]);
    expect(small.test.users.length).toBe(1);
  });
});

describe('splitColdItems', () => {
  it('holds out a share of items entirely, valid and test cold items disjoint', () => {
    const all = synthetic(2000, 40, 100);
    const split = splitColdItems({
      interactions: all,
      numItems: 110,
      coldItemFraction: 0.2,
      seed: 5,
      validFraction: 0.1,
      testFraction: 0.1,
    });
    expectPartition(all, split);
    const trainItems = new Set(split.train.items);
    const heldOut = [...new Set([...split.valid.items, ...split.test.items])].filter(
      (item) => !trainItems.has(item),
    );
    expect(heldOut.length).toBe(20); // 20% of the 100 items with interactions
    const validCold = new Set(Array.from(split.valid.items).filter((item) => !trainItems.has(item)));
    const testCold = new Set(Array.from(split.test.items).filter((item) => !trainItems.has(item)));
    expect(validCold.size).toBe(10);
    expect(testCold.size).toBe(10);
    expect([...validCold].some((item) => testCold.has(item))).toBe(false);
    for (const item of heldOut) expect(split.coldItems[item]).toBe(1);
    expect(Array.from(split.coldItems)).toEqual(coldFromScratch(split.train, 110));
    // The warm rows are split with the given shares (every item has 20 rows).
    const warmRows = 2000 - 20 * 20;
    expect(split.test.users.length - 10 * 20).toBe(Math.round(warmRows * 0.1));
    const again = splitColdItems({
      interactions: all,
      numItems: 110,
      coldItemFraction: 0.2,
      seed: 5,
      validFraction: 0.1,
      testFraction: 0.1,
    });
    expect(keys(again.valid)).toEqual(keys(split.valid));
  });

  it('validates its options', () => {
    const all = synthetic(100, 5, 10);
    expect(() =>
      splitColdItems({
        interactions: all,
        numItems: 5,
        coldItemFraction: 0.1,
        seed: 1,
        validFraction: 0.1,
        testFraction: 0.1,
      }),
    ).toThrow(/outside \[0, 5\)/);
    expect(() =>
      splitColdItems({
        interactions: all,
        numItems: 10,
        coldItemFraction: 1,
        seed: 1,
        validFraction: 0.1,
        testFraction: 0.1,
      }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      splitColdItems({
        interactions: all,
        numItems: 10,
        coldItemFraction: 0.1,
        seed: Number.NaN,
        validFraction: 0.1,
        testFraction: 0.1,
      }),
    ).toThrow(/seed/);
  });
});
