import type { RetrievalEvaluation } from '@mmrecall/metrics';
import { aggregateOverSeeds } from '@mmrecall/tuning';
import type { ExperimentConfig } from './experiment-config';
import type { RunMetrics } from './run-metrics';

/** The training seeds of `compare --seeds n`: train.seed, train.seed + 1, ... */
export function comparisonSeeds(config: ExperimentConfig, seeds: number): number[] {
  return Array.from({ length: seeds }, (_, i) => config.train.seed + i);
}

/** `config` trained with `seed`, written to `output` (one folder per seed when there are several). */
export function seedConfig(config: ExperimentConfig, seed: number, output: string): ExperimentConfig {
  return { ...config, train: { ...config.train, seed }, output };
}

/** One kind's runs over the seeds: the first run with its test metrics replaced by the means, and the std. */
export interface SeedSummary {
  /** The first seed's run metrics (curves, gates) with `test` the mean over seeds. */
  metrics: RunMetrics;
  /** Standard deviation of every test metric over the seeds (n - 1 in the denominator). */
  std: RetrievalEvaluation;
  /** Each seed's test metrics. */
  perSeed: RetrievalEvaluation[];
}

/** Mean and std of the test metrics of one kind's runs (one per seed, in seed order). */
export function summarizeSeeds(runs: readonly RunMetrics[]): SeedSummary {
  const first = runs[0];
  if (first === undefined) throw new Error('summarizeSeeds: no runs');
  const { mean, std } = aggregateOverSeeds(runs.map((run) => run.test));
  return { metrics: { ...first, test: mean }, std, perSeed: runs.map((run) => run.test) };
}
