import type { CheckpointArray } from './checkpoint-file';

type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

/** How many id rows a table had and has after growth; the last row of both is the shared unknown row. */
export interface TableGrowth {
  /** Known ids before (the table has `before + 1` rows: the unknown row last). */
  before: number;
  /** Known ids after (`after + 1` rows). */
  after: number;
}

/** Growth of the id tables, by table name (`user/user_id`, `item_id/item_id`, `user/history`). */
export type GrowthByTable = Record<string, TableGrowth>;

/** The id tables of a recall model that grow with new users and items, by table name. */
export function idTableGrowth(options: { users: TableGrowth; items: TableGrowth }): GrowthByTable {
  return { 'user/user_id': options.users, 'item_id/item_id': options.items, 'user/history': options.items };
}

/**
 * Grows a `rows x dim` matrix whose last row is the unknown row: known rows are copied bit for bit,
 * new rows are `fill(row)` (a copy of the unknown row for weights, zeros for optimizer state), and
 * the unknown row moves to the new last position.
 */
export function growRows<T extends Float32Array | Int32Array>(options: {
  data: T;
  dim: number;
  growth: TableGrowth;
  /** Value of the new rows: `unknown` copies the old unknown row, `zero` leaves them 0. */
  newRows: 'unknown' | 'zero';
}): T {
  const { data, dim, growth } = options;
  const out = new (data.constructor as new (length: number) => T)((growth.after + 1) * dim);
  out.set(data.subarray(0, growth.before * dim));
  const unknown = data.subarray(growth.before * dim, (growth.before + 1) * dim);
  if (options.newRows === 'unknown')
    for (let row = growth.before; row < growth.after; row++) out.set(unknown, row * dim);
  out.set(unknown, growth.after * dim);
  return out;
}

/** The model's named weights with every id table grown (new rows start as copies of the unknown row). */
export function growNamedWeights(weights: NamedWeights, growth: GrowthByTable): NamedWeights {
  const out: NamedWeights = {};
  for (const [name, weight] of Object.entries(weights)) {
    const table = growth[name.replace(/\/embeddings$/, '')];
    if (!table || !name.endsWith('/embeddings')) {
      out[name] = weight;
      continue;
    }
    const dim = weight.shape[1] as number;
    out[name] = {
      shape: [table.after + 1, dim],
      data: growRows({ data: weight.data, dim, growth: table, newRows: 'unknown' }),
    };
  }
  return out;
}

/**
 * Grows the lazy optimizer state stored for table `index` of a checkpoint (`table/<index>/steps`,
 * `m`, `v`, `acc`) in place: new rows start fresh (lazy Adam step count 0 and zero moments, Adagrad
 * accumulators at `initialAccumulator`), known rows and the moved unknown row keep their state.
 */
export function growTableState(options: {
  arrays: Record<string, CheckpointArray>;
  index: number;
  growth: TableGrowth;
  initialAccumulator: number;
}): void {
  const { arrays, index, growth } = options;
  for (const part of ['steps', 'm', 'v', 'acc'] as const) {
    const key = `table/${index}/${part}`;
    const array = arrays[key];
    if (!array) continue;
    const dim = part === 'steps' ? 1 : (array.shape[1] as number);
    const data = growRows({ data: array.data, dim, growth, newRows: 'zero' });
    if (part === 'acc') data.fill(options.initialAccumulator, growth.before * dim, growth.after * dim);
    arrays[key] = { shape: part === 'steps' ? [growth.after + 1] : [growth.after + 1, dim], data };
  }
}
