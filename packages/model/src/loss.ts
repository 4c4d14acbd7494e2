import { type CombinedLoss, combineLosses, inBatchSoftmaxLoss } from '@mmrecall/losses';
import * as tf from '@tensorflow/tfjs-core';
import { modelKindDefinition } from './kinds/registry';
import type { ComputeLossOptions, ItemBatch, RecallModel } from './types';

/** Options of {@link computeRecallLoss}. */
export interface ComputeRecallLossOptions extends ComputeLossOptions {
  /** The model whose views and kind the loss uses. */
  model: Pick<RecallModel, 'config' | 'embedUsers' | 'embedTriggers' | 'itemViews'>;
}

/**
 * The loss of the model's kind on one batch: query and item views, then the kind's loss terms
 * (each a sampled softmax with logQ correction and optional extra negatives, plus kind-specific
 * terms such as the multiview triplet), summed with their weights. Returns new tensors.
 */
export function computeRecallLoss(options: ComputeRecallLossOptions): CombinedLoss {
  const { model, batch, training, step, loss } = options;
  const definition = modelKindDefinition(model.config.kind, 'config.kind');
  return tf.tidy(() => {
    const forward = { training, step: 2 * step };
    const { targets, extraIds } = batch;
    const query = batch.userBatch
      ? model.embedUsers(batch.userBatch, forward)
      : model.embedTriggers(batch.triggerBatch as ItemBatch, { training, step: 2 * step + 1 });
    const views = model.itemViews(batch.itemBatch, forward);
    const extraViews = batch.extraBatch ? model.itemViews(batch.extraBatch, forward) : undefined;
    const logQ = batch.candidateLogQ ? tf.tensor1d(batch.candidateLogQ) : undefined;
    const extraLogQ =
      extraIds && batch.extraLogQ !== undefined && logQ
        ? (tf.fill([extraIds.length], batch.extraLogQ) as tf.Tensor1D)
        : undefined;
    const retrieval = (q: tf.Tensor2D, candidates: tf.Tensor2D, extra?: tf.Tensor2D): tf.Scalar =>
      inBatchSoftmaxLoss({
        queries: q,
        candidates,
        temperature: loss.temperature,
        candidateIds: targets,
        fusedKernels: model.config.fusedKernels === true,
        ...(logQ ? { candidateLogQ: logQ } : {}),
        ...(extra && extraIds
          ? {
              extraNegatives: extra,
              extraNegativeIds: extraIds,
              ...(extraLogQ ? { extraNegativeLogQ: extraLogQ } : {}),
            }
          : {}),
      });
    const terms = definition.lossTerms({
      query,
      views,
      ...(extraViews ? { extraViews } : {}),
      retrieval,
      options: loss,
      targets,
      step,
    });
    return combineLosses({ terms }) as unknown as tf.TensorContainer;
  }) as unknown as CombinedLoss;
}
