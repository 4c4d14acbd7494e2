import { InvalidArgumentError } from '@mmrecall/errors';

/** Options of {@link longTailMask}. */
export interface LongTailMaskOptions {
  /** Training positives per item. */
  itemPopularity: Float32Array;
  /** Share of training positives covered by the head (0 < q <= 1). Default 0.8. */
  quantile?: number;
}

/**
 * Marks the long tail: the head is the smallest set of most popular items (ties by lower index) whose
 * popularity sums to at least `quantile` of all training positives; every other item (zero-popularity
 * items included) is long tail. Returns 1 = long tail, 0 = head.
 */
export function longTailMask(options: LongTailMaskOptions): Uint8Array {
  const { itemPopularity } = options;
  const quantile = options.quantile ?? 0.8;
  if (!(quantile > 0 && quantile <= 1)) {
    throw new InvalidArgumentError({ argument: 'quantile', message: `must be in (0, 1], got ${quantile}` });
  }
  const n = itemPopularity.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = itemPopularity[i]!;
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new InvalidArgumentError({
        argument: 'itemPopularity',
        message: `must be finite and >= 0, got ${v} at ${i}`,
      });
    }
    total += v;
  }
  const mask = new Uint8Array(n).fill(1);
  if (total === 0) return mask;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => itemPopularity[b]! - itemPopularity[a]! || a - b,
  );
  const target = quantile * total;
  let covered = 0;
  for (const item of order) {
    // A tiny relative tolerance keeps float rounding from pulling one extra item into the head.
    if (covered >= target * (1 - 1e-12)) break;
    mask[item] = 0;
    covered += itemPopularity[item]!;
  }
  return mask;
}
