import { type InteractionMatrix, itemCounts, validateInteractionMatrix } from './interaction-matrix';
import { createFactorizedScorer, type FactorizedScorer } from './scorer';

/** Options of {@link fitMostPopular}. */
export interface FitMostPopularOptions {
  /** Training positives. */
  matrix: InteractionMatrix;
}

/**
 * Every user gets the same list: items by training positives, most first (ties by lower index in the
 * ranking). As an inner product: user embeddings are 1, item embeddings the item's training count (dim 1).
 */
export function fitMostPopular(options: FitMostPopularOptions): FactorizedScorer {
  const { matrix } = options;
  validateInteractionMatrix(matrix);
  return createFactorizedScorer({
    userEmbeddings: new Float32Array(matrix.numUsers).fill(1),
    itemEmbeddings: Float32Array.from(itemCounts(matrix)),
    dim: 1,
  });
}
