import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from './evaluate';
import { fit } from './fit';
import type { EpochRecord, FitOptions } from './fit-options';
import { tinyTrainingData } from './test-data';
import { createTrainableModel, type ModelOptions } from './trainable-model';
import type { TrainingData } from './training-data';

let data: TrainingData;
beforeAll(() => {
  data = tinyTrainingData();
});

interface TinyRun {
  model: ModelOptions;
  options: FitOptions;
  checkpointPath: string;
}

async function tinyRun(model: ModelOptions, options: FitOptions = {}): Promise<TinyRun> {
  const output = await mkdtemp(join(tmpdir(), 'mmrecall-fit-'));
  return {
    model: { dim: 8, ...model },
    options: { epochs: 3, batchSize: 64, maxStepsPerEpoch: 8, earlyStopping: { patience: 0 }, ...options },
    checkpointPath: join(output, 'checkpoint.ckpt'),
  };
}

/** Trains a fresh model (optionally resuming / killing after an epoch) and evaluates on test. */
async function trainAndTest(run: TinyRun, options: { resume?: boolean; killAfterEpoch?: number } = {}) {
  const model = createTrainableModel({ data, ...run.model, seed: run.options.seed ?? 7 });
  try {
    const training = await fit({
      model,
      data,
      options: {
        ...run.options,
        checkpoint: { path: run.checkpointPath, resume: options.resume === true },
        onEpochEnd: (record: EpochRecord) => {
          if (record.epoch === options.killAfterEpoch) throw new Error('simulated kill');
        },
      },
    });
    const test = await evaluate({
      model,
      data,
      split: 'test',
      k: 20,
      cutoffs: [10, 20],
      maxQueries: 0,
      seed: 1,
    });
    return { training, test };
  } finally {
    model.dispose();
  }
}

const stable = (history: EpochRecord[]) =>
  history.map(({ epoch, steps, loss, lossParts, validRecall, validNdcg }) => ({
    epoch,
    steps,
    loss,
    lossParts,
    validRecall,
    validNdcg,
  }));

describe('fit', () => {
  it('gives identical losses and metrics twice with the same seed, and different ones with another seed', async () => {
    const run = await tinyRun({ kind: 'multiview' }, { epochs: 2 });
    const first = await trainAndTest(run);
    const second = await trainAndTest({ ...run, checkpointPath: `${run.checkpointPath}-again` });
    expect(stable(second.training.history)).toEqual(stable(first.training.history));
    expect(second.test.metrics).toEqual(first.test.metrics);
    expect(first.training.history[0]!.lossParts).toHaveProperty('triplet');
    const other = await trainAndTest({
      ...run,
      options: { ...run.options, seed: 99 },
      checkpointPath: `${run.checkpointPath}-other`,
    });
    expect(other.training.history[0]!.loss).not.toBe(first.training.history[0]!.loss);
  });

  for (const fusedKernels of [false, true]) {
    it(`resumes after a kill from the last checkpoint with the same final metrics as an uninterrupted run${fusedKernels ? ' (fusedKernels)' : ''}`, async () => {
      const run = await tinyRun(
        { kind: 'gated-additive', fusedKernels },
        { epochs: 3, negatives: { extra: 16 } },
      );
      const uninterrupted = await trainAndTest({ ...run, checkpointPath: `${run.checkpointPath}-full` });
      await expect(trainAndTest(run, { killAfterEpoch: 1 })).rejects.toThrow('simulated kill');
      expect(existsSync(run.checkpointPath)).toBe(true);
      const resumed = await trainAndTest(run, { resume: true });
      expect(resumed.training.resumedAfterEpoch).toBe(1);
      expect(stable(resumed.training.history)).toEqual(stable(uninterrupted.training.history));
      expect(resumed.test.metrics).toEqual(uninterrupted.test.metrics);
      expect(resumed.test.gates).toEqual(uninterrupted.test.gates);
    });
  }

  it('refuses to resume without a checkpoint or with different options', async () => {
    const run = await tinyRun({ kind: 'id-only' }, { epochs: 1 });
    await expect(trainAndTest(run, { resume: true })).rejects.toThrow(
      /options\.checkpoint\.resume: no checkpoint at .*checkpoint\.ckpt/,
    );
    await trainAndTest(run);
    await expect(
      trainAndTest({ ...run, options: { ...run.options, batchSize: 32 } }, { resume: true }),
    ).rejects.toThrow(/different data\/model\/train\/eval config/);
  });

  it('leaves the number of live tensors unchanged across epochs and frees everything at the end', async () => {
    const before = tf.memory().numTensors;
    const run = await tinyRun({ kind: 'gated-concat' }, { epochs: 3, negatives: { extra: 8 } });
    const { training } = await trainAndTest(run);
    const live = training.history.map((record) => record.liveTensors);
    // Epoch 1 creates the Adam moments; after that an epoch (steps + validation) must not add tensors.
    expect(live[1]).toBe(live[0]);
    expect(live[2]).toBe(live[1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports progress: epoch start, every step, validation, and an early stop', async () => {
    const run = await tinyRun(
      { kind: 'id-only' },
      { epochs: 6, maxStepsPerEpoch: 2, learningRate: 1e-6, earlyStopping: { patience: 1 } },
    );
    const model = createTrainableModel({ data, ...run.model });
    const events: string[] = [];
    const inside: { epoch: number; stage: string; done: number; total: number }[] = [];
    try {
      const result = await fit({
        model,
        data,
        options: {
          ...run.options,
          onProgress: (event) => {
            // Progress inside validation comes in many events; keep one entry per epoch and stage.
            if (event.type === 'validation-progress') {
              const { epoch, stage, done, total } = event;
              const last = inside[inside.length - 1];
              if (last && last.epoch === epoch && last.stage === stage) {
                expect(done).toBeGreaterThanOrEqual(last.done);
                last.done = done;
              } else inside.push({ epoch, stage, done, total });
              return;
            }
            events.push(event.type);
          },
        },
      });
      // A learning rate of 1e-6 cannot improve validation Recall@20 after epoch 1: patience 1 stops at epoch 2.
      expect(result.stoppedEarly).toBe(true);
      expect(result.history).toHaveLength(2);
      expect(result.bestEpoch).toBe(1);
    } finally {
      model.dispose();
    }
    expect(events).toEqual([
      'epoch-start',
      'step',
      'step',
      'validation-start',
      'epoch-end',
      'epoch-start',
      'step',
      'step',
      'validation-start',
      'epoch-end',
      'early-stop',
    ]);
    // Each validation embeds every item, then ranks every validation query, and reports both to the end.
    const queries = inside.find((entry) => entry.stage === 'ranking')?.total ?? 0;
    expect(queries).toBeGreaterThan(0);
    expect(inside).toEqual([
      { epoch: 1, stage: 'items', done: data.numItems, total: data.numItems },
      { epoch: 1, stage: 'ranking', done: queries, total: queries },
      { epoch: 2, stage: 'items', done: data.numItems, total: data.numItems },
      { epoch: 2, stage: 'ranking', done: queries, total: queries },
    ]);
  });

  it('names the option of a batch larger than the training pairs', async () => {
    const model = createTrainableModel({ data, kind: 'id-only', dim: 4 });
    try {
      await expect(fit({ model, data, options: { batchSize: 1_000_000 } })).rejects.toThrow(
        /options\.batchSize: is 1000000 but synthetic-tiny has only \d+ training pairs/,
      );
      await expect(fit({ model, data, options: { epochs: 0 } })).rejects.toThrow(
        /options\.epochs: must be an integer >= 1, got 0/,
      );
    } finally {
      model.dispose();
    }
  });
});
