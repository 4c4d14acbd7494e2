import { checkInteger } from '@mmrecall/errors';
import { checkIndexRange, interactionCount } from './interactions';
import type { Interactions } from './types';

/** Rows in CSR form: row `u` holds `values[offsets[u] .. offsets[u + 1])`. */
export interface CsrRows {
  /** Row offsets, length rows + 1. */
  offsets: Int32Array;
  /** Concatenated row values. */
  values: Int32Array;
}

/** Options of {@link groupByUser}. */
export interface GroupByUserOptions {
  /** Interactions to group. */
  interactions: Interactions;
  /** Number of users (rows of the result); every user index must be below it. */
  numUsers: number;
  /** Keep only clicks (rows with `clicks[r] === 1`; all rows when there is no click column). Default: true. */
  positivesOnly?: boolean;
}

/** Options of {@link itemPopularity}. */
export interface ItemPopularityOptions {
  /** Interactions to count (use the training split). */
  interactions: Interactions;
  /** Number of items (output length). */
  numItems: number;
}

/** Items per user in CSR form, each user's items in input order (time order for time-sorted input). */
export function groupByUser(options: GroupByUserOptions): CsrRows {
  const { interactions, numUsers } = options;
  const n = interactionCount(interactions);
  checkInteger({ argument: 'numUsers', value: numUsers, min: 0 });
  checkIndexRange(interactions.users, numUsers, 'interactions.users');
  const clicks = (options.positivesOnly ?? true) ? interactions.clicks : undefined;
  const { users, items } = interactions;
  const offsets = new Int32Array(numUsers + 1);
  for (let r = 0; r < n; r++)
    if (clicks === undefined || clicks[r] === 1) {
      const slot = (users[r] as number) + 1;
      offsets[slot] = (offsets[slot] as number) + 1;
    }
  for (let u = 0; u < numUsers; u++) offsets[u + 1] = (offsets[u + 1] as number) + (offsets[u] as number);
  const values = new Int32Array(offsets[numUsers] as number);
  const cursor = offsets.slice(0, numUsers);
  for (let r = 0; r < n; r++) {
    if (clicks !== undefined && clicks[r] !== 1) continue;
    const user = users[r] as number;
    const at = cursor[user] as number;
    cursor[user] = at + 1;
    values[at] = items[r] as number;
  }
  return { offsets, values };
}

/** Number of positive interactions (clicks; all rows without a click column) per item. */
export function itemPopularity(options: ItemPopularityOptions): Float32Array {
  const { interactions, numItems } = options;
  const n = interactionCount(interactions);
  checkInteger({ argument: 'numItems', value: numItems, min: 0 });
  checkIndexRange(interactions.items, numItems, 'interactions.items');
  const counts = new Float32Array(numItems);
  const { items, clicks } = interactions;
  for (let r = 0; r < n; r++)
    if (clicks === undefined || clicks[r] === 1) {
      const item = items[r] as number;
      counts[item] = (counts[item] as number) + 1;
    }
  return counts;
}
