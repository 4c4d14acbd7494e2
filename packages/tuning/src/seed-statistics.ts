/** Mean and sample standard deviation (n - 1 in the denominator; 0 for one value, NaN for none). */
export function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const squares = values.reduce((sum, value) => sum + (value - mean) * (value - mean), 0);
  return { mean, std: Math.sqrt(squares / (n - 1)) };
}

/**
 * Mean and standard deviation over runs of the same shape (one per seed), field by field: every
 * number becomes the mean (in `mean`) and the sample standard deviation (in `std`) of that field
 * over the runs; objects and arrays are walked, anything else (names, flags) is taken from the
 * first run. A field missing from some runs is averaged over the runs that have it.
 */
export function aggregateOverSeeds<T>(runs: readonly T[]): { mean: T; std: T } {
  if (runs.length === 0) throw new Error('aggregateOverSeeds: no runs');
  const walk = (values: unknown[]): { mean: unknown; std: unknown } => {
    const first = values[0];
    if (typeof first === 'number') {
      const stats = meanAndStd(values.filter((value): value is number => typeof value === 'number'));
      return stats;
    }
    if (Array.isArray(first)) {
      const mean: unknown[] = [];
      const std: unknown[] = [];
      for (let i = 0; i < first.length; i++) {
        const entry = walk(
          values.map((value) => (value as unknown[] | undefined)?.[i]).filter((v) => v !== undefined),
        );
        mean.push(entry.mean);
        std.push(entry.std);
      }
      return { mean, std };
    }
    if (first !== null && typeof first === 'object') {
      const mean: Record<string, unknown> = {};
      const std: Record<string, unknown> = {};
      for (const key of Object.keys(first)) {
        const entry = walk(
          values
            .map((value) => (value as Record<string, unknown> | undefined)?.[key])
            .filter((v) => v !== undefined),
        );
        mean[key] = entry.mean;
        std[key] = entry.std;
      }
      return { mean, std };
    }
    return { mean: first, std: first };
  };
  return walk([...runs]) as { mean: T; std: T };
}
