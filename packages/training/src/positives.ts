import type { Interactions } from '@mmrecall/data';
import type { CsrRows } from '@mmrecall/model';

/** Options of {@link positivesByUser}. */
export interface PositivesByUserOptions {
  /** Interactions to group. */
  interactions: Interactions;
  /** Number of users. */
  numUsers: number;
}

/** Positive rows (clicks) of the interactions, sorted by user then time (stable). */
export function positivesByUser(options: PositivesByUserOptions): CsrRows {
  const { interactions, numUsers } = options;
  const { users, items, clicks, timestamps } = interactions;
  const rows: number[] = [];
  for (let r = 0; r < users.length; r++) if (clicks === undefined || clicks[r] === 1) rows.push(r);
  rows.sort((a, b) => {
    const byUser = (users[a] as number) - (users[b] as number);
    if (byUser !== 0) return byUser;
    const byTime = timestamps ? (timestamps[a] as number) - (timestamps[b] as number) : 0;
    return byTime !== 0 ? byTime : a - b;
  });
  const offsets = new Int32Array(numUsers + 1);
  for (const r of rows) offsets[(users[r] as number) + 1] = (offsets[(users[r] as number) + 1] as number) + 1;
  for (let u = 0; u < numUsers; u++) offsets[u + 1] = (offsets[u + 1] as number) + (offsets[u] as number);
  const values = Int32Array.from(rows, (r) => items[r] as number);
  return { offsets, values };
}
