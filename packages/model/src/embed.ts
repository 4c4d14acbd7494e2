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
}

/** Item embeddings of every item (numItems x itemDim) and, for gated kinds, each item's gate value. */
export async function embedItems(
  options: EmbedItemsOptions,
): Promise<{ embeddings: Float32Array; gates?: Float32Array }> {
  const { model, store } = options;
  const batchSize = options.batchSize ?? 1024;
  const embeddings = new Float32Array(store.numItems * model.itemDim);
  const gates = model.config.gate ? new Float32Array(store.numItems) : undefined;
  for (let start = 0; start < store.numItems; start += batchSize) {
    const end = Math.min(store.numItems, start + batchSize);
    const items = new Int32Array(end - start);
    for (let i = 0; i < items.length; i++) items[i] = start + i;
    const views = model.itemViews(store.batch(items));
    try {
      embeddings.set(await views.item.data(), start * model.itemDim);
      if (gates && views.gate) gates.set(await views.gate.data(), start);
    } finally {
      disposeViews(views);
    }
  }
  return gates ? { embeddings, gates } : { embeddings };
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
