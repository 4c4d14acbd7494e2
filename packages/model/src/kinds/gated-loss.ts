import type { LossTerm } from '@mmrecall/losses';
import * as tf from '@tensorflow/tfjs-core';
import type { LossContext } from './kind-definition';

/**
 * Loss of the gated kinds: softmax(user, fused) plus `auxiliaryWeight` x the two per-view losses.
 * `splitQuery`: the query is [ID half, content half] (concat fusion) and each view sees its half.
 */
export function gatedLossTerms(context: LossContext, splitQuery: boolean): LossTerm[] {
  const { query, views, extraViews, retrieval, options } = context;
  const terms: LossTerm[] = [
    { name: 'retrieval/fused', loss: retrieval(query, views.item, extraViews?.item), weight: 1 },
  ];
  if (options.auxiliaryWeight > 0) {
    // Auxiliary per-view losses keep each view usable on its own (the content view alone serves cold items).
    let queryId = query;
    let queryContent = query;
    if (splitQuery) [queryId, queryContent] = tf.split(query, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const w = options.lossWeights;
    terms.push({
      name: 'aux/id',
      loss: retrieval(queryId, views.id!, extraViews?.id),
      weight: options.auxiliaryWeight * w.id,
    });
    terms.push({
      name: 'aux/content',
      loss: retrieval(queryContent, views.content!, extraViews?.content),
      weight: options.auxiliaryWeight * w.content,
    });
  }
  return terms;
}
