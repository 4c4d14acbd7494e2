import { checkPositiveInteger, InvalidArgumentError, NotFoundError } from '@mmrecall/errors';

import type { ServingState } from './serving-state';

/** One recalled item. */
export interface RecalledItem {
  /** Item id. */
  id: string;
  /** Inner product of query and item embedding (higher is better). */
  score: number;
}

/** Answer of a recall call. */
export interface RecallResult {
  /** Best first; fewer than `k` when the catalog (minus `exclude`) is smaller. */
  items: RecalledItem[];
  /** Model kind that answered. */
  model: string;
}

/** A user's features, for users the artifacts do not know or to override their stored embedding. */
export interface UserFeatures {
  /** Profile feature values (unknown ones are ignored). */
  profile?: readonly string[];
  /** Recent item ids, oldest first (ids the service does not know are ignored). */
  history?: readonly string[];
}

/** Options of u2i recall. */
export interface U2iOptions {
  /**
   * A user of the artifacts. Alone: its precomputed embedding is the query (no TensorFlow.js runs).
   * With `features`: the user tower runs on this user's id row plus the features.
   */
  userId?: string;
  /** Features for the user tower; a user the artifacts do not know goes through the unknown-user row. */
  features?: UserFeatures;
  /** Results wanted (a positive integer). */
  k: number;
  /** Item ids never to return (unknown ids are ignored). */
  exclude?: readonly string[];
  /** Checked when the search's batch runs: true skips the search (it rejects with `SearchCancelledError`). */
  cancelled?: () => boolean;
}

/** Options of i2i recall. */
export interface I2iOptions {
  /** The trigger item; it is never returned itself. */
  itemId: string;
  /** Results wanted (a positive integer). */
  k: number;
  /** Item ids never to return (unknown ids are ignored). */
  exclude?: readonly string[];
  /** As in {@link U2iOptions.cancelled}. */
  cancelled?: () => boolean;
}

function excludeKeys(state: ServingState, ids: readonly string[] | undefined): Set<number> {
  const keys = new Set<number>();
  for (const id of ids ?? []) {
    const key = state.catalog.keyOf(id);
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

async function searchIds(
  state: ServingState,
  query: Float32Array,
  k: number,
  exclude: Set<number>,
  cancelled: (() => boolean) | undefined,
): Promise<RecalledItem[]> {
  const result = await state.batcher.search({
    query,
    k,
    ...(cancelled ? { cancelled } : {}),
    ...(exclude.size > 0 ? { exclude } : {}),
  });
  const items: RecalledItem[] = [];
  for (let i = 0; i < result.keys.length; i++) {
    const id = state.catalog.idOf(result.keys[i] as number);
    // A key deleted while the search waited in its batch has no id any more: skip it.
    if (id !== undefined) items.push({ id, score: result.scores[i] as number });
  }
  return items;
}

async function userQuery(state: ServingState, options: U2iOptions): Promise<Float32Array> {
  const { userId, features } = options;
  const { model } = state;
  if (features !== undefined) {
    if (!model.canEmbedUserFeatures) {
      throw new InvalidArgumentError({
        argument: 'features',
        message: `the ${model.kind} model (mode ${model.mode}) has no user tower; query by userId`,
      });
    }
    // A user the artifacts do not know (or no userId at all) is embedded through the shared
    // unknown-user row of the user tower, from the given profile and history alone.
    const userRow = (userId === undefined ? undefined : state.userRows.get(userId)) ?? model.userIds.length;
    const history: number[] = [];
    for (const itemId of features.history ?? []) {
      // Training items have their own row; items added at run time share the unknown-item row.
      const row = state.catalog.trainedRow(itemId);
      if (row !== undefined) history.push(row);
      else if (state.catalog.keyOf(itemId) !== undefined) history.push(model.itemIds.length);
    }
    return model.embedUserFeatures({
      user: userRow,
      profile: features.profile ?? [],
      history: Int32Array.from(history),
    });
  }
  if (userId === undefined) {
    throw new InvalidArgumentError({ argument: 'body', message: 'must have userId, features or both' });
  }
  if (model.userEmbeddings === undefined) {
    throw new InvalidArgumentError({
      argument: 'userId',
      message: `the artifacts (mode ${model.mode}) carry no user embeddings; send features`,
    });
  }
  const row = state.userRows.get(userId);
  if (row === undefined) {
    throw new NotFoundError({
      id: userId,
      message: `unknown userId "${userId}": not in the loaded artifacts; send features to recall for a new user`,
    });
  }
  return model.userEmbeddings.subarray(row * model.dim, (row + 1) * model.dim);
}

/** u2i on one state (the caller holds a reference to it). */
export async function recallForUser(state: ServingState, options: U2iOptions): Promise<RecallResult> {
  checkPositiveInteger({ argument: 'k', value: options.k });
  const query = await userQuery(state, options);
  return {
    items: await searchIds(state, query, options.k, excludeKeys(state, options.exclude), options.cancelled),
    model: state.model.kind,
  };
}

/** i2i on one state (the caller holds a reference to it). */
export async function recallForItem(state: ServingState, options: I2iOptions): Promise<RecallResult> {
  checkPositiveInteger({ argument: 'k', value: options.k });
  const key = state.catalog.keyOf(options.itemId);
  const query = key === undefined ? undefined : state.catalog.vectorOf(key);
  if (key === undefined || query === undefined) {
    throw new NotFoundError({
      id: options.itemId,
      message: `unknown itemId "${options.itemId}": not in the index`,
    });
  }
  const excluded = excludeKeys(state, options.exclude);
  excluded.add(key);
  return {
    items: await searchIds(state, query, options.k, excluded, options.cancelled),
    model: state.model.kind,
  };
}
