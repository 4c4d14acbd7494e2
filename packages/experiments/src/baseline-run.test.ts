import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInteractionMatrix, fitMostPopular } from '@mmrecall/baselines';
import { evaluateEmbeddings, positivesByUser, selectQueries } from '@mmrecall/training';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBaseline } from './baseline-run';
import { runComparison } from './comparison';
import { type LoadedTrainingData, loadTrainingData } from './data-source';
import type { ExperimentConfig } from './experiment-config';
import { testConfig } from './test-config';

let data: LoadedTrainingData;
beforeAll(async () => {
  data = await loadTrainingData({ data: { source: 'synthetic', preset: 'tiny', seed: 42 } });
});

function config(overrides: Parameters<typeof testConfig>[0] = {}): ExperimentConfig {
  return testConfig({
    data: { preset: 'tiny' },
    model: { dim: 8 },
    baselines: {
      easeLambdas: [1, 1000],
      knnNeighbours: [5, 0],
      knnShrink: [0],
      bprEpochs: 6,
      lightgcnLayers: [1],
      lightgcnEpochs: 4,
      validateEvery: 2,
    },
    ...overrides,
  });
}

describe('runBaseline', () => {
  it('picks the setting with the best valid Recall@K and tests only that one', async () => {
    const run = await runBaseline({ kind: 'ease', config: config(), data, backend: 'none' });
    expect(run.trials.map((t) => t.settings.lambda)).toEqual([1, 1000]);
    const bestValid = Math.max(...run.trials.map((t) => t.validRecall));
    expect(run.chosen.validRecall).toBe(bestValid);
    expect(run.chosen).toBe(run.trials.find((t) => t.validRecall === bestValid));
    expect(run.metrics.kind).toBe('ease');
    expect(run.metrics.test.cutoffs[20]!.all.queries).toBeGreaterThan(0);
    // EASE gives items without a training click no weight: cold items never score, never surface.
    expect(run.metrics.test.ecology[20]!.coldShare).toBe(0);
  });

  it('scores a score-based model exactly like the same model given as embeddings', () => {
    const trainPositives = positivesByUser({ interactions: data.split.train, numUsers: data.numUsers });
    const users = new Int32Array(trainPositives.values.length);
    for (let u = 0; u < data.numUsers; u++)
      users.fill(u, trainPositives.offsets[u]!, trainPositives.offsets[u + 1]!);
    const matrix = createInteractionMatrix({
      users,
      items: trainPositives.values,
      numUsers: data.numUsers,
      numItems: data.numItems,
    });
    const popular = fitMostPopular({ matrix });
    const selected = selectQueries({
      heldOut: data.split.test,
      numUsers: data.numUsers,
      trainPositives,
      needTrigger: false,
      maxQueries: 0,
      seed: 1,
    });
    const shared = { selected, data, trainPositives, k: 20, cutoffs: [10, 20] };
    const byScores = evaluateEmbeddings({
      ...shared,
      scoreUsers: (u, out) => popular.scoreUsers({ users: u, out }),
    });
    const byEmbeddings = evaluateEmbeddings({
      ...shared,
      queries: new Float32Array(selected.users.length).fill(1),
      itemEmbeddings: popular.itemEmbeddings,
      dim: 1,
    });
    expect(byScores.metrics).toEqual(byEmbeddings.metrics);
    expect(byScores.metrics.cutoffs[20]!.all.recall).toBeGreaterThan(0);
    // The cold protocol ranks cold held-out items among cold items only: every recalled slot is cold.
    const cold = evaluateEmbeddings({
      ...shared,
      candidates: 'cold',
      scoreUsers: (u, out) => popular.scoreUsers({ users: u, out }),
    });
    expect(cold.metrics.ecology[20]!.coldShare).toBe(1);
    expect(cold.metrics.cutoffs[20]!.warm.queries).toBe(0);
    expect(cold.numQueries).toBe(byScores.metrics.cutoffs[20]!.cold.queries);
    expect(cold.metrics.cutoffs[20]!.cold.recall).toBeGreaterThan(byScores.metrics.cutoffs[20]!.cold.recall);
  });

  it('puts baselines and recall models in one comparison table with the settings tried', async () => {
    const output = await mkdtemp(join(tmpdir(), 'mmrecall-compare-baselines-'));
    const result = await runComparison({
      config: config({ output, train: { epochs: 1, batchSize: 64, maxStepsPerEpoch: 4 } }),
      kinds: ['gated-additive', 'most-popular', 'item-knn', 'bpr-mf', 'lightgcn'],
      backend: 'cpu',
    });
    expect(result.rows.map((row) => row.name)).toEqual([
      'gated additive',
      'MostPopular (baseline)',
      'ItemKNN (baseline)',
      'BPR-MF (baseline)',
      'LightGCN (baseline)',
    ]);
    expect(result.markdown).toMatch(/\| item-knn \| neighbours 0, shrink 0 \|/);
    const json = JSON.parse(await readFile(result.files.json, 'utf8'));
    expect(json.baselines.map((b: { kind: string }) => b.kind)).toEqual([
      'most-popular',
      'item-knn',
      'bpr-mf',
      'lightgcn',
    ]);
    expect(json.baselines[2].chosen.epochs).toBeGreaterThan(0);
  });
});
