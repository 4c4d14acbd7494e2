import { distancesToAll, type NearestInput, nearestCentroids } from './distance';

/**
 * Nearest-centroid assignment with a size cap per centroid (greedy by distance): points are visited
 * from the closest to their nearest centroid to the farthest; each takes its nearest centroid that still
 * has room. Points whose nearest centroid has room are never moved, so when no centroid overflows the
 * result equals plain nearest assignment. Requires `capacity * k >= end - start` (checked by callers).
 * Writes the per-centroid counts into `sizes` (length k) and returns how many points were displaced.
 */
export function assignWithCapacity(input: NearestInput & { capacity: number; sizes: Int32Array }): number {
  const { k, labels, distances, outOffset, start, end, capacity, sizes } = input;
  const m = end - start;
  nearestCentroids(input);
  sizes.fill(0);
  let overflow = false;
  for (let i = 0; i < m; i++) {
    const label = labels[outOffset + i]!;
    sizes[label]! += 1;
    if (sizes[label]! > capacity) overflow = true;
  }
  if (!overflow) return 0;

  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  const local = distances.subarray(outOffset, outOffset + m);
  order.sort((a, b) => local[a]! - local[b]!);
  sizes.fill(0);
  const scratch = new Float64Array(k);
  let displaced = 0;
  for (let t = 0; t < m; t++) {
    const i = order[t]!;
    const label = labels[outOffset + i]!;
    if (sizes[label]! < capacity) {
      sizes[label]! += 1;
      continue;
    }
    const p = input.rows === null ? start + i : input.rows[start + i]!;
    distancesToAll(
      input.data,
      input.dataNorms[p]!,
      p,
      input.dim,
      input.centroids,
      input.centroidNorms,
      k,
      scratch,
    );
    let best = Number.POSITIVE_INFINITY;
    let bestJ = -1;
    for (let j = 0; j < k; j++) {
      if (sizes[j]! < capacity && scratch[j]! < best) {
        best = scratch[j]!;
        bestJ = j;
      }
    }
    labels[outOffset + i] = bestJ;
    distances[outOffset + i] = best;
    sizes[bestJ]! += 1;
    displaced++;
  }
  return displaced;
}
