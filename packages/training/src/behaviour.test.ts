import type { ModelKind } from '@mmrecall/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type ModelEvaluation } from './evaluate';
import { fit } from './fit';
import { tinyTrainingData } from './test-data';
import { createTrainableModel } from './trainable-model';
import type { TrainingData } from './training-data';

// The synthetic generator makes late items (10%) cold by construction while their content vectors and
// tags carry the topic: only a content path can recall them. Behaviour model is the one to beat on warm items.
let data: TrainingData;
const results: Partial<Record<ModelKind, ModelEvaluation>> = {};

async function trainKind(kind: ModelKind): Promise<ModelEvaluation> {
  const setup = createTrainableModel({ data, kind, dim: 16 });
  try {
    await fit({ model: setup, data, options: { epochs: 8, batchSize: 64, earlyStopping: { patience: 0 } } });
    return await evaluate({
      model: setup,
      data,
      split: 'test',
      k: 20,
      cutoffs: [20],
      maxQueries: 0,
      seed: 1,
    });
  } finally {
    setup.dispose();
  }
}

describe('behaviour on synthetic data (tiny preset)', () => {
  beforeAll(async () => {
    data = tinyTrainingData();
    for (const kind of ['id-only', 'content-only', 'gated-additive'] as const)
      results[kind] = await trainKind(kind);
  }, 600_000); // about 15 s on wasm; the pure-JS cpu backend (MMRECALL_TEST_BACKEND=cpu) is several times slower

  it('content-using kinds recall cold items far better than id-only', () => {
    const cold = (kind: ModelKind) => results[kind]!.metrics.cutoffs[20]!.cold.recall;
    expect(results['id-only']!.metrics.cutoffs[20]!.cold.queries).toBeGreaterThan(20);
    // id-only serves every cold item the same unknown-row embedding: it cannot rank them.
    expect(cold('id-only')).toBeLessThan(0.05);
    expect(cold('content-only')).toBeGreaterThan(cold('id-only') + 0.15);
    expect(cold('gated-additive')).toBeGreaterThan(cold('id-only') + 0.15);
  });

  it('gated-additive keeps warm accuracy and beats id-only overall', () => {
    const atK = (kind: ModelKind) => results[kind]!.metrics.cutoffs[20]!;
    expect(atK('gated-additive').all.recall).toBeGreaterThan(atK('id-only').all.recall);
    expect(atK('gated-additive').warm.recall).toBeGreaterThan(0.8 * atK('id-only').warm.recall);
  });

  it('gives popular items a lower gate (less content) than rare and cold items', () => {
    const evaluation = results['gated-additive']!;
    expect(evaluation.gateSpearman!.warm).toBeLessThan(-0.2);
    expect(evaluation.gateSpearman!.all).toBeLessThan(0);
  });
});
