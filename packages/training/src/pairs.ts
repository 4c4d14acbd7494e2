import type { CsrRows } from '@mmrecall/model';
import type { TrainingData } from './training-data';

/** Positive training pairs: query (user in u2i, trigger item in i2i) and target item. */
export interface TrainingPairs {
  /** User index (u2i) or trigger item index (i2i) per pair. */
  queries: Int32Array;
  /** Target item per pair. */
  targets: Int32Array;
  /** How often each item is a target (logQ). */
  targetCounts: Float32Array;
}

/** Options of {@link buildTrainingPairs}. */
export interface BuildTrainingPairsOptions {
  /** The training data (its train split is used). */
  data: TrainingData;
  /** u2i: (user, clicked item) for every training click. i2i: (item, next item) clicked consecutively by one user. */
  mode: 'u2i' | 'i2i';
  /** Training positives per user in time order (i2i). */
  userPositives: CsrRows;
}

/** The positive pairs of the training split (clicks only). */
export function buildTrainingPairs(options: BuildTrainingPairsOptions): TrainingPairs {
  const { data, mode, userPositives } = options;
  const queries: number[] = [];
  const targets: number[] = [];
  if (mode === 'u2i') {
    const { users, items, clicks } = data.split.train;
    for (let r = 0; r < users.length; r++) {
      if (clicks !== undefined && clicks[r] !== 1) continue;
      queries.push(users[r] as number);
      targets.push(items[r] as number);
    }
  } else {
    for (let u = 0; u + 1 < userPositives.offsets.length; u++) {
      for (
        let e = (userPositives.offsets[u] as number) + 1;
        e < (userPositives.offsets[u + 1] as number);
        e++
      ) {
        const previous = userPositives.values[e - 1] as number;
        const next = userPositives.values[e] as number;
        if (previous === next) continue;
        queries.push(previous);
        targets.push(next);
      }
    }
  }
  const targetCounts = new Float32Array(data.numItems);
  for (const item of targets) targetCounts[item] = (targetCounts[item] as number) + 1;
  return { queries: Int32Array.from(queries), targets: Int32Array.from(targets), targetCounts };
}
