import { logQFromCounts } from '@mmrecall/losses';
import type { LossBatch } from '@mmrecall/model';
import { createRandom, mixSeed as deriveSeed } from '@mmrecall/random';
import type { TrainableModel } from './trainable-model';

/** Options of {@link createBatchAssembler}. */
export interface CreateBatchAssemblerOptions {
  /** Model and feature stores. */
  model: TrainableModel;
  /** How often each item is a training target (logQ). */
  targetCounts: Float32Array;
  /** Subtract log(sampling probability) from the in-batch logits. */
  logQ: boolean;
  /** Extra uniformly sampled warm negatives per step, shared by the batch (0 = none). */
  extraNegatives: number;
  /** Seed of the extra negatives (mixed with the step). */
  seed: number;
}

/** Queries and targets of one step. */
export interface BatchRows {
  /** Users (u2i) or trigger items (i2i). */
  queries: Int32Array;
  /** Target items. */
  targets: Int32Array;
  /** Global step. */
  step: number;
}

/**
 * Returns a function that turns (queries, targets) into a `LossBatch`: feature slices, logQ of the
 * candidates and, when configured, extra uniformly sampled warm negatives (seeded by step).
 * With extra negatives, in-batch candidates have q = B p(i) and extras q = M / warm items.
 */
export function createBatchAssembler(options: CreateBatchAssemblerOptions): (rows: BatchRows) => LossBatch {
  const { model: setup, extraNegatives: extraCount } = options;
  const { itemStore, userStore } = setup;
  const mode = setup.model.config.mode;
  const warmItems: number[] = [];
  for (let i = 0; i < setup.warm.length; i++) if (setup.warm[i] === 1) warmItems.push(i);
  const logQAll = logQFromCounts({ counts: options.targetCounts });
  const extraLogQ = extraCount > 0 ? Math.log(extraCount / Math.max(1, warmItems.length)) : 0;
  return ({ queries, targets, step }) => {
    const logBatch = Math.log(targets.length);
    const batch: LossBatch = { targets, itemBatch: itemStore.batch(targets) };
    if (mode === 'u2i')
      batch.userBatch = (userStore as NonNullable<typeof userStore>).batch(queries, { exclude: targets });
    else batch.triggerBatch = itemStore.batch(queries);
    if (options.logQ)
      batch.candidateLogQ = Float32Array.from(
        targets,
        (item) => (logQAll[item] as number) + (extraCount > 0 ? logBatch : 0),
      );
    if (extraCount > 0 && warmItems.length > 0) {
      const random = createRandom(deriveSeed(options.seed, step, 3));
      batch.extraIds = Int32Array.from(
        { length: extraCount },
        () => warmItems[Math.floor(random() * warmItems.length)] as number,
      );
      batch.extraBatch = itemStore.batch(batch.extraIds);
      batch.extraLogQ = extraLogQ;
    }
    return batch;
  };
}
