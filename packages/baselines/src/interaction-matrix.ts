import { checkNonNegativeInteger, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';

/**
 * The binary training matrix of implicit feedback, users x items, in CSR form: user `u` clicked
 * `items[offsets[u] .. offsets[u + 1])`, ascending and without duplicates.
 */
export interface InteractionMatrix {
  /** Rows. */
  numUsers: number;
  /** Columns (the whole catalogue, cold items included). */
  numItems: number;
  /** Row offsets, length `numUsers + 1`. */
  offsets: Int32Array;
  /** Item of every non-zero, row by row. */
  items: Int32Array;
}

/** Options of {@link createInteractionMatrix}. */
export interface CreateInteractionMatrixOptions {
  /** User of each positive interaction. */
  users: Int32Array;
  /** Item of each positive interaction (same length as `users`). */
  items: Int32Array;
  /** Number of users (rows). */
  numUsers: number;
  /** Number of items (columns). */
  numItems: number;
}

/** Builds the binary user x item matrix from (user, item) pairs; repeated pairs count once. */
export function createInteractionMatrix(options: CreateInteractionMatrixOptions): InteractionMatrix {
  const { users, items, numUsers, numItems } = options;
  checkNonNegativeInteger({ argument: 'numUsers', value: numUsers });
  checkNonNegativeInteger({ argument: 'numItems', value: numItems });
  if (users.length !== items.length) {
    throw new ShapeMismatchError({
      message: 'users and items must have one entry per interaction',
      expected: [users.length],
      actual: [items.length],
    });
  }
  const counts = new Int32Array(numUsers + 1);
  for (let r = 0; r < users.length; r++) {
    const user = users[r]!;
    const item = items[r]!;
    if (!(user >= 0 && user < numUsers))
      throw new InvalidArgumentError({
        argument: 'users',
        message: `user ${user} at ${r} is outside [0, ${numUsers})`,
      });
    if (!(item >= 0 && item < numItems))
      throw new InvalidArgumentError({
        argument: 'items',
        message: `item ${item} at ${r} is outside [0, ${numItems})`,
      });
    counts[user + 1]!++;
  }
  for (let u = 0; u < numUsers; u++) counts[u + 1]! += counts[u]!;
  const cursor = counts.slice(0, numUsers);
  const raw = new Int32Array(users.length);
  for (let r = 0; r < users.length; r++) raw[cursor[users[r]!]!++] = items[r]!;
  const offsets = new Int32Array(numUsers + 1);
  const out: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    const row = raw.subarray(counts[u]!, counts[u + 1]!).sort();
    for (let e = 0; e < row.length; e++) if (e === 0 || row[e] !== row[e - 1]) out.push(row[e]!);
    offsets[u + 1] = out.length;
  }
  return { numUsers, numItems, offsets, items: Int32Array.from(out) };
}

/** Checks the CSR invariants of a matrix handed to a baseline (offsets, item range, sorted rows). */
export function validateInteractionMatrix(matrix: InteractionMatrix): void {
  const { numUsers, numItems, offsets, items } = matrix;
  checkNonNegativeInteger({ argument: 'matrix.numUsers', value: numUsers });
  checkNonNegativeInteger({ argument: 'matrix.numItems', value: numItems });
  if (offsets.length !== numUsers + 1) {
    throw new ShapeMismatchError({
      message: 'matrix.offsets length must be numUsers + 1',
      expected: [numUsers + 1],
      actual: [offsets.length],
    });
  }
  if (offsets[0] !== 0 || offsets[numUsers] !== items.length)
    throw new InvalidArgumentError({
      argument: 'matrix.offsets',
      message: `must start at 0 and end at items.length (${items.length})`,
    });
  for (let u = 0; u < numUsers; u++) {
    for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
      const item = items[e]!;
      if (!(item >= 0 && item < numItems))
        throw new InvalidArgumentError({
          argument: 'matrix.items',
          message: `item ${item} of user ${u} is outside [0, ${numItems})`,
        });
      if (e > offsets[u]! && item <= items[e - 1]!)
        throw new InvalidArgumentError({
          argument: 'matrix.items',
          message: `row of user ${u} is not strictly ascending at position ${e} (use createInteractionMatrix)`,
        });
    }
    if (offsets[u + 1]! < offsets[u]!)
      throw new InvalidArgumentError({ argument: 'matrix.offsets', message: `decreases at user ${u}` });
  }
}

/** The transpose: for every item, the users who clicked it (ascending). */
export function itemUsers(matrix: InteractionMatrix): { offsets: Int32Array; users: Int32Array } {
  const { numUsers, numItems, offsets, items } = matrix;
  const itemOffsets = new Int32Array(numItems + 1);
  for (let e = 0; e < items.length; e++) itemOffsets[items[e]! + 1]!++;
  for (let i = 0; i < numItems; i++) itemOffsets[i + 1]! += itemOffsets[i]!;
  const cursor = itemOffsets.slice(0, numItems);
  const users = new Int32Array(items.length);
  for (let u = 0; u < numUsers; u++)
    for (let e = offsets[u]!; e < offsets[u + 1]!; e++) users[cursor[items[e]!]!++] = u;
  return { offsets: itemOffsets, users };
}

/** Training positives per item (column sums). */
export function itemCounts(matrix: InteractionMatrix): Float64Array {
  const counts = new Float64Array(matrix.numItems);
  for (let e = 0; e < matrix.items.length; e++) counts[matrix.items[e]!]!++;
  return counts;
}
