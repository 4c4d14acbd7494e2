import { describe, expect, it } from 'vitest';
import { createInteractionMatrix } from './interaction-matrix';
import { fitItemKnn } from './item-knn';

// users: 0 -> {0, 1}, 1 -> {0, 1, 2}, 2 -> {1, 2}, 3 -> {3}; item 4 never clicked.
// Columns: U0 = {0,1}, U1 = {0,1,2}, U2 = {1,2}, U3 = {3}.
// cos(0,1) = 2/sqrt(2*3), cos(0,2) = 1/sqrt(2*2) = 1/2, cos(1,2) = 2/sqrt(3*2), item 3 shares no user.
const matrix = createInteractionMatrix({
  users: Int32Array.of(0, 0, 1, 1, 1, 2, 2, 3),
  items: Int32Array.of(0, 1, 0, 1, 2, 1, 2, 3),
  numUsers: 4,
  numItems: 5,
});
const c01 = 2 / Math.sqrt(6);

describe('fitItemKnn', () => {
  it('computes cosine similarities of the user columns, most similar first', () => {
    const model = fitItemKnn({ matrix, neighbours: 0 });
    const row = (i: number) =>
      Array.from(model.neighbourItems.subarray(model.offsets[i]!, model.offsets[i + 1]!)).map((j, t) => [
        j,
        model.similarities[model.offsets[i]! + t]!,
      ]);
    expect(row(0).map(([j]) => j)).toEqual([1, 2]);
    expect(row(0)[0]![1]).toBeCloseTo(c01, 6);
    expect(row(0)[1]![1]).toBeCloseTo(0.5, 6);
    expect(row(1).map(([j]) => j)).toEqual([0, 2]); // tie c01 = c12 broken by lower index
    expect(row(3)).toEqual([]);
    expect(row(4)).toEqual([]);
  });

  it('scores a user by summing the similarities of the clicked items', () => {
    const model = fitItemKnn({ matrix, neighbours: 0 });
    const out = new Float32Array(10);
    model.scoreUsers({ users: Int32Array.of(0, 2), out });
    // user 0 {0, 1}: item 0 <- sim(1,0); item 1 <- sim(0,1); item 2 <- sim(0,2) + sim(1,2)
    expect(out[0]).toBeCloseTo(c01, 6);
    expect(out[1]).toBeCloseTo(c01, 6);
    expect(out[2]).toBeCloseTo(0.5 + c01, 6);
    expect(out[3]).toBe(0);
    expect(out[4]).toBe(0);
    // user 2 {1, 2}: item 0 <- sim(1,0) + sim(2,0)
    expect(out[5]).toBeCloseTo(c01 + 0.5, 6);
  });

  it('keeps only the top neighbours and applies shrinkage', () => {
    const model = fitItemKnn({ matrix, neighbours: 1, shrink: 1 });
    expect(Array.from(model.neighbourItems.subarray(model.offsets[0]!, model.offsets[1]!))).toEqual([1]);
    expect(model.similarities[0]).toBeCloseTo(2 / (Math.sqrt(6) + 1), 6);
    const out = new Float32Array(5);
    model.scoreUsers({ users: Int32Array.of(0), out });
    // item 1 keeps only item 0 (tie with item 2 broken by lower index): user 0 {0, 1} reaches 0 and 1, not 2
    expect(out[0]).toBeCloseTo(2 / (Math.sqrt(6) + 1), 6);
    expect(out[1]).toBeCloseTo(2 / (Math.sqrt(6) + 1), 6);
    expect(out[2]).toBe(0);
  });

  it('rejects bad options and requests', () => {
    expect(() => fitItemKnn({ matrix, neighbours: -1 })).toThrow(/neighbours/);
    const model = fitItemKnn({ matrix });
    expect(() => model.scoreUsers({ users: Int32Array.of(0), out: new Float32Array(4) })).toThrow(
      /out length/,
    );
    expect(() => model.scoreUsers({ users: Int32Array.of(9), out: new Float32Array(5) })).toThrow(/user 9/);
  });
});
