import { topKScores } from '@mmrecall/metrics';
import { describe, expect, it } from 'vitest';
import { createInteractionMatrix } from './interaction-matrix';
import { fitMostPopular } from './most-popular';

describe('fitMostPopular', () => {
  it('scores items by training positives and ranks them most popular first, ties by index', () => {
    // item counts: 0 -> 1, 1 -> 3, 2 -> 0, 3 -> 3
    const matrix = createInteractionMatrix({
      users: Int32Array.of(0, 0, 1, 1, 2, 2, 0),
      items: Int32Array.of(1, 3, 1, 3, 1, 3, 0),
      numUsers: 3,
      numItems: 4,
    });
    const model = fitMostPopular({ matrix });
    expect(model.dim).toBe(1);
    expect(Array.from(model.itemEmbeddings)).toEqual([1, 3, 0, 3]);
    const out = new Float32Array(8);
    model.scoreUsers({ users: Int32Array.of(2, 0), out });
    expect(Array.from(out)).toEqual([1, 3, 0, 3, 1, 3, 0, 3]);
    const { indices } = topKScores({
      numQueries: 1,
      numItems: 4,
      k: 4,
      score: (_s, _e, block) => model.scoreUsers({ users: Int32Array.of(1), out: block }),
    });
    expect(Array.from(indices)).toEqual([1, 3, 0, 2]);
  });
});
