import { topKScores } from '@mmrecall/metrics';
import { createRandom } from '@mmrecall/random';
import { describe, expect, it } from 'vitest';
import { fitBprMf } from './bpr-mf';
import { createInteractionMatrix, type InteractionMatrix } from './interaction-matrix';
import { fitLightGcn } from './lightgcn';
import type { FactorizedScorer } from './scorer';
import { runEpochs } from './training-loop';

// Two communities: users 0-19 click among items 0-9, users 20-39 among items 10-19. Each user has 5
// training items and one held-out item of its own community, so a model that learnt the structure
// ranks the held-out item among its 5 remaining community items; a random ranking of the 15 unclicked
// items puts it in a top 5 one time in three.
function communities(): { matrix: InteractionMatrix; heldOut: Int32Array } {
  const random = createRandom(3);
  const users: number[] = [];
  const items: number[] = [];
  const heldOut = new Int32Array(40);
  for (let u = 0; u < 40; u++) {
    const base = u < 20 ? 0 : 10;
    const order = Array.from({ length: 10 }, (_, i) => base + i).sort(() => random() - 0.5);
    for (const item of order.slice(0, 5)) {
      users.push(u);
      items.push(item);
    }
    heldOut[u] = order[5]!;
  }
  return {
    matrix: createInteractionMatrix({
      users: Int32Array.from(users),
      items: Int32Array.from(items),
      numUsers: 40,
      numItems: 20,
    }),
    heldOut,
  };
}

function recallAt5(scorer: FactorizedScorer, matrix: InteractionMatrix, heldOut: Int32Array): number {
  const { indices } = topKScores({
    numQueries: 40,
    numItems: 20,
    k: 5,
    exclude: { offsets: matrix.offsets, values: matrix.items },
    score: (start, end, out) =>
      scorer.scoreUsers({ users: Int32Array.from({ length: end - start }, (_, q) => start + q), out }),
  });
  let hits = 0;
  for (let u = 0; u < 40; u++) if (indices.subarray(u * 5, u * 5 + 5).includes(heldOut[u]!)) hits++;
  return hits / 40;
}

describe('fitBprMf and fitLightGcn', () => {
  const { matrix, heldOut } = communities();

  it('BPR-MF: the loss decreases and held-out items are found far above chance (1/3)', () => {
    const result = fitBprMf({ matrix, dim: 8, epochs: 60, learningRate: 0.05, seed: 2 });
    const losses = result.history.map((h) => h.loss);
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
    expect(recallAt5(result.scorer, matrix, heldOut)).toBeGreaterThan(0.8);
  });

  it('LightGCN: the loss decreases and held-out items are found far above chance (1/3)', () => {
    const result = fitLightGcn({
      matrix,
      dim: 8,
      layers: 2,
      epochs: 60,
      batchSize: 64,
      learningRate: 0.02,
      seed: 2,
    });
    const losses = result.history.map((h) => h.loss);
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
    expect(recallAt5(result.scorer, matrix, heldOut)).toBeGreaterThan(0.8);
  });

  it('returns the embeddings of the best validated epoch and stops after `patience` worse validations', () => {
    const validValues = [0.1, 0.4, 0.3, 0.2, 0.35, 0.9];
    let calls = 0;
    let bestItems: Float32Array | undefined;
    const seen: number[] = [];
    const result = fitBprMf({
      matrix,
      dim: 4,
      epochs: 12,
      validateEvery: 2,
      patience: 3,
      validate: (scorer, epoch) => {
        seen.push(epoch);
        // remember the item embeddings at the best epoch (epoch 4)
        if (epoch === 4) bestItems = scorer.itemEmbeddings.slice();
        return validValues[calls++]!;
      },
    });
    expect(seen).toEqual([2, 4, 6, 8, 10]); // 0.3, 0.2, 0.35 after the best 0.4: stop at epoch 10
    expect(result.bestEpoch).toBe(4);
    expect(result.history).toHaveLength(10);
    expect(Array.from(result.scorer.itemEmbeddings)).toEqual(Array.from(bestItems!));
  });

  it('runEpochs validates its schedule', () => {
    const current = () => {
      throw new Error('not called');
    };
    expect(() => runEpochs({ epochs: 0, step: () => 0, current })).toThrow(/epochs/);
    expect(() => runEpochs({ epochs: 1, validateEvery: 0, step: () => 0, current })).toThrow(/validateEvery/);
  });
});
