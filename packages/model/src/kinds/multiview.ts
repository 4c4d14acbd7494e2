import { type LossTerm, tripletLoss } from '@mmrecall/losses';
import { createRandom, mixSeed } from '@mmrecall/random';
import * as tf from '@tensorflow/tfjs-core';
import { defineModelKind } from './kind-definition';

/**
 * Base multi-view model: both item towers against the user tower, w_id softmax(user, id) +
 * w_content softmax(user, content) + w_triplet triplet(anchor = id, positive = content, in-batch
 * negatives). Warm items serve their behaviour embedding, cold items their content embedding.
 */
export const multiviewKind = defineModelKind({
  kind: 'multiview',
  label: 'multi-view (base)',
  towers: { id: true, content: true, gate: false },
  concatenated: false,
  requiredContent: ['tags', 'vectors', 'nodeIds'],
  fuse: ({ id, content, warm, dim }) => {
    if (!warm) return id!;
    const size = warm.length;
    const mask = tf.tensor2d(Uint8Array.from(warm), [size, 1], 'bool');
    return tf.where(tf.tile(mask, [1, dim]), id!, content!) as tf.Tensor2D;
  },
  lossTerms: ({ query, views, extraViews, retrieval, options, targets, step }) => {
    const w = options.lossWeights;
    const id = views.id!;
    const content = views.content!;
    const terms: LossTerm[] = [
      { name: 'retrieval/id', loss: retrieval(query, id, extraViews?.id), weight: w.id },
      { name: 'retrieval/content', loss: retrieval(query, content, extraViews?.content), weight: w.content },
    ];
    if (w.triplet > 0) {
      // The behaviour embedding is the anchor the content view is pulled towards: a constant here,
      // so the triplet term moves content embeddings into the behaviour space and not the reverse.
      const anchors = tf.tensor2d(id.dataSync() as Float32Array, id.shape);
      terms.push({
        name: 'triplet',
        loss: tripletLoss({ anchors, positives: content, margin: options.tripletMargin }),
        weight: w.triplet,
      });
    }
    if (options.mixedViewWeight > 0) {
      const random = createRandom(mixSeed(options.seed, step, 5));
      const useContent = Uint8Array.from(targets, () => (random() < 0.5 ? 1 : 0));
      const mask = tf.tile(tf.tensor2d(useContent, [targets.length, 1], 'bool'), [1, id.shape[1]]);
      const mixed = tf.where(mask, content, id) as tf.Tensor2D;
      terms.push({ name: 'retrieval/mixed', loss: retrieval(query, mixed), weight: options.mixedViewWeight });
    }
    return terms;
  },
});
