import { formatMetricsTable, type RetrievalEvaluation } from '@mmrecall/metrics';
import type { ModelKind } from '@mmrecall/model';
import type { EpochRecord, PopularityBucket, TrainedRun } from '@mmrecall/training';
import type { BaselineKind } from './baseline-run';
import type { LoadedTrainingData } from './data-source';
import type { ExperimentConfig } from './experiment-config';

/** The metrics.json document of one training run. */
export interface RunMetrics {
  dataset: string;
  datasetSummary: string;
  /** A recall model kind, or a reference baseline of `compare --kinds`. */
  kind: ModelKind | BaselineKind;
  mode: string;
  backend: string;
  k: number;
  /** Test-set accuracy and ecology per cutoff. */
  test: RetrievalEvaluation;
  /** Test queries evaluated. */
  numQueries: number;
  /** Test Recall@K by item popularity bucket. */
  popularityBuckets: PopularityBucket[];
  /** Spearman(gate, popularity) over warm items and over all items (gated kinds). */
  gateSpearman?: { warm: number; all: number };
  /** Mean gate value of warm and of cold items (gated kinds). */
  gateMeans?: { warm: number; cold: number };
  training: {
    history: EpochRecord[];
    bestEpoch: number;
    stoppedEarly: boolean;
    stepsPerEpoch: number;
    resumedAfterEpoch?: number;
    /** Wall time of the whole run in this process (data, training, evaluation, artifacts). */
    seconds: number;
    /** Training examples per second over the steps run in this process. */
    examplesPerSecond: number;
    /** Share of step time spent assembling batches in JS (outside trainStep). */
    assemblyShare: number;
  };
}

/** JSON with NaN/Infinity written as null. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** metrics.json of a finished run. */
export function runMetrics(options: {
  config: ExperimentConfig;
  data: LoadedTrainingData;
  backend: string;
  run: TrainedRun;
  started: number;
}): RunMetrics {
  const { config, data, run } = options;
  const { training, evaluation } = run;
  const { timing } = training;
  const metrics: RunMetrics = {
    dataset: data.name,
    datasetSummary: data.summary,
    kind: config.model.kind,
    mode: config.model.mode,
    backend: options.backend,
    k: config.eval.k,
    test: evaluation.metrics,
    numQueries: evaluation.numQueries,
    popularityBuckets: evaluation.popularityBuckets,
    training: {
      history: training.history,
      bestEpoch: training.bestEpoch,
      stoppedEarly: training.stoppedEarly,
      stepsPerEpoch: training.stepsPerEpoch,
      ...(training.resumedAfterEpoch === undefined ? {} : { resumedAfterEpoch: training.resumedAfterEpoch }),
      seconds: (performance.now() - options.started) / 1000,
      examplesPerSecond:
        timing.stepMs > 0 ? timing.examples / ((timing.stepMs + timing.assemblyMs) / 1000) : Number.NaN,
      assemblyShare: timing.stepMs > 0 ? timing.assemblyMs / (timing.stepMs + timing.assemblyMs) : Number.NaN,
    },
  };
  if (evaluation.gates && evaluation.gateSpearman) {
    metrics.gateSpearman = evaluation.gateSpearman;
    const warmGates: number[] = [];
    const coldGates: number[] = [];
    for (const [i, g] of evaluation.gates.entries())
      (run.model.warm[i] === 1 ? warmGates : coldGates).push(g);
    metrics.gateMeans = { warm: mean(warmGates), cold: mean(coldGates) };
  }
  return metrics;
}

/** The configured cutoffs plus 1, 5, 10, 20, 50, 100 up to K, so the report shows recall at several K. */
export function reportCutoffs(evalConfig: ExperimentConfig['eval']): number[] {
  const extra = [1, 5, 10, 20, 50, 100].filter((cutoff) => cutoff <= evalConfig.k);
  return [...new Set([...evalConfig.cutoffs, ...extra, evalConfig.k])].sort((a, b) => a - b);
}

/** One row of a comparison: a label and its metrics. */
export interface ComparisonRow {
  name: string;
  metrics: RunMetrics;
  /** Standard deviation of the test metrics over seeds (`metrics.test` then holds the means). */
  std?: RetrievalEvaluation;
}

/** Markdown table of several runs at cutoff K (accuracy all/warm/cold + ecology). */
export function comparisonMarkdown(options: { rows: ComparisonRow[]; k: number }): string {
  return formatMetricsTable({
    rows: options.rows.map((row) => ({
      name: row.name,
      metrics: row.metrics.test,
      ...(row.std ? { std: row.std } : {}),
    })),
    k: options.k,
  });
}
