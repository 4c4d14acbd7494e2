import { ShapeMismatchError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link concatFusion} and {@link additiveFusion}. */
export interface FusionOptions {
  /** Behaviour (ID-tower) item embeddings, `[B, d]`. */
  idEmbedding: tf.Tensor2D;
  /** Content (meta-tower) item embeddings, `[B, d]` (`[B, d']` allowed for concat fusion). */
  metaEmbedding: tf.Tensor2D;
  /** Gate values `[B, 1]` in (0, 1), e.g. from `createPosteriorGate().apply`. */
  gate: tf.Tensor2D;
  /**
   * Additive fusion only: the same values through a closed-form gradient (5 kernels backward instead
   * of about 14 for the stock mul / sub / add chain with its broadcast reductions). Default false.
   */
  fusedKernels?: boolean;
}

function checkShapes(options: FusionOptions, sameDim: boolean): void {
  const { idEmbedding, metaEmbedding, gate } = options;
  if (idEmbedding.rank !== 2) {
    throw new ShapeMismatchError({
      message: 'idEmbedding must be [B, d]',
      expected: [-1, -1],
      actual: idEmbedding.shape,
    });
  }
  const [batch, dim] = idEmbedding.shape;
  if (
    metaEmbedding.rank !== 2 ||
    metaEmbedding.shape[0] !== batch ||
    (sameDim && metaEmbedding.shape[1] !== dim)
  ) {
    throw new ShapeMismatchError({
      message: 'metaEmbedding must match idEmbedding',
      expected: [batch, sameDim ? dim : -1],
      actual: metaEmbedding.shape,
    });
  }
  if (gate.rank !== 2 || gate.shape[0] !== batch || gate.shape[1] !== 1) {
    throw new ShapeMismatchError({
      message: 'gate must be [B, 1]',
      expected: [batch, 1],
      actual: gate.shape,
    });
  }
}

/**
 * Concat fusion `[B, d + d'] = concat(id, g * meta)`. The user side is the concatenation of its two
 * halves, so `u . item = u_id . id + g * (u_meta . meta)`.
 */
export function concatFusion(options: FusionOptions): tf.Tensor2D {
  checkShapes(options, false);
  const { idEmbedding, metaEmbedding, gate } = options;
  return tf.tidy(() => tf.concat([idEmbedding, tf.mul(gate, metaEmbedding) as tf.Tensor2D], 1));
}

/** Additive fusion `[B, d] = g * meta + (1 - g) * id`. */
export function additiveFusion(options: FusionOptions): tf.Tensor2D {
  checkShapes(options, true);
  const { idEmbedding, metaEmbedding, gate } = options;
  if (options.fusedKernels === true) return tf.tidy(() => fusedAdditive(idEmbedding, metaEmbedding, gate));
  return tf.tidy(() => tf.add(tf.mul(gate, metaEmbedding), tf.mul(tf.sub(1, gate), idEmbedding)));
}

/** d meta = g dy, d id = (1 - g) dy, d g = sum((meta - id) dy) over the row. Forward as the stock ops. */
const fusedAdditive = tf.customGrad(((
  id: tf.Tensor2D,
  meta: tf.Tensor2D,
  gate: tf.Tensor2D,
  save: tf.GradSaveFunc,
) => {
  const complement = tf.sub(1, gate);
  const value = tf.add(tf.mul(gate, meta), tf.mul(complement, id));
  save([id, meta, gate, complement]);
  return {
    value,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [ids, metas, gates, complements] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      return [tf.mul(dy, complements), tf.mul(dy, gates), tf.sum(tf.mul(dy, tf.sub(metas, ids)), 1, true)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  id: tf.Tensor2D,
  meta: tf.Tensor2D,
  gate: tf.Tensor2D,
) => tf.Tensor2D;
