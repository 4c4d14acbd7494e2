import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fit } from './fit';
import { tinyTrainingData } from './test-data';
import { createTrainableModel } from './trainable-model';
import type { TrainingData } from './training-data';

let data: TrainingData;
beforeAll(() => {
  data = tinyTrainingData();
});

async function trainOnce(neighbourK: number) {
  const setup = createTrainableModel({ data, dim: 8, neighbourK, neighbourWeight: 2 });
  try {
    const before = tf.memory().numTensors;
    const result = await fit({
      model: setup,
      data,
      options: { epochs: 2, batchSize: 64, maxStepsPerEpoch: 4, earlyStopping: { patience: 0 } },
    });
    expect(tf.memory().numTensors).toBe(before);
    return { setup: setup.modelConfig, neighbours: setup.itemStore.neighbours, history: result.history };
  } finally {
    setup.dispose();
  }
}

describe('training with content neighbours', () => {
  it('builds the warm-only graph from every item vector, trains without leaks, and repeats exactly', async () => {
    const first = await trainOnce(4);
    expect(first.setup.id.neighbours).toEqual({
      k: 4,
      weight: 2,
      vectors: Object.keys(data.dataset.content.vectors),
    });
    const neighbours = first.neighbours!;
    expect(neighbours.offsets.length).toBe(data.numItems + 1);
    for (const item of neighbours.values) expect(data.split.coldItems[item]).toBe(0);
    const second = await trainOnce(4);
    expect(second.history.map((e) => e.loss)).toEqual(first.history.map((e) => e.loss));
    expect(second.history.map((e) => e.validRecall)).toEqual(first.history.map((e) => e.validRecall));
    // Off by default: the same seed without neighbours trains a different model.
    const plain = await trainOnce(0);
    expect(plain.setup.id.neighbours).toBeUndefined();
    expect(plain.history.map((e) => e.loss)).not.toEqual(first.history.map((e) => e.loss));
  });

  it('id-only and content-only ignore neighbourK (one view each, no content graph in the ID view)', () => {
    for (const kind of ['id-only', 'content-only'] as const) {
      const setup = createTrainableModel({ data, dim: 8, kind, neighbourK: 4 });
      try {
        expect(setup.modelConfig.id.neighbours).toBeUndefined();
        expect(setup.itemStore.neighbours).toBeUndefined();
      } finally {
        setup.dispose();
      }
    }
  });
});
