import { InvalidArgumentError } from '@mmrecall/errors';
import type { Interactions } from './types';

/** Checks that every column has the same length; returns that length. */
export function interactionCount(interactions: Interactions, argument = 'interactions'): number {
  if (
    interactions === undefined ||
    !(interactions.users instanceof Int32Array) ||
    !(interactions.items instanceof Int32Array)
  ) {
    throw new InvalidArgumentError({
      argument,
      message: 'expected { users: Int32Array, items: Int32Array, ... }',
    });
  }
  const n = interactions.users.length;
  const columns: [string, { length: number } | undefined][] = [
    ['items', interactions.items],
    ['timestamps', interactions.timestamps],
    ['clicks', interactions.clicks],
    ['ratings', interactions.ratings],
    ['weights', interactions.weights],
  ];
  for (const [name, column] of columns) {
    if (column !== undefined && column.length !== n) {
      throw new InvalidArgumentError({
        argument: `${argument}.${name}`,
        message: `has ${column.length} entries, users has ${n}`,
      });
    }
  }
  return n;
}

/** Rows `rows` (in the given order) of every present column. */
export function selectRows(interactions: Interactions, rows: Int32Array): Interactions {
  const n = rows.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const row = rows[r] as number;
    users[r] = interactions.users[row] as number;
    items[r] = interactions.items[row] as number;
  }
  const out: Interactions = { users, items };
  const { timestamps, clicks, ratings, weights } = interactions;
  if (timestamps) out.timestamps = Float64Array.from(rows, (row) => timestamps[row] as number);
  if (clicks) out.clicks = Uint8Array.from(rows, (row) => clicks[row] as number);
  if (ratings) out.ratings = Float32Array.from(rows, (row) => ratings[row] as number);
  if (weights) out.weights = Float32Array.from(rows, (row) => weights[row] as number);
  return out;
}

/** Splits rows by `part[row]` (0 = train, 1 = valid, 2 = test), keeping input order within a part. */
export function partitionRows(
  interactions: Interactions,
  part: Uint8Array,
): [Interactions, Interactions, Interactions] {
  const counts = [0, 0, 0];
  for (let r = 0; r < part.length; r++) {
    const p = part[r] as number;
    counts[p] = (counts[p] as number) + 1;
  }
  const rows = counts.map((count) => new Int32Array(count));
  const fill = [0, 0, 0];
  for (let r = 0; r < part.length; r++) {
    const p = part[r] as number;
    const at = fill[p] as number;
    fill[p] = at + 1;
    (rows[p] as Int32Array)[at] = r;
  }
  return [
    selectRows(interactions, rows[0] as Int32Array),
    selectRows(interactions, rows[1] as Int32Array),
    selectRows(interactions, rows[2] as Int32Array),
  ];
}

/** Concatenates interactions; a column is kept only when every part has it. */
export function concatInteractions(parts: readonly Interactions[]): Interactions {
  const total = parts.reduce((sum, part) => sum + part.users.length, 0);
  const out: Interactions = { users: new Int32Array(total), items: new Int32Array(total) };
  if (parts.every((part) => part.timestamps)) out.timestamps = new Float64Array(total);
  if (parts.every((part) => part.clicks)) out.clicks = new Uint8Array(total);
  if (parts.every((part) => part.ratings)) out.ratings = new Float32Array(total);
  if (parts.every((part) => part.weights)) out.weights = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    out.users.set(part.users, offset);
    out.items.set(part.items, offset);
    if (out.timestamps && part.timestamps) out.timestamps.set(part.timestamps, offset);
    if (out.clicks && part.clicks) out.clicks.set(part.clicks, offset);
    if (out.ratings && part.ratings) out.ratings.set(part.ratings, offset);
    if (out.weights && part.weights) out.weights.set(part.weights, offset);
    offset += part.users.length;
  }
  return out;
}

/** Largest item index + 1 over the given interactions (0 when empty). */
export function inferNumItems(parts: readonly Interactions[]): number {
  let max = -1;
  for (const part of parts)
    for (let r = 0; r < part.items.length; r++)
      if ((part.items[r] as number) > max) max = part.items[r] as number;
  return max + 1;
}

/** Checks that indices of `column` lie in [0, bound). */
export function checkIndexRange(column: Int32Array, bound: number, argument: string): void {
  for (let r = 0; r < column.length; r++) {
    const value = column[r] as number;
    if (value < 0 || value >= bound) {
      throw new InvalidArgumentError({
        argument,
        message: `row ${r} has index ${value}, outside [0, ${bound})`,
      });
    }
  }
}

/**
 * Applies `weights` (whole counts) to training rows: a row of weight w > 0 appears w times, a row
 * of weight 0 stays once as an exposure without a click. Without weights the input is returned.
 */
export function repeatByWeight(interactions: Interactions): Interactions {
  const { weights } = interactions;
  if (weights === undefined) return interactions;
  const n = interactionCount(interactions);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const weight = weights[r] as number;
    if (!(Number.isInteger(weight) && weight >= 0)) {
      throw new InvalidArgumentError({
        argument: 'interactions.weights',
        message: `row ${r} has weight ${weight}; weights are whole counts >= 0`,
      });
    }
    total += Math.max(1, weight);
  }
  const rows = new Int32Array(total);
  for (let r = 0, k = 0; r < n; r++)
    for (let c = Math.max(1, weights[r] as number); c > 0; c--) rows[k++] = r;
  const { weights: _, ...rest } = selectRows(interactions, rows);
  const clicks = rest.clicks ?? new Uint8Array(total).fill(1);
  for (let k = 0; k < total; k++) if (weights[rows[k] as number] === 0) clicks[k] = 0;
  return { ...rest, clicks };
}
