import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import {
  computeItemStatistics,
  countItemInteractions,
  type Interactions,
  itemStatisticsFromCounts,
  splitByTime,
} from './index';

const DAY = 86_400;

describe('computeItemStatistics', () => {
  const interactions: Interactions = {
    users: Int32Array.from([0, 1, 2, 0, 1]),
    items: Int32Array.from([0, 0, 0, 1, 2]),
    timestamps: Float64Array.from([10 * DAY, 12 * DAY, 11 * DAY, 13 * DAY, 14 * DAY]),
    clicks: Uint8Array.from([1, 0, 1, 0, 1]),
  };

  it('counts exposures and clicks, smooths CTR and measures age to the latest timestamp', () => {
    const stats = computeItemStatistics({ interactions, numItems: 4, ctrPrior: { alpha: 1, beta: 3 } });
    expect(Array.from(stats.exposures)).toEqual([3, 1, 1, 0]);
    expect(Array.from(stats.clicks)).toEqual([2, 0, 1, 0]);
    expect(Array.from(stats.ctr)).toEqual([3 / 7, 1 / 5, 2 / 5, 1 / 4].map(Math.fround));
    expect(Array.from(stats.age)).toEqual([4, 1, 0, 0]);
  });

  it('uses an explicit now, Laplace by default, and counts every row as a click without a click column', () => {
    const { clicks: _ignored, ...noClicks } = interactions;
    const stats = computeItemStatistics({ interactions: noClicks, numItems: 3, now: 20 * DAY });
    expect(Array.from(stats.clicks)).toEqual([3, 1, 1]);
    expect(Array.from(stats.ctr)).toEqual([4 / 5, 2 / 3, 2 / 3].map(Math.fround));
    expect(Array.from(stats.age)).toEqual([10, 7, 6]);
    const { timestamps: _none, ...untimed } = interactions;
    expect(Array.from(computeItemStatistics({ interactions: untimed, numItems: 3 }).age)).toEqual([0, 0, 0]);
  });

  it('sees only the training split: later valid/test rows do not change the statistics', () => {
    const rows = 300;
    const all: Interactions = {
      users: Int32Array.from({ length: rows }, (_, r) => r % 13),
      items: Int32Array.from({ length: rows }, (_, r) => (r < 210 ? r % 10 : 10 + (r % 5))), // items 10..14 appear late only
      timestamps: Float64Array.from({ length: rows }, (_, r) => r * DAY),
    };
    const split = splitByTime({ interactions: all, validFraction: 0.1, testFraction: 0.2, numItems: 15 });
    const stats = computeItemStatistics({ interactions: split.train, numItems: 15 });
    const full = computeItemStatistics({ interactions: all, numItems: 15 });
    expect(Array.from(stats.exposures.slice(10))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(full.exposures.slice(10))).toEqual([18, 18, 18, 18, 18]);
    expect(stats.exposures.reduce((a, b) => a + b, 0)).toBe(split.train.users.length);
    expect(Math.max(...stats.age)).toBe(209); // first row at day 0, train ends at day 209
    expect(Array.from(split.coldItems.slice(10))).toEqual([1, 1, 1, 1, 1]);
  });

  it('rejects bad arguments', () => {
    expect(() => computeItemStatistics({ interactions, numItems: 2 })).toThrow(/outside \[0, 2\)/);
    expect(() =>
      computeItemStatistics({ interactions, numItems: 3, ctrPrior: { alpha: -1, beta: 1 } }),
    ).toThrow(InvalidArgumentError);
    expect(() => computeItemStatistics({ interactions, numItems: 3, now: Number.NaN })).toThrow(/now/);
    expect(() =>
      computeItemStatistics({ interactions: { ...interactions, clicks: new Uint8Array(2) }, numItems: 3 }),
    ).toThrow(/clicks: has 2 entries/);
  });

  it('counts of two periods added, then smoothed, equal the statistics of both periods at once', () => {
    const first = {
      users: interactions.users.slice(0, 3),
      items: interactions.items.slice(0, 3),
      timestamps: interactions.timestamps!.slice(0, 3),
      clicks: interactions.clicks!.slice(0, 3),
    };
    const second = {
      users: interactions.users.slice(3),
      items: interactions.items.slice(3),
      timestamps: interactions.timestamps!.slice(3),
      clicks: interactions.clicks!.slice(3),
    };
    const a = countItemInteractions({ interactions: first, numItems: 4 });
    const b = countItemInteractions({ interactions: second, numItems: 4 });
    expect(Array.from(a.firstSeen)).toEqual([10 * DAY, Infinity, Infinity, Infinity]);
    expect(a.latest).toBe(12 * DAY);
    const added = itemStatisticsFromCounts({
      exposures: a.exposures.map((e, i) => e + b.exposures[i]!),
      clicks: a.clicks.map((c, i) => c + b.clicks[i]!),
      firstSeen: a.firstSeen.map((t, i) => Math.min(t, b.firstSeen[i]!)),
      now: Math.max(a.latest, b.latest),
      ctrPrior: { alpha: 1, beta: 3 },
    });
    expect(added).toEqual(
      computeItemStatistics({ interactions, numItems: 4, ctrPrior: { alpha: 1, beta: 3 } }),
    );
    expect(
      Array.from(itemStatisticsFromCounts({ exposures: a.exposures, clicks: a.clicks, now: 0 }).age),
    ).toEqual([0, 0, 0, 0]);
  });
});
