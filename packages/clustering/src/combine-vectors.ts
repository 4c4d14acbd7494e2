import { checkFiniteNumber, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { checkMatrix } from './validate';

/** One named vector table, row i = item i. */
export interface VectorTable {
  /** Name used in errors (InvalidDatasetError.file), e.g. `image`. */
  name: string;
  /** Vector length. */
  dim: number;
  /** Row-major `rows x dim`. */
  data: Float32Array;
  /** Multiplier of this part after optional normalisation (default 1). */
  weight?: number;
}

/** Options of {@link combineVectors}. */
export interface CombineVectorsOptions {
  /** Tables with the same number of rows; their parts are concatenated in this order. */
  tables: VectorTable[];
  /** L2-normalise each part of each row before weighting (all-zero parts stay zero). */
  normalizeEach: boolean;
}

/** Result of {@link combineVectors}. */
export interface CombinedVectors {
  /** Row-major `rows x dim`. */
  data: Float32Array;
  /** Sum of the tables' dims. */
  dim: number;
  /** Number of rows. */
  rows: number;
  /** Column where each table's part starts, in table order. */
  offsets: number[];
}

/**
 * Concatenates several vector tables row by row (e.g. image + audio), each part optionally
 * L2-normalised and weighted, so they can be clustered jointly.
 */
export function combineVectors(options: CombineVectorsOptions): CombinedVectors {
  const { tables, normalizeEach } = options;
  if (!Array.isArray(tables) || tables.length === 0) {
    throw new InvalidArgumentError({ argument: 'tables', message: 'needs at least one table' });
  }
  let rows = -1;
  let dim = 0;
  const offsets: number[] = [];
  const weights: number[] = [];
  tables.forEach((table, t) => {
    const count = checkMatrix({
      data: table.data,
      dim: table.dim,
      source: table.name,
      argument: `tables[${t}].data`,
    });
    if (rows >= 0 && count !== rows) {
      throw new ShapeMismatchError({
        message: `table "${table.name}" has ${count} rows, "${tables[0]!.name}" has ${rows}`,
        expected: [rows, table.dim],
        actual: [count, table.dim],
      });
    }
    rows = count;
    offsets.push(dim);
    weights.push(checkFiniteNumber({ argument: `tables[${t}].weight`, value: table.weight ?? 1, min: 0 }));
    dim += table.dim;
  });
  const out = new Float32Array(rows * dim);
  tables.forEach((table, t) => {
    const part = table.dim;
    const offset = offsets[t]!;
    const weight = weights[t]!;
    for (let r = 0; r < rows; r++) {
      const src = r * part;
      let scale = weight;
      if (normalizeEach) {
        let s = 0;
        for (let d = 0; d < part; d++) s += table.data[src + d]! * table.data[src + d]!;
        scale = s > 0 ? weight / Math.sqrt(s) : 0;
      }
      const dst = r * dim + offset;
      for (let d = 0; d < part; d++) out[dst + d] = table.data[src + d]! * scale;
    }
  });
  return { data: out, dim, rows, offsets };
}
