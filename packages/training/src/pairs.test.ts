import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate';
import { fit } from './fit';
import { buildTrainingPairs } from './pairs';
import { positivesByUser } from './positives';
import { tinyTrainingData } from './test-data';
import { createTrainableModel } from './trainable-model';
import type { TrainingData } from './training-data';

function fakeData(): TrainingData {
  // user 0 clicks 3 (t=5), 1 (t=1), 1 (t=2), 2 (t=9); user 1 clicks 0 (t=3); row 5 is an exposure without click
  const train = {
    users: Int32Array.of(0, 0, 0, 0, 1, 1),
    items: Int32Array.of(3, 1, 1, 2, 0, 2),
    timestamps: Float64Array.of(5, 1, 2, 9, 3, 4),
    clicks: Uint8Array.of(1, 1, 1, 1, 1, 0),
  };
  return { numUsers: 2, numItems: 4, split: { train } } as unknown as TrainingData;
}

describe('training pairs', () => {
  it('u2i: one pair per training click', () => {
    const data = fakeData();
    const pairs = buildTrainingPairs({
      data,
      mode: 'u2i',
      userPositives: positivesByUser({ interactions: data.split.train, numUsers: 2 }),
    });
    expect(Array.from(pairs.queries)).toEqual([0, 0, 0, 0, 1]);
    expect(Array.from(pairs.targets)).toEqual([3, 1, 1, 2, 0]);
    expect(Array.from(pairs.targetCounts)).toEqual([1, 2, 1, 1]);
  });

  it('i2i: consecutive distinct clicks of one user in time order', () => {
    const data = fakeData();
    const userPositives = positivesByUser({ interactions: data.split.train, numUsers: 2 });
    expect(Array.from(userPositives.values)).toEqual([1, 1, 3, 2, 0]);
    const pairs = buildTrainingPairs({ data, mode: 'i2i', userPositives });
    expect(Array.from(pairs.queries)).toEqual([1, 3]);
    expect(Array.from(pairs.targets)).toEqual([3, 2]);
  });

  it('trains an i2i model whose trigger queries beat random ranking', async () => {
    const data = tinyTrainingData();
    const setup = createTrainableModel({ data, kind: 'gated-additive', mode: 'i2i', dim: 16 });
    try {
      expect(setup.userStore).toBeUndefined();
      await fit({
        model: setup,
        data,
        options: { epochs: 3, batchSize: 64, earlyStopping: { patience: 0 } },
      });
      const test = await evaluate({
        model: setup,
        data,
        split: 'test',
        k: 20,
        cutoffs: [20],
        maxQueries: 0,
        seed: 1,
      });
      // random ranking of ~390 unmasked items would recall about 20 / 390 = 0.05
      expect(test.metrics.cutoffs[20]!.all.recall).toBeGreaterThan(0.1);
    } finally {
      setup.dispose();
    }
  });
});
