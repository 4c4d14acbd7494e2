import { inBatchSoftmaxLoss, tripletLoss } from '@mmrecall/losses';
import { expectNoTensorLeak } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createItemFeatureStore, createUserFeatureStore } from './feature-store';
import { MODEL_KINDS, modelKindDefinition, modelKindLabel } from './kinds/registry';
import { createRecallModel } from './recall-model';
import { tinyFixture } from './test-fixtures';
import type { LossBatch, ModelKind, RecallLossOptions } from './types';

const loss: RecallLossOptions = {
  temperature: 0.2,
  tripletMargin: 0.3,
  lossWeights: { id: 1, content: 2, triplet: 0.5 },
  auxiliaryWeight: 0.25,
  mixedViewWeight: 0,
  seed: 5,
};

function setup(kind: ModelKind) {
  const fixture = tinyFixture(kind);
  const model = createRecallModel({ config: fixture.config });
  const items = createItemFeatureStore({ ...fixture });
  const users = createUserFeatureStore({
    config: fixture.config,
    numUsers: fixture.numUsers,
    history: fixture.history,
  });
  const targets = Int32Array.of(0, 4, 9, 33, 17);
  const batch: LossBatch = {
    targets,
    itemBatch: items.batch(targets),
    userBatch: users.batch(Int32Array.of(1, 2, 3, 4, 5)),
    candidateLogQ: Float32Array.of(-1, -2, -1.5, -3, -2.5),
  };
  return { model, batch };
}

/** The loss of MODEL.md for `kind`, assembled here from the loss functions themselves. */
function referenceLoss(kind: ModelKind, parts: ReturnType<typeof setup>): number {
  const { model, batch } = parts;
  return tf.tidy(() => {
    const query = model.embedUsers(batch.userBatch!, { step: 0 });
    const views = model.itemViews(batch.itemBatch, { step: 0 });
    const logQ = tf.tensor1d(batch.candidateLogQ!);
    const softmax = (q: tf.Tensor2D, c: tf.Tensor2D) =>
      inBatchSoftmaxLoss({
        queries: q,
        candidates: c,
        temperature: loss.temperature,
        candidateIds: batch.targets,
        candidateLogQ: logQ,
      }).dataSync()[0]!;
    if (kind === 'id-only') return softmax(query, views.id!);
    if (kind === 'content-only') return softmax(query, views.content!);
    if (kind === 'multiview') {
      const triplet = tripletLoss({
        anchors: views.id!,
        positives: views.content!,
        margin: loss.tripletMargin,
      });
      return softmax(query, views.id!) + 2 * softmax(query, views.content!) + 0.5 * triplet.dataSync()[0]!;
    }
    const [queryId, queryContent] =
      kind === 'gated-concat' ? (tf.split(query, 2, 1) as tf.Tensor2D[]) : [query, query];
    return (
      softmax(query, views.item) +
      0.25 * softmax(queryId!, views.id!) +
      0.25 * 2 * softmax(queryContent!, views.content!)
    );
  });
}

describe('model kinds', () => {
  it('lists the five kinds of MODEL.md once, with their labels, and rejects unknown kinds', () => {
    expect(MODEL_KINDS).toEqual(['id-only', 'content-only', 'multiview', 'gated-concat', 'gated-additive']);
    expect(MODEL_KINDS.map(modelKindLabel)).toEqual([
      'ID-only two-tower',
      'content-only two-tower',
      'multi-view (base)',
      'gated concat',
      'gated additive',
    ]);
    expect(modelKindDefinition('gated-concat').concatenated).toBe(true);
    expect(() => modelKindDefinition('two-tower', 'config.model.kind')).toThrow(
      /config\.model\.kind: must be one of 'id-only', 'content-only'/,
    );
  });

  for (const kind of MODEL_KINDS) {
    it(`${kind}: computeLoss equals the kind's loss built from the loss functions, without leaks`, async () => {
      const parts = setup(kind);
      try {
        const expected = referenceLoss(kind, parts);
        await expectNoTensorLeak(() => {
          const combined = parts.model.computeLoss({ batch: parts.batch, loss, training: false, step: 0 });
          expect(combined.total.dataSync()[0]).toBeCloseTo(expected, 5);
          tf.dispose([combined.total, ...Object.values(combined.parts)]);
        });
      } finally {
        parts.model.dispose();
      }
    });
  }

  it('multiview: the triplet term is off at weight 0 and the mixed-view term follows the seed', () => {
    const parts = setup('multiview');
    try {
      const names = (options: RecallLossOptions) =>
        tf.tidy(() => {
          const combined = parts.model.computeLoss({
            batch: parts.batch,
            loss: options,
            training: false,
            step: 2,
          });
          return Object.keys(combined.parts);
        });
      expect(names({ ...loss, lossWeights: { id: 1, content: 1, triplet: 0 } })).toEqual([
        'retrieval/id',
        'retrieval/content',
      ]);
      expect(names({ ...loss, mixedViewWeight: 1 })).toEqual([
        'retrieval/id',
        'retrieval/content',
        'triplet',
        'retrieval/mixed',
      ]);
    } finally {
      parts.model.dispose();
    }
  });
});

describe('fusedKernels', () => {
  for (const kind of MODEL_KINDS) {
    it(`${kind}: the fused kernels give the stock loss and the stock gradients of every weight`, async () => {
      const stock = setup(kind);
      const fusedFixture = tinyFixture(kind);
      const fusedModel = createRecallModel({ config: { ...fusedFixture.config, fusedKernels: true } });
      const gradients = (model: typeof stock.model) => {
        for (const table of model.tables) table.clearGradients();
        const { value, grads } = tf.variableGrads(
          () => model.computeLoss({ batch: stock.batch, loss, training: false, step: 0 }).total,
          [...model.variables, ...model.tables.map((table) => table.anchor)],
        );
        const dense = model.variables.map((variable) => Array.from(grads[variable.name]?.dataSync() ?? []));
        // The tables' sparse gradients, summed per touched row (what applySparseGradients would apply).
        const sparse = model.tables.map((table) => table.sparseGradientSquaredNorm());
        const total = value.dataSync()[0] as number;
        tf.dispose([value, ...Object.values(grads)]);
        for (const table of model.tables) table.clearGradients();
        return { total, dense, sparse };
      };
      try {
        const a = gradients(stock.model);
        const b = await expectNoTensorLeak(() => gradients(fusedModel), `${kind} fused step`);
        expect(b.total).toBeCloseTo(a.total, 5);
        expect(b.dense.length).toBe(a.dense.length);
        b.dense.forEach((values, i) => {
          const reference = a.dense[i] as number[];
          const scale = Math.max(1e-3, ...reference.map(Math.abs));
          values.forEach((v, k) => {
            expect(Math.abs(v - (reference[k] as number)) / scale).toBeLessThan(1e-4);
          });
        });
        b.sparse.forEach((norm, i) => {
          const reference = a.sparse[i] as number;
          expect(Math.abs(norm - reference) / Math.max(1e-6, reference)).toBeLessThan(1e-5);
        });
        expect(a.dense.some((values) => values.some((v) => v !== 0))).toBe(true);
      } finally {
        stock.model.dispose();
        fusedModel.dispose();
      }
    });
  }
});
