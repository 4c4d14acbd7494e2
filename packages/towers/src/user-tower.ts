import { checkInteger, ShapeMismatchError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';
import { type EmbeddingTable, tableSlot } from './embedding-table';
import { readSlots, type WeightSlot, writeSlots } from './named-weights';
import {
  type Bags,
  checkBags,
  checkPresence,
  createTowerHead,
  resolveCommon,
  type Tower,
  type TowerCommonOptions,
  tableMaker,
} from './tower-parts';
import { assertIndicesInRange } from './validate';

/** Options of `createUserTower`. */
export interface UserTowerOptions extends TowerCommonOptions {
  /** Number of users (rows of the user id table). */
  numUsers: number;
  /** Width of the user id embedding. */
  userIdDim: number;
  /** Profile features (multi-hot), mean-pooled. Omit for none. */
  profile?: {
    /** Number of distinct profile values. */
    vocabularySize: number;
    /** Embedding width. */
    dim: number;
  };
  /** Recent item sequence, mean-pooled. Omit for none. */
  history?: {
    /** Number of items. */
    numItems: number;
    /** Embedding width. */
    dim: number;
    /**
     * Share this table (e.g. the ID tower's `itemTable`) instead of creating one; it must be
     * numItems x dim. The user tower then neither exports nor disposes it.
     */
    table?: EmbeddingTable;
  };
}

/** Input of the user tower's `apply`; every array describes the same B users. */
export interface UserTowerInput {
  /** User indices, length B. */
  users: Int32Array;
  /** Profile values per user (B bags); required when the tower has `profile`. */
  profile?: Bags;
  /** Recent items per user (B bags; an empty bag pools to zeros); required when the tower has `history`. */
  history?: Bags;
}

/** The user (or trigger) tower. */
export interface UserTower extends Tower<UserTowerInput> {
  /** User id table, `${name}/user_id`. */
  readonly userTable: EmbeddingTable;
  /** Profile table, `${name}/profile`, when configured. */
  readonly profileTable: EmbeddingTable | undefined;
  /** History item table (own `${name}/history` or the shared one), when configured. */
  readonly historyTable: EmbeddingTable | undefined;
}

/**
 * User tower: user id embedding ++ mean(profile embeddings) ++ mean(history item embeddings) -> MLP.
 * For i2i, encode the trigger item with the item towers instead; no user tower is needed.
 */
export function createUserTower(options: UserTowerOptions): UserTower {
  const common = resolveCommon(options);
  const { name } = common;
  checkInteger({ argument: 'numUsers', value: options.numUsers, min: 1 });
  checkInteger({ argument: 'userIdDim', value: options.userIdDim, min: 1 });
  const owned: EmbeddingTable[] = [];
  const makeTable = tableMaker(common, owned);
  try {
    const userTable = makeTable('user_id', options.numUsers, options.userIdDim);
    const profileTable =
      options.profile === undefined
        ? undefined
        : makeTable('profile', options.profile.vocabularySize, options.profile.dim);
    let historyTable: EmbeddingTable | undefined;
    if (options.history !== undefined) {
      const { numItems, dim, table } = options.history;
      if (table !== undefined) {
        if (table.rows !== numItems || table.dim !== dim) {
          throw new ShapeMismatchError({
            message: 'history.table does not match history.numItems x history.dim',
            expected: [numItems, dim],
            actual: [table.rows, table.dim],
          });
        }
        historyTable = table;
      } else {
        historyTable = makeTable('history', numItems, dim);
      }
    }
    const tables = [userTable, profileTable, historyTable].filter(
      (t): t is EmbeddingTable => t !== undefined,
    );
    const featureDim = tables.reduce((sum, t) => sum + t.dim, 0);
    const head = createTowerHead(common, featureDim);
    const slots: WeightSlot[] = [...owned.map(tableSlot), ...head.slots];
    return {
      name,
      outputDim: common.outputDim,
      featureDim,
      variables: [...head.mlp.variables],
      tables,
      userTable,
      profileTable,
      historyTable,
      apply: (input, applyOptions) => {
        const batch = input.users.length;
        assertIndicesInRange(input.users, options.numUsers, 'users');
        checkPresence(profileTable !== undefined, input.profile !== undefined, 'profile');
        checkPresence(historyTable !== undefined, input.history !== undefined, 'history');
        if (input.profile !== undefined) checkBags(input.profile, batch, 'profile');
        if (input.history !== undefined) checkBags(input.history, batch, 'history');
        return tf.tidy(() => {
          const features: tf.Tensor2D[] = [userTable.lookup(input.users)];
          if (profileTable !== undefined && input.profile !== undefined) {
            features.push(profileTable.lookupBag({ ...input.profile, combiner: 'mean' }));
          }
          if (historyTable !== undefined && input.history !== undefined) {
            features.push(historyTable.lookupBag({ ...input.history, combiner: 'mean' }));
          }
          return head.finish(features, applyOptions);
        });
      },
      toNamedWeights: () => readSlots(slots),
      loadNamedWeights: (weights) => writeSlots(slots, weights),
      dispose: () => {
        head.mlp.dispose();
        for (const table of owned) table.dispose();
      },
    };
  } catch (error) {
    for (const table of owned) table.dispose();
    throw error;
  }
}
