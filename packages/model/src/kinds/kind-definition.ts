import type { LossTerm } from '@mmrecall/losses';
import type * as tf from '@tensorflow/tfjs-core';
import type { ItemViews, RecallLossOptions } from '../types';

/** Content a kind's content tower can read; a kind that lists any needs at least one of them. */
export type ContentInput = 'tags' | 'vectors' | 'nodeIds';

/** The per-view outputs a kind fuses into the retrieval embedding (inside a `tidy`). */
export interface FusionInput {
  /** Behaviour-tower embedding [B, dim] (kinds with an ID tower). */
  id?: tf.Tensor2D;
  /** Content-tower embedding [B, dim] (kinds with a content tower). */
  content?: tf.Tensor2D;
  /** Gate value [B, 1] (gated kinds). */
  gate?: tf.Tensor2D;
  /** 1 = the item has behaviour history, 0 = cold; undefined = every item warm. */
  warm?: Uint8Array;
  /** Width of one view. */
  dim: number;
  /** The model's `fusedKernels` setting (fusions with a closed-form gradient use it). */
  fusedKernels?: boolean;
}

/** What a kind's loss terms are built from (inside the caller's `tidy` / gradient tape). */
export interface LossContext {
  /** Query embeddings of the batch [B, queryDim]. */
  query: tf.Tensor2D;
  /** Views of the target items. */
  views: ItemViews;
  /** Views of the extra negatives, when the batch has some. */
  extraViews?: ItemViews;
  /**
   * Sampled-softmax retrieval loss of `query` against `candidates` (the batch's targets, in order):
   * in-batch negatives with the batch's logQ correction, plus `extra` as extra negatives.
   */
  retrieval(query: tf.Tensor2D, candidates: tf.Tensor2D, extra?: tf.Tensor2D): tf.Scalar;
  /** Temperature, weights, margins and the seed. */
  options: RecallLossOptions;
  /** Target item per pair. */
  targets: Int32Array;
  /** Global step (seeds random choices so a resumed run repeats them). */
  step: number;
}

/** One model kind of MODEL.md: its towers, fusion, loss terms, required content and label. */
export interface ModelKindDefinition<Kind extends string = string> {
  /** The kind's name in configs, artifacts and flags. */
  readonly kind: Kind;
  /** Display label in reports (MODEL.md's names). */
  readonly label: string;
  /** Which parts the model builds for this kind. */
  readonly towers: { readonly id: boolean; readonly content: boolean; readonly gate: boolean };
  /** True when query and item embeddings are [ID half, content half] (twice the view width). */
  readonly concatenated: boolean;
  /** Content the kind needs: at least one of these must be configured (empty = none needed). */
  readonly requiredContent: readonly ContentInput[];
  /** The retrieval embedding of a batch of items from its views. */
  fuse(input: FusionInput): tf.Tensor2D;
  /** The kind's loss terms (TFRS `compute_loss`); the model sums them with their weights. */
  lossTerms(context: LossContext): LossTerm[];
}

/** Identity helper that keeps the kind name a literal type. */
export function defineModelKind<const Kind extends string>(
  definition: ModelKindDefinition<Kind>,
): ModelKindDefinition<Kind> {
  return definition;
}
