import { InvalidArgumentError } from '@mmrecall/errors';
import type * as tf from '@tensorflow/tfjs-core';
import type { ItemFeatureStore, UserFeatureStore } from './feature-store';
import type { RecallModel } from './types';

/** Options of `embedItems`. */
export interface EmbedItemsOptions {
  /** The model. */
  model: RecallModel;
  /** Features of every item. */
  store: ItemFeatureStore;
  /** Items per forward pass. Default 1024. */
  batchSize?: number;
  /** Also return the behaviour and content views of every item (kinds with both towers). Default false. */
  views?: boolean;
  /** Called after each batch with the items embedded so far and the number of items. */
  onProgress?: (done: number, total: number) => void;
}

/** Per-item views returned by `embedItems` with `views: true`, numItems x dim each. */
export interface ItemViewTables {
  /** Behaviour (ID-tower) view. */
  id: Float32Array;
  /** Content-tower view. */
  content: Float32Array;
}

/** Item embeddings of every item (numItems x itemDim) and, for gated kinds, each item's gate value. */
export async function embedItems(
  options: EmbedItemsOptions,
): Promise<{ embeddings: Float32Array; gates?: Float32Array; views?: ItemViewTables }> {
  const { model, store } = options;
  const batchSize = options.batchSize ?? 1024;
  const embeddings = new Float32Array(store.numItems * model.itemDim);
  const gates = model.config.gate ? new Float32Array(store.numItems) : undefined;
  const dim = model.config.dim;
  const views: ItemViewTables | undefined = options.views
    ? { id: new Float32Array(store.numItems * dim), content: new Float32Array(store.numItems * dim) }
    : undefined;
  for (let start = 0; start < store.numItems; start += batchSize) {
    const end = Math.min(store.numItems, start + batchSize);
    const items = new Int32Array(end - start);
    for (let i = 0; i < items.length; i++) items[i] = start + i;
    const batchViews = model.itemViews(store.batch(items));
    try {
      embeddings.set(await batchViews.item.data(), start * model.itemDim);
      if (gates && batchViews.gate) gates.set(await batchViews.gate.data(), start);
      if (views) {
        if (!batchViews.id || !batchViews.content) {
          throw new InvalidArgumentError({
            argument: 'views',
            message: `a ${model.config.kind} model does not have both a behaviour and a content view`,
          });
        }
        views.id.set(await batchViews.id.data(), start * dim);
        views.content.set(await batchViews.content.data(), start * dim);
      }
    } finally {
      disposeViews(batchViews);
    }
    options.onProgress?.(end, store.numItems);
  }
  return { embeddings, ...(gates ? { gates } : {}), ...(views ? { views } : {}) };
}

/** Options of `embedUsers`. */
export interface EmbedUsersOptions {
  /** The model (u2i). */
  model: RecallModel;
  /** Features of every user. */
  store: UserFeatureStore;
  /** Users per forward pass. Default 1024. */
  batchSize?: number;
}

/** Query embeddings of every user (numUsers x queryDim). */
export async function embedUsers(options: EmbedUsersOptions): Promise<Float32Array> {
  const { model, store } = options;
  const batchSize = options.batchSize ?? 1024;
  const out = new Float32Array(store.numUsers * model.queryDim);
  for (let start = 0; start < store.numUsers; start += batchSize) {
    const end = Math.min(store.numUsers, start + batchSize);
    const users = new Int32Array(end - start);
    for (let i = 0; i < users.length; i++) users[i] = start + i;
    const embedded = model.embedUsers(store.batch(users));
    try {
      out.set(await embedded.data(), start * model.queryDim);
    } finally {
      embedded.dispose();
    }
  }
  return out;
}

/** Disposes every tensor of an `ItemViews`. */
export function disposeViews(views: object): void {
  for (const tensor of Object.values(views) as (tf.Tensor | undefined)[]) tensor?.dispose();
}
