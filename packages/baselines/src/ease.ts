import { InvalidArgumentError } from '@mmrecall/errors';
import { ItemCountLimitError } from './errors';
import { type InteractionMatrix, itemCounts, validateInteractionMatrix } from './interaction-matrix';
import { type BaselineScorer, checkScoreRequest } from './scorer';
import { invertSymmetricPositiveDefinite } from './symmetric-inverse';

/** Options of {@link fitEase}. */
export interface FitEaseOptions {
  /** Training positives. */
  matrix: InteractionMatrix;
  /** L2 weight on the item-item weights (> 0); choose it on the validation split. */
  lambda: number;
  /**
   * Refuse to solve above this many items with training positives (the dense solve needs about
   * `12 * items^2` bytes: a float64 Gram matrix and the float32 weights). Default 10,000 (about 1.2 GB).
   */
  maxItems?: number;
}

/** A fitted EASE model. */
export interface EaseModel extends BaselineScorer {
  /** The items with training positives, ascending: the rows and columns of `weights`. */
  solvedItems: Int32Array;
  /** Item-item weights over `solvedItems`, row-major, zero diagonal: score(u, j) = sum over clicked i of weights[i][j]. */
  weights: Float32Array;
  /** The lambda used. */
  lambda: number;
}

/**
 * EASE (Steck, WWW 2019): `B = argmin ||X - XB||² + λ||B||²` with `diag(B) = 0`, in closed form
 * `P = (XᵀX + λI)⁻¹`, `B_ij = -P_ij / P_jj` (i ≠ j). Items without training positives have zero rows
 * and columns in `XᵀX`, so their weights are exactly zero: they are left out of the dense solve and score 0.
 */
export function fitEase(options: FitEaseOptions): EaseModel {
  const { matrix, lambda } = options;
  const maxItems = options.maxItems ?? 10_000;
  validateInteractionMatrix(matrix);
  if (!(lambda > 0) || !Number.isFinite(lambda))
    throw new InvalidArgumentError({
      argument: 'lambda',
      message: `must be a finite number > 0, got ${lambda}`,
    });
  if (!Number.isInteger(maxItems) || maxItems < 1)
    throw new InvalidArgumentError({
      argument: 'maxItems',
      message: `must be an integer >= 1, got ${maxItems}`,
    });
  const { numUsers, numItems, offsets, items } = matrix;
  const counts = itemCounts(matrix);
  const position = new Int32Array(numItems).fill(-1);
  const solved: number[] = [];
  for (let i = 0; i < numItems; i++) {
    if (counts[i]! > 0) {
      position[i] = solved.length;
      solved.push(i);
    }
  }
  const m = solved.length;
  if (m > maxItems) {
    const gigabytes = (12 * m * m) / 1e9;
    throw new ItemCountLimitError({
      message:
        `EASE: ${m} items with training positives exceed maxItems ${maxItems}; the dense solve would need ` +
        `about ${gigabytes.toFixed(1)} GB. Raise maxItems if the machine has the memory, or use ItemKNN.`,
      numItems: m,
      maxItems,
    });
  }
  // Lower triangle of the Gram matrix XᵀX + λI over the solved items (rows are ascending, so are positions).
  const gram = new Float64Array(m * m);
  for (let u = 0; u < numUsers; u++) {
    for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
      const a = position[items[e]!]! * m;
      for (let f = offsets[u]!; f <= e; f++) gram[a + position[items[f]!]!]!++;
    }
  }
  for (let i = 0; i < m; i++) gram[i * m + i]! += lambda;
  invertSymmetricPositiveDefinite({ matrix: gram, size: m });
  const weights = new Float32Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i === j) continue;
      const p = i >= j ? gram[i * m + j]! : gram[j * m + i]!;
      weights[i * m + j] = -p / gram[j * m + j]!;
    }
  }
  const solvedItems = Int32Array.from(solved);
  const row = new Float32Array(m);
  return {
    numItems,
    solvedItems,
    weights,
    lambda,
    scoreUsers(request) {
      checkScoreRequest(request, numUsers, numItems);
      const { users, out } = request;
      out.fill(0);
      for (let q = 0; q < users.length; q++) {
        const u = users[q]!;
        row.fill(0);
        for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
          const p = position[items[e]!]!;
          if (p < 0) continue;
          const base = p * m;
          for (let j = 0; j < m; j++) row[j]! += weights[base + j]!;
        }
        const target = q * numItems;
        for (let j = 0; j < m; j++) out[target + solvedItems[j]!] = row[j]!;
      }
    },
  };
}
