import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';

/** Options of {@link BaselineScorer.scoreUsers}. */
export interface ScoreUsersOptions {
  /** Users to score. */
  users: Int32Array;
  /** Receives `users.length * numItems` scores, row-major (user by user). Training items are NOT masked. */
  out: Float32Array;
}

/**
 * A fitted baseline: a score for every (user, item). Evaluate it like a recall model by ranking all
 * items per user with the user's training items masked (`@mmrecall/metrics` `topKScores`).
 */
export interface BaselineScorer {
  /** Items scored per user. */
  readonly numItems: number;
  /** Writes every item's score for each of `users` into `out`. */
  scoreUsers(options: ScoreUsersOptions): void;
}

/**
 * A baseline whose score is an inner product: user `u` and item `i` score
 * `dot(userEmbeddings[u], itemEmbeddings[i])`, so it can be served from the same indexes as the recall models.
 */
export interface FactorizedScorer extends BaselineScorer {
  /** Embedding dimension. */
  readonly dim: number;
  /** numUsers x dim, row-major. */
  readonly userEmbeddings: Float32Array;
  /** numItems x dim, row-major. */
  readonly itemEmbeddings: Float32Array;
}

/** Checks `out` against `users` and the user range before a scorer writes into it. */
export function checkScoreRequest(options: ScoreUsersOptions, numUsers: number, numItems: number): void {
  const { users, out } = options;
  if (out.length !== users.length * numItems) {
    throw new ShapeMismatchError({
      message: 'out length must be users.length * numItems',
      expected: [users.length * numItems],
      actual: [out.length],
    });
  }
  for (let q = 0; q < users.length; q++) {
    const user = users[q]!;
    if (!(user >= 0 && user < numUsers))
      throw new InvalidArgumentError({
        argument: 'users',
        message: `user ${user} at ${q} is outside [0, ${numUsers})`,
      });
  }
}

/** A {@link FactorizedScorer} over the given embeddings (copied references, not data). */
export function createFactorizedScorer(options: {
  /** numUsers x dim. */
  userEmbeddings: Float32Array;
  /** numItems x dim. */
  itemEmbeddings: Float32Array;
  /** Embedding dimension. */
  dim: number;
}): FactorizedScorer {
  const { userEmbeddings, itemEmbeddings, dim } = options;
  const numUsers = userEmbeddings.length / dim;
  const numItems = itemEmbeddings.length / dim;
  return {
    dim,
    numItems,
    userEmbeddings,
    itemEmbeddings,
    scoreUsers(request) {
      checkScoreRequest(request, numUsers, numItems);
      const { users, out } = request;
      for (let q = 0; q < users.length; q++) {
        const a = users[q]! * dim;
        const row = q * numItems;
        for (let i = 0; i < numItems; i++) {
          const b = i * dim;
          let s = 0;
          for (let t = 0; t < dim; t++) s += userEmbeddings[a + t]! * itemEmbeddings[b + t]!;
          out[row + i] = s;
        }
      }
    },
  };
}
