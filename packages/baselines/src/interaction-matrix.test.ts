import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import {
  createInteractionMatrix,
  itemCounts,
  itemUsers,
  validateInteractionMatrix,
} from './interaction-matrix';

describe('createInteractionMatrix', () => {
  it('sorts each row and counts repeated pairs once', () => {
    const matrix = createInteractionMatrix({
      users: Int32Array.of(1, 0, 1, 1, 0),
      items: Int32Array.of(2, 1, 0, 2, 1),
      numUsers: 3,
      numItems: 3,
    });
    expect(Array.from(matrix.offsets)).toEqual([0, 1, 3, 3]);
    expect(Array.from(matrix.items)).toEqual([1, 0, 2]);
    expect(Array.from(itemCounts(matrix))).toEqual([1, 1, 1]);
    const columns = itemUsers(matrix);
    expect(Array.from(columns.offsets)).toEqual([0, 1, 2, 3]);
    expect(Array.from(columns.users)).toEqual([1, 0, 1]);
  });

  it('names the bad entry', () => {
    expect(() =>
      createInteractionMatrix({ users: Int32Array.of(0), items: Int32Array.of(4), numUsers: 1, numItems: 3 }),
    ).toThrow(/item 4 at 0/);
    expect(() =>
      createInteractionMatrix({
        users: Int32Array.of(0),
        items: new Int32Array(2),
        numUsers: 1,
        numItems: 3,
      }),
    ).toThrow(ShapeMismatchError);
    expect(() =>
      validateInteractionMatrix({
        numUsers: 1,
        numItems: 3,
        offsets: Int32Array.of(0, 2),
        items: Int32Array.of(2, 1),
      }),
    ).toThrow(InvalidArgumentError);
  });
});
