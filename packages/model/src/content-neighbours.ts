import { combineVectors } from '@mmrecall/clustering';
import type { VectorTable } from '@mmrecall/data';
import { checkPositiveInteger, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { topKInnerProduct } from '@mmrecall/metrics';
import type { CsrRows } from './types';

/** Options of {@link buildContentNeighbours}. */
export interface BuildContentNeighboursOptions {
  /** Named content vectors, row i = item i (every table has the same number of rows). */
  vectors: Record<string, VectorTable>;
  /** Which vectors to use, in this order; each is L2-normalised, so the similarity is the sum of per-vector cosines. */
  names: string[];
  /** 1 = the item may be a neighbour (warm items: they have behaviour rows worth borrowing). */
  candidates: Uint8Array;
  /** Neighbours per item (fewer when there are fewer candidates). */
  k: number;
}

/**
 * The frozen item-item graph of FREEDOM (Zhou and Shen, 2023), restricted to a two-tower model:
 * for every item, its `k` most similar candidate items by the summed cosine of its content vectors
 * (image and audio: each vector normalised, then concatenated), never itself. It reads content only
 * (no interactions), so a cold item gets warm neighbours exactly as in training. Ties prefer the
 * lower item index, so the graph is deterministic. Row i lists item i's neighbours, best first.
 */
export function buildContentNeighbours(options: BuildContentNeighboursOptions): CsrRows {
  const { vectors, names, candidates } = options;
  const k = checkPositiveInteger({ argument: 'k', value: options.k });
  if (names.length === 0) {
    throw new InvalidArgumentError({ argument: 'names', message: 'needs at least one vector name' });
  }
  const tables = names.map((name) => {
    const table = vectors[name];
    if (!table) {
      throw new InvalidArgumentError({
        argument: `names`,
        message: `vector "${name}" is not among ${Object.keys(vectors).join(', ') || 'no vectors'}`,
      });
    }
    return { name, dim: table.dim, data: table.data };
  });
  const combined = combineVectors({ tables, normalizeEach: true });
  const { rows, dim, data } = combined;
  if (candidates.length !== rows) {
    throw new ShapeMismatchError({
      message: 'candidates must flag every item',
      expected: [rows],
      actual: [candidates.length],
    });
  }
  // Each item excludes itself; the candidate mask keeps the cold items out of every list.
  const self = new Int32Array(rows);
  const selfOffsets = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) {
    self[i] = i;
    selfOffsets[i + 1] = i + 1;
  }
  const { indices } = topKInnerProduct({
    queries: data,
    numQueries: rows,
    items: data,
    numItems: rows,
    dim,
    k,
    exclude: { offsets: selfOffsets, values: self },
    candidateMask: candidates,
  });
  const offsets = new Int32Array(rows + 1);
  const values = new Int32Array(rows * k);
  let cursor = 0;
  for (let item = 0; item < rows; item++) {
    for (let j = item * k; j < (item + 1) * k; j++) {
      const neighbour = indices[j] as number;
      if (neighbour >= 0) values[cursor++] = neighbour;
    }
    offsets[item + 1] = cursor;
  }
  return { offsets, values: cursor === values.length ? values : values.slice(0, cursor) };
}
