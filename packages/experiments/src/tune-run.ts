import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@mmrecall/atomic-write';
import { formatMetricsTable, type RetrievalEvaluation } from '@mmrecall/metrics';
import { modelKindLabel } from '@mmrecall/model';
import {
  type EpochRecord,
  evaluate,
  type FitEvent,
  type FitResult,
  fit,
  type TrainableModel,
} from '@mmrecall/training';
import {
  type RunTuningOptions,
  runTuning,
  type SearchSpace,
  type TrialRecord,
  type TrialSettings,
  tuningMarkdown,
} from '@mmrecall/tuning';
import { asConfigError, createModelFromConfig, fitOptionsOf } from './config-options';
import { type LoadedTrainingData, loadTrainingData } from './data-source';
import type { ExperimentConfig } from './experiment-config';
import { reportCutoffs, toJson } from './run-metrics';

/** Validation metrics `tune` can select by (at `eval.k`, at the epoch early stopping kept). */
export const TUNE_METRICS = ['recall', 'ndcg', 'warm-recall', 'cold-recall'] as const;
export type TuneMetric = (typeof TUNE_METRICS)[number];

function metricOf(record: EpochRecord, metric: TuneMetric): number {
  switch (metric) {
    case 'recall':
      return record.validRecall;
    case 'ndcg':
      return record.validNdcg;
    case 'warm-recall':
      return record.validWarmRecall ?? Number.NaN;
    case 'cold-recall':
      return record.validColdRecall;
  }
}

/** Column label of a metric, e.g. `valid Recall@20`. */
export function tuneMetricLabel(metric: TuneMetric, k: number): string {
  const name = { recall: 'Recall', ndcg: 'NDCG', 'warm-recall': 'warm Recall', 'cold-recall': 'cold Recall' }[
    metric
  ];
  return `valid ${name}@${k}`;
}

/** What the first seed of a trial keeps for the test run if it wins. */
interface KeptModel {
  model: TrainableModel;
  training: FitResult;
  config: ExperimentConfig;
  data: LoadedTrainingData;
}

/** Options of {@link runTune}. */
export interface RunTuneOptions {
  /** The base config (file + flags); every trial writes its settings over it. */
  config: ExperimentConfig;
  /** The base config with a trial's settings (config path -> value) written over it, validated. */
  applySettings: (config: ExperimentConfig, settings: TrialSettings) => ExperimentConfig;
  /** The winner's config file (text) from its settings and a header of comment lines; unset = none written. */
  winnerConfig?: (settings: TrialSettings, header: string[]) => string;
  /** Fit events of every trial (progress bars); unset = none. */
  onFitEvent?: () => (event: FitEvent) => void;
  space: SearchSpace;
  /** Trial budget (overrides `budget.trials`). */
  trials?: number;
  /** Wall-time budget in minutes (overrides `budget.minutes`). */
  minutes?: number;
  /** Seeds per trial: `train.seed`, `train.seed + 1`, ... Default 1. */
  seeds?: number;
  /** Validation metric to select by. Default `recall`. */
  metric?: TuneMetric;
  /** Active backend name. */
  backend: string;
  log?: (line: string) => void;
}

/** What {@link runTune} returns. */
export interface TuneResult {
  markdown: string;
  files: { markdown: string; json: string; config?: string };
  best: TrialRecord;
  test: RetrievalEvaluation;
}

/** `mmrecall-train tune`: the search on valid, then test once for the winner. */
export async function runTune(options: RunTuneOptions): Promise<TuneResult> {
  const { config: base, space } = options;
  const log = options.log ?? (() => {});
  const metric = options.metric ?? 'recall';
  const k = base.eval.k;
  const label = tuneMetricLabel(metric, k);
  const dataPaths = space.dimensions.some((dimension) =>
    dimension.path.replace(/^config\./, '').startsWith('data.'),
  );
  const dataCache = new Map<string, LoadedTrainingData>();
  const dataFor = async (config: ExperimentConfig): Promise<LoadedTrainingData> => {
    const key = JSON.stringify(config.data);
    let data = dataCache.get(key);
    if (data === undefined) {
      if (dataPaths) dataCache.clear();
      data = await loadTrainingData({ data: config.data });
      dataCache.set(key, data);
    }
    return data;
  };
  const first = await dataFor(base);
  log(`[mmrecall] tune on ${first.summary}; selecting by ${label} (test is evaluated once, for the winner)`);
  await mkdir(base.output, { recursive: true });
  const started = performance.now();

  const tuning: RunTuningOptions<RetrievalEvaluation, KeptModel> = {
    space,
    ...(options.trials === undefined ? {} : { trials: options.trials }),
    ...(options.minutes === undefined ? {} : { minutes: options.minutes }),
    seeds: options.seeds ?? 1,
    baseSeed: base.train.seed,
    runTrial: async ({ settings, seed }) => {
      const config = options.applySettings(base, { ...settings, 'train.seed': seed });
      const data = await dataFor(config);
      const model = createModelFromConfig(config, data);
      let kept = false;
      try {
        const training = await fit({
          model,
          data,
          options: {
            ...fitOptionsOf(config),
            ...(options.onFitEvent ? { onProgress: options.onFitEvent() } : {}),
          },
        });
        const record = training.history[training.bestEpoch - 1];
        const value = record === undefined ? Number.NaN : metricOf(record, metric);
        if (seed !== base.train.seed) return { value };
        kept = true;
        return { value, kept: { model, training, config, data } };
      } catch (error) {
        throw asConfigError(error);
      } finally {
        if (!kept) model.dispose();
      }
    },
    release: (kept) => kept.model.dispose(),
    onTrialEnd: ({ record, planned, best }) => {
      const settings = Object.entries(record.settings)
        .map(([path, value]) => `${path}=${JSON.stringify(value)}`)
        .join(' ');
      const perSeed =
        record.values.length > 1 ? ` (${record.values.map((v) => v.toFixed(4)).join(', ')})` : '';
      const spread = record.values.length > 1 ? ` ± ${record.std.toFixed(4)}` : '';
      const elapsed = (performance.now() - started) / 60_000;
      log(
        `[mmrecall] tune trial ${record.trial}/${planned}: ${settings} -> ${label} ${record.mean.toFixed(4)}${spread}${perSeed} in ${record.seconds.toFixed(0)} s; best so far trial ${best.trial} (${best.mean.toFixed(4)}); ${elapsed.toFixed(1)} min elapsed`,
      );
    },
    testWinner: async ({ trial, kept }) => {
      if (kept === undefined) throw new Error('tune: the winning trial kept no model');
      log(`[mmrecall] tune: trial ${trial.trial} chosen on valid; evaluating it on test (once)`);
      const evaluation = await evaluate({
        model: kept.model,
        data: kept.data,
        split: 'test',
        k,
        cutoffs: reportCutoffs(kept.config.eval),
        maxQueries: kept.config.eval.maxQueries,
        seed: kept.config.train.seed,
        candidates: kept.config.eval.candidates,
      });
      return evaluation.metrics;
    },
  };
  const result = await runTuning(tuning);
  const { best } = result;
  const trialTable = tuningMarkdown({ trials: result.trials, chosen: best.trial, metric: label });
  const testTable = formatMetricsTable({
    rows: [{ name: `${modelKindLabel(base.model.kind)}, trial ${best.trial}`, metrics: result.test }],
    k,
  });
  const seedsNote = best.seeds.length > 1 ? `seeds ${best.seeds.join(', ')}` : `seed ${best.seeds[0]}`;
  const summary = [
    `${result.trials.length} of ${result.plan.settings.length} planned trials (${result.plan.mode}${result.stoppedByTime ? ', stopped by the time budget' : ''}), ${best.seeds.length} seed(s) each, ${((performance.now() - started) / 60_000).toFixed(1)} min.`,
    `Chosen on valid only: trial ${best.trial}, ${label} ${best.mean.toFixed(4)}${best.seeds.length > 1 ? ` ± ${best.std.toFixed(4)}` : ''} (${seedsNote}). Test was evaluated once, for that trial's ${best.seeds[0] === base.train.seed ? 'first seed' : 'model'}:`,
  ].join('\n');
  const markdown = `${trialTable}\n${summary}\n\n${testTable}`;
  const files: TuneResult['files'] = {
    markdown: join(base.output, 'tune.md'),
    json: join(base.output, 'tune.json'),
  };
  const cutoff = result.test.cutoffs[k];
  if (options.winnerConfig) {
    files.config = join(base.output, 'best-config.yaml');
    await writeFileAtomic({
      path: files.config,
      data: options.winnerConfig(best.settings, [
        `Chosen by mmrecall-train tune on the valid split only (${space.file}): trial ${best.trial} of ${result.trials.length},`,
        `${label} ${best.mean.toFixed(4)}${best.seeds.length > 1 ? ` ± ${best.std.toFixed(4)} over ${best.seeds.length} seeds` : ''}; test, evaluated once after the search:`,
        `Recall@${k} ${cutoff?.all.recall.toFixed(4) ?? 'n/a'}, NDCG@${k} ${cutoff?.all.ndcg.toFixed(4) ?? 'n/a'}.`,
      ]),
    });
  }
  await writeFileAtomic({
    path: files.markdown,
    data: `# tune on ${first.name}\n\n${first.summary}\n\n${markdown}\n`,
  });
  await writeFileAtomic({
    path: files.json,
    data: toJson({
      dataset: first.name,
      datasetSummary: first.summary,
      backend: options.backend,
      metric: label,
      k,
      space: { file: space.file, dimensions: space.dimensions, seed: space.seed },
      plan: { mode: result.plan.mode, planned: result.plan.settings.length, gridSize: result.plan.gridSize },
      stoppedByTime: result.stoppedByTime,
      seeds: options.seeds ?? 1,
      trials: result.trials,
      chosen: best.trial,
      winner: {
        settings: best.settings,
        ...(files.config ? { config: files.config } : {}),
        test: result.test,
      },
      baseConfig: base,
    }),
  });
  return { markdown, files, best, test: result.test };
}
