import { countItemInteractions, type Interactions } from '@mmrecall/data';
import {
  embedItems,
  type ItemFeatureStore,
  type ItemStatisticsMeta,
  type ItemViewTables,
  type RecallModel,
} from '@mmrecall/model';

/** Options of {@link liveLoopArtifacts}. */
export interface LiveLoopArtifactsOptions {
  /** The trained model. */
  model: RecallModel;
  /** Features of every item, the same the artifacts' embeddings were computed from. */
  itemStore: ItemFeatureStore;
  /** The training interactions the statistics were computed from. */
  train: Interactions;
}

/**
 * What a server needs to recompute a gated item's gate and fused embedding from statistics that
 * grow at serving time: each item's behaviour and content views, first-seen times and the
 * statistics' reference time (the trainer's statistics use the Laplace prior and the latest
 * training timestamp). Undefined for kinds without a gate.
 */
export async function liveLoopArtifacts(
  options: LiveLoopArtifactsOptions,
): Promise<{ itemViews: ItemViewTables; itemStatistics: ItemStatisticsMeta } | undefined> {
  const { model, itemStore, train } = options;
  if (!model.config.gate) return undefined;
  const { views } = await embedItems({ model, store: itemStore, views: true });
  const counts = countItemInteractions({ interactions: train, numItems: model.config.numItems });
  const timed = train.timestamps !== undefined;
  return {
    itemViews: views!,
    itemStatistics: {
      firstSeen: timed
        ? counts.firstSeen.map((t) => (Number.isFinite(t) ? t : Number.NaN))
        : new Float64Array(model.config.numItems).fill(Number.NaN),
      referenceTime: timed && Number.isFinite(counts.latest) ? counts.latest : Number.NaN,
      ctrPrior: { alpha: 1, beta: 1 },
    },
  };
}
