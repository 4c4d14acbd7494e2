import { combineVectors } from '@mmrecall/clustering';
import type { VectorTable } from '@mmrecall/data';
import { checkPositiveInteger, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { innerProducts, TopKCollector } from '@mmrecall/kernels';
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

const BLOCK = 64;

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
  const candidateRows: number[] = [];
  for (let i = 0; i < rows; i++) if (candidates[i] === 1) candidateRows.push(i);
  const right = new Float32Array(candidateRows.length * dim);
  candidateRows.forEach((item, r) => {
    right.set(data.subarray(item * dim, (item + 1) * dim), r * dim);
  });
  const perItem = Math.min(k, candidateRows.length);
  const offsets = new Int32Array(rows + 1);
  const values = new Int32Array(rows * perItem);
  const collectors = Array.from({ length: BLOCK }, () => new TopKCollector(Math.max(1, perItem + 1)));
  const products = new Float64Array(BLOCK * candidateRows.length);
  const ids = new Int32Array(perItem + 1);
  const scores = new Float32Array(perItem + 1);
  let cursor = 0;
  for (let start = 0; start < rows; start += BLOCK) {
    const end = Math.min(rows, start + BLOCK);
    innerProducts({
      left: data,
      leftStart: start,
      leftEnd: end,
      right,
      rightStart: 0,
      rightEnd: candidateRows.length,
      dim,
      out: products,
    });
    for (let item = start; item < end; item++) {
      // One slot more than k, so dropping the item itself still leaves k neighbours.
      const collector = collectors[item - start] as TopKCollector;
      collector.reset();
      const base = (item - start) * candidateRows.length;
      for (let r = 0; r < candidateRows.length; r++) {
        const score = products[base + r] as number;
        if (score >= collector.threshold) collector.push(candidateRows[r] as number, score);
      }
      const count = collector.drainInto(ids, scores, 0);
      let kept = 0;
      for (let j = 0; j < count && kept < perItem; j++) {
        if (ids[j] === item) continue;
        values[cursor++] = ids[j] as number;
        kept++;
      }
      offsets[item + 1] = cursor;
    }
  }
  return { offsets, values: cursor === values.length ? values : values.slice(0, cursor) };
}
