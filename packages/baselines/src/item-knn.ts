import { InvalidArgumentError } from '@mmrecall/errors';
import {
  type InteractionMatrix,
  itemCounts,
  itemUsers,
  validateInteractionMatrix,
} from './interaction-matrix';
import { type BaselineScorer, checkScoreRequest } from './scorer';

/** Options of {@link fitItemKnn}. */
export interface FitItemKnnOptions {
  /** Training positives. */
  matrix: InteractionMatrix;
  /** Neighbours kept per item (its most similar items); 0 = all. Default 100. */
  neighbours?: number;
  /** Shrinkage `h` of the cosine: `c_ij / (sqrt(c_i c_j) + h)`, damping pairs seen by few users. Default 0. */
  shrink?: number;
}

/** A fitted ItemKNN: the sparse item-item similarity rows and the scorer over them. */
export interface ItemKnnModel extends BaselineScorer {
  /** Item `i`'s neighbours are `neighbourItems[offsets[i] .. offsets[i + 1])`, most similar first. */
  offsets: Int32Array;
  /** Neighbour items. */
  neighbourItems: Int32Array;
  /** Cosine similarities matching `neighbourItems`. */
  similarities: Float32Array;
}

/**
 * Item-based nearest neighbours on the binary training matrix: the cosine of two items' user columns,
 * `|U_i ∩ U_j| / sqrt(|U_i| |U_j|)`, each item keeping its `neighbours` most similar items (self
 * excluded). A user's score for item `j` is the sum of `sim(i, j)` over the items `i` the user clicked
 * for which `j` is a kept neighbour of `i`. Items without training positives score 0.
 */
export function fitItemKnn(options: FitItemKnnOptions): ItemKnnModel {
  const { matrix } = options;
  const neighbours = options.neighbours ?? 100;
  const shrink = options.shrink ?? 0;
  validateInteractionMatrix(matrix);
  if (!Number.isInteger(neighbours) || neighbours < 0)
    throw new InvalidArgumentError({
      argument: 'neighbours',
      message: `must be an integer >= 0, got ${neighbours}`,
    });
  if (!(shrink >= 0) || !Number.isFinite(shrink))
    throw new InvalidArgumentError({
      argument: 'shrink',
      message: `must be a finite number >= 0, got ${shrink}`,
    });
  const { numUsers, numItems, offsets: userOffsets, items } = matrix;
  const counts = itemCounts(matrix);
  const columns = itemUsers(matrix);
  const cooccurrence = new Float64Array(numItems);
  const touched = new Int32Array(numItems);
  const rowOffsets = new Int32Array(numItems + 1);
  const rowItems: number[] = [];
  const rowSims: number[] = [];
  for (let i = 0; i < numItems; i++) {
    let size = 0;
    for (let e = columns.offsets[i]!; e < columns.offsets[i + 1]!; e++) {
      const u = columns.users[e]!;
      for (let f = userOffsets[u]!; f < userOffsets[u + 1]!; f++) {
        const j = items[f]!;
        if (j === i) continue;
        if (cooccurrence[j] === 0) touched[size++] = j;
        cooccurrence[j]!++;
      }
    }
    const candidates: { item: number; sim: number }[] = [];
    for (let t = 0; t < size; t++) {
      const j = touched[t]!;
      candidates.push({ item: j, sim: cooccurrence[j]! / (Math.sqrt(counts[i]! * counts[j]!) + shrink) });
      cooccurrence[j] = 0;
    }
    candidates.sort((a, b) => b.sim - a.sim || a.item - b.item);
    const keep = neighbours === 0 ? candidates.length : Math.min(neighbours, candidates.length);
    for (let t = 0; t < keep; t++) {
      rowItems.push(candidates[t]!.item);
      rowSims.push(candidates[t]!.sim);
    }
    rowOffsets[i + 1] = rowItems.length;
  }
  const neighbourItems = Int32Array.from(rowItems);
  const similarities = Float32Array.from(rowSims);
  return {
    numItems,
    offsets: rowOffsets,
    neighbourItems,
    similarities,
    scoreUsers(request) {
      checkScoreRequest(request, numUsers, numItems);
      const { users, out } = request;
      out.fill(0);
      for (let q = 0; q < users.length; q++) {
        const u = users[q]!;
        const row = q * numItems;
        for (let e = userOffsets[u]!; e < userOffsets[u + 1]!; e++) {
          const i = items[e]!;
          for (let n = rowOffsets[i]!; n < rowOffsets[i + 1]!; n++)
            out[row + neighbourItems[n]!]! += similarities[n]!;
        }
      }
    },
  };
}
