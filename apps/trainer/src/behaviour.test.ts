import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainerConfig, type TrainerModelKind } from './config';
import { loadTrainingData, type TrainingData } from './data';
import { evaluateModel, type ModelEvaluation } from './evaluate';
import { buildModelSetup } from './model-setup';
import { runTraining } from './train';

// The synthetic generator makes late items (10%) cold by construction while their content vectors and
// tags carry the topic: only a content path can recall them. Behaviour model is the one to beat on warm items.
let data: TrainingData;
const results: Partial<Record<TrainerModelKind, ModelEvaluation>> = {};

async function trainKind(kind: TrainerModelKind): Promise<ModelEvaluation> {
  const output = await mkdtemp(join(tmpdir(), 'mmrecall-behaviour-'));
  const config = resolveTrainerConfig({
    overrides: {
      data: { preset: 'tiny' },
      model: { kind, dim: 16 },
      train: { epochs: 8, batchSize: 64, earlyStoppingPatience: 0 },
      output,
    },
  });
  const setup = buildModelSetup({ config, data });
  try {
    await runTraining({ config, data, setup, progress: null, checkpoint: false });
    return await evaluateModel({
      model: setup.model,
      itemStore: setup.itemStore,
      ...(setup.userStore ? { userStore: setup.userStore } : {}),
      data,
      trainPositives: setup.userPositives,
      split: 'test',
      k: 20,
      cutoffs: [20],
      maxQueries: 0,
      seed: 1,
    });
  } finally {
    setup.model.dispose();
  }
}

describe('behaviour on synthetic data (tiny preset)', () => {
  beforeAll(async () => {
    data = await loadTrainingData({ data: { source: 'synthetic', preset: 'tiny', seed: 42 } });
    for (const kind of ['id-only', 'content-only', 'gated-additive'] as const)
      results[kind] = await trainKind(kind);
  }, 600_000); // about 15 s on wasm; the pure-JS cpu backend (MMRECALL_TEST_BACKEND=cpu) is several times slower

  it('content-using kinds recall cold items far better than id-only', () => {
    const cold = (kind: TrainerModelKind) => results[kind]!.metrics.cutoffs[20]!.cold.recall;
    expect(results['id-only']!.metrics.cutoffs[20]!.cold.queries).toBeGreaterThan(20);
    // id-only serves every cold item the same unknown-row embedding: it cannot rank them.
    expect(cold('id-only')).toBeLessThan(0.05);
    expect(cold('content-only')).toBeGreaterThan(cold('id-only') + 0.15);
    expect(cold('gated-additive')).toBeGreaterThan(cold('id-only') + 0.15);
  });

  it('gated-additive keeps warm accuracy and beats id-only overall', () => {
    const atK = (kind: TrainerModelKind) => results[kind]!.metrics.cutoffs[20]!;
    expect(atK('gated-additive').all.recall).toBeGreaterThan(atK('id-only').all.recall);
    expect(atK('gated-additive').warm.recall).toBeGreaterThan(0.8 * atK('id-only').warm.recall);
  });

  it('gives popular items a lower gate (less content) than rare and cold items', () => {
    const evaluation = results['gated-additive']!;
    expect(evaluation.gateSpearman!.warm).toBeLessThan(-0.2);
    expect(evaluation.gateSpearman!.all).toBeLessThan(0);
  });
});
