import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMetricsTable, type RetrievalEvaluation } from '@mmrecall/metrics';
import { modelKindLabel } from '@mmrecall/model';
import { buildPrebuiltHnswIndex } from '@mmrecall/serving';
import {
  type EpochRecord,
  evaluate,
  type FitResult,
  fit,
  type ModelEvaluation,
  type PopularityBucket,
  type TrainedRun,
  writeTrainedArtifacts,
} from '@mmrecall/training';
import type { BaselineKind } from './baselines';
import type { TrainerConfig, TrainerModelKind } from './config';
import { loadTrainingData, type TrainingData } from './data';
import { liveLoopArtifacts } from './live-loop-artifacts';
import { createStageProgress, type ProgressStream, timedStep } from './progress';
import {
  barChartSvg,
  CHART_COLORS,
  lineChartSvg,
  markdownTableToHtml,
  type ReportSection,
  renderReportHtml,
  scatterChartSvg,
} from './report';
import { asCliError, createFitProgress, createModelFromConfig, fitOptionsOf } from './train-options';

/** The metrics.json document of one training run. */
export interface RunMetrics {
  dataset: string;
  datasetSummary: string;
  /** A recall model kind, or a reference baseline of `compare --kinds`. */
  kind: TrainerModelKind | BaselineKind;
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

/** Options of {@link trainFromConfig}. */
export interface TrainFromConfigOptions {
  /** Resolved config. */
  config: TrainerConfig;
  /** Pre-loaded data (compare loads once for all kinds). Default: loaded from `config.data`. */
  data?: TrainingData;
  /** Continue from `<output>/checkpoint.ckpt`. */
  resume?: boolean;
  /** Name of the active tfjs backend (recorded in the manifest and metrics). */
  backend: string;
  /** Log lines. */
  log?: (line: string) => void;
  /** Progress stream; null = none. */
  progress?: ProgressStream | null;
  /** Called after each epoch once its checkpoint is written (tests use it to simulate a kill). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

/** What {@link trainFromConfig} returns. */
export interface TrainFromConfigResult {
  /** The metrics written to metrics.json. */
  metrics: RunMetrics;
  /** The artifacts folder (`<output>/artifacts`). */
  artifactsDir: string;
  /** report.html inside the artifacts folder. */
  reportPath: string;
  /** Test evaluation with item embeddings and gates. */
  evaluation: ModelEvaluation;
  /** The training result. */
  training: FitResult;
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** metrics.json of a finished run. */
function runMetrics(options: {
  config: TrainerConfig;
  data: TrainingData;
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

/**
 * The whole `train` command after the backend is chosen: load data, then `trainAndSave` of
 * `@mmrecall/training` with the config's model, fit and test options, adding metrics.json,
 * report.html and training-config.json to the artifacts folder (`<output>/artifacts`; the checkpoint
 * stays at `<output>/checkpoint.ckpt`).
 */
export async function trainFromConfig(options: TrainFromConfigOptions): Promise<TrainFromConfigResult> {
  const { config, backend } = options;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const data =
    options.data ??
    (await timedStep({ label: 'load data', log, run: () => loadTrainingData({ data: config.data, log }) }));
  log(`[mmrecall] data ${data.summary}`);
  for (const note of data.notes) log(`[mmrecall] ${note}`);
  const model = await timedStep({
    label: `model setup${config.model.clusterBranching ? ' (cluster tree)' : ''}`,
    log,
    run: () => createModelFromConfig(config, data),
  });
  try {
    await mkdir(config.output, { recursive: true });
    const training = await fit({
      model,
      data,
      options: {
        ...fitOptionsOf(config),
        checkpoint: { path: join(config.output, 'checkpoint.ckpt'), resume: options.resume === true },
        onProgress: createFitProgress({
          log,
          ...(options.progress !== undefined ? { progress: options.progress } : {}),
        }),
        ...(options.onEpochEnd ? { onEpochEnd: options.onEpochEnd } : {}),
      },
    });
    const testProgress =
      options.progress === null
        ? undefined
        : createStageProgress({
            label: '[mmrecall] test evaluation',
            units: { items: 'items', ranking: 'queries' },
            ...(options.progress ? { stream: options.progress } : {}),
          });
    const evaluation = await timedStep({
      label: 'test evaluation',
      log,
      run: () =>
        evaluate({
          ...(testProgress ? { onProgress: (progress) => testProgress.report(progress) } : {}),
          model,
          data,
          split: 'test',
          k: config.eval.k,
          cutoffs: reportCutoffs(config.eval),
          maxQueries: config.eval.maxQueries,
          seed: config.train.seed,
          candidates: config.eval.candidates,
        }),
    });
    testProgress?.clear();
    const metrics = runMetrics({ config, data, backend, run: { model, training, evaluation }, started });
    const report = renderRunReport({ config, data, metrics, evaluation, warm: model.warm });
    const artifactsDir = join(config.output, 'artifacts');
    const live = await liveLoopArtifacts({
      model: model.model,
      itemStore: model.itemStore,
      train: data.split.train,
    });
    // The HNSW graph is built once here and shipped in the artifacts: servers map it at start.
    const index = await timedStep({
      label: 'HNSW index',
      log,
      run: () => buildPrebuiltHnswIndex({ vectors: evaluation.itemEmbeddings, dim: model.model.itemDim }),
    });
    await writeTrainedArtifacts({
      dir: artifactsDir,
      index,
      model,
      data,
      evaluation,
      ...(live ? { live } : {}),
      extraFiles: {
        'metrics.json': toJson(metrics),
        'report.html': report,
        'training-config.json': toJson(config),
      },
      info: { backend, dataset: data.name, trainer: '@mmrecall/trainer' },
    }).finally(() => index.dispose());
    return { metrics, artifactsDir, reportPath: join(artifactsDir, 'report.html'), evaluation, training };
  } catch (error) {
    throw asCliError(error);
  } finally {
    model.dispose();
  }
}

/** The configured cutoffs plus 1, 5, 10, 20, 50, 100 up to K, so the report shows recall at several K. */
export function reportCutoffs(evalConfig: TrainerConfig['eval']): number[] {
  const extra = [1, 5, 10, 20, 50, 100].filter((cutoff) => cutoff <= evalConfig.k);
  return [...new Set([...evalConfig.cutoffs, ...extra, evalConfig.k])].sort((a, b) => a - b);
}

/** One row of a comparison: a label and its metrics. */
export interface ComparisonRow {
  name: string;
  metrics: RunMetrics;
}

/** Markdown table of several runs at cutoff K (accuracy all/warm/cold + ecology). */
export function comparisonMarkdown(options: { rows: ComparisonRow[]; k: number }): string {
  return formatMetricsTable({
    rows: options.rows.map((row) => ({ name: row.name, metrics: row.metrics.test })),
    k: options.k,
  });
}

function lossSection(rows: ComparisonRow[], k: number): ReportSection {
  const single = rows.length === 1 ? rows[0] : undefined;
  const markers = single
    ? [{ x: single.metrics.training.bestEpoch, label: `best epoch ${single.metrics.training.bestEpoch}` }]
    : [];
  const loss = lineChartSvg({
    title: 'Training loss per epoch',
    xLabel: 'epoch',
    yLabel: 'mean loss',
    integerX: true,
    markers,
    series: rows.map((row) => ({
      name: row.name,
      points: row.metrics.training.history.map((h) => ({ x: h.epoch, y: h.loss })),
    })),
  });
  // One run: all, warm and cold validation recall; several: each run's all (solid) and cold (dashed).
  const series = single
    ? [
        { name: 'all items', key: 'validRecall' as const },
        { name: 'warm items', key: 'validWarmRecall' as const },
        { name: 'cold items', key: 'validColdRecall' as const },
      ].map(({ name, key }) => ({
        name,
        points: single.metrics.training.history.map((h) => ({ x: h.epoch, y: h[key] ?? Number.NaN })),
      }))
    : rows.flatMap((row, i) => [
        {
          name: row.name,
          color: CHART_COLORS[i % CHART_COLORS.length] as string,
          points: row.metrics.training.history.map((h) => ({ x: h.epoch, y: h.validRecall })),
        },
        {
          name: `${row.name} cold`,
          dashed: true,
          color: CHART_COLORS[i % CHART_COLORS.length] as string,
          points: row.metrics.training.history.map((h) => ({ x: h.epoch, y: h.validColdRecall })),
        },
      ]);
  const recall = lineChartSvg({
    title: `Validation Recall@${k} per epoch`,
    xLabel: 'epoch',
    yLabel: `Recall@${k}`,
    integerX: true,
    markers,
    series,
  });
  return { title: 'Training curves', html: `<div class="charts">${loss}${recall}</div>` };
}

/** Test recall at every evaluated cutoff K: all, warm and cold held-out items (one run), or all per run. */
function recallAtKSection(rows: ComparisonRow[]): ReportSection {
  const cutoffsOf = (row: ComparisonRow) =>
    Object.keys(row.metrics.test.cutoffs)
      .map(Number)
      .sort((a, b) => a - b);
  const series =
    rows.length === 1
      ? (['all', 'warm', 'cold'] as const).map((group) => ({
          name: `${group} items`,
          points: cutoffsOf(rows[0] as ComparisonRow).map((k) => ({
            x: k,
            y: (rows[0] as ComparisonRow).metrics.test.cutoffs[k]?.[group].recall ?? Number.NaN,
          })),
        }))
      : rows.map((row) => ({
          name: row.name,
          points: cutoffsOf(row).map((k) => ({
            x: k,
            y: row.metrics.test.cutoffs[k]?.all.recall ?? Number.NaN,
          })),
        }));
  const chart = lineChartSvg({
    title: 'Test Recall@K',
    xLabel: 'K (log scale)',
    yLabel: 'Recall@K',
    logX: true,
    series,
  });
  return { title: 'Recall at several K', html: chart };
}

function bucketSection(rows: ComparisonRow[], k: number): ReportSection {
  const labels = rows[0]?.metrics.popularityBuckets.map((b) => b.label) ?? [];
  const chart = barChartSvg({
    title: `Test Recall@${k} by item popularity (training clicks)`,
    xLabel: 'training clicks of the held-out item',
    yLabel: `Recall@${k}`,
    categories: labels,
    series: rows.map((row) => ({
      name: row.name,
      values: labels.map(
        (label) => row.metrics.popularityBuckets.find((b) => b.label === label)?.recall ?? Number.NaN,
      ),
    })),
  });
  const counts = rows[0]?.metrics.popularityBuckets.map((b) => `${b.label}: ${b.heldOut}`).join(', ') ?? '';
  return {
    title: 'Recall by popularity bucket',
    html: `${chart}<p class="sub">held-out pairs per bucket: ${counts}</p>`,
  };
}

/** Gate value vs popularity scatter (warm and cold items). */
export function gateSection(options: {
  gates: Float32Array;
  popularity: Float32Array;
  warm: Uint8Array;
  spearman?: { warm: number; all: number };
  name: string;
}): ReportSection {
  const warmPoints: { x: number; y: number }[] = [];
  const coldPoints: { x: number; y: number }[] = [];
  for (const [i, g] of options.gates.entries()) {
    (options.warm[i] === 1 ? warmPoints : coldPoints).push({ x: options.popularity[i] as number, y: g });
  }
  const coldGates = coldPoints.map((p) => p.y);
  const chart = scatterChartSvg({
    title: `${options.name}: gate g (content share) vs item popularity`,
    xLabel: 'training clicks (log scale; cold items have none: the strip on the left)',
    yLabel: 'gate g',
    logX: true,
    series: [{ name: 'warm items', points: warmPoints }],
    ...(coldGates.length > 0 ? { strip: { name: 'cold items', values: coldGates } } : {}),
  });
  const s = options.spearman;
  const sorted = [...coldGates].sort((a, b) => a - b);
  const coldNote =
    sorted.length > 0
      ? `<p class="sub">${sorted.length} cold items: g min ${(sorted[0] as number).toFixed(4)}, median ${(sorted[sorted.length >> 1] as number).toFixed(4)}, max ${(sorted[sorted.length - 1] as number).toFixed(4)}${(sorted[sorted.length - 1] as number) - (sorted[0] as number) < 1e-4 ? ' (all equal: a cold item has zero statistics, so every cold item gets the same gate input)' : ''}</p>`
      : '';
  const note =
    (s
      ? `<p class="sub">Spearman(g, popularity): warm items ${s.warm.toFixed(3)}, all items ${s.all.toFixed(3)}</p>`
      : '') + coldNote;
  return { title: `Gate vs popularity (${options.name})`, html: chart + note };
}

function renderRunReport(options: {
  config: TrainerConfig;
  data: TrainingData;
  metrics: RunMetrics;
  evaluation: ModelEvaluation;
  warm: Uint8Array;
}): string {
  const { config, data, metrics, evaluation } = options;
  const rows = [{ name: modelKindLabel(config.model.kind), metrics }];
  const sections: ReportSection[] = [
    {
      title: `Test metrics at K = ${config.eval.k}`,
      html: markdownTableToHtml(comparisonMarkdown({ rows, k: config.eval.k })),
    },
    lossSection(rows, config.eval.k),
    recallAtKSection(rows),
    bucketSection(rows, config.eval.k),
  ];
  if (evaluation.gates) {
    sections.push(
      gateSection({
        gates: evaluation.gates,
        popularity: data.popularity,
        warm: options.warm,
        name: modelKindLabel(config.model.kind),
        ...(metrics.gateSpearman ? { spearman: metrics.gateSpearman } : {}),
      }),
    );
  }
  sections.push({ title: 'Configuration', html: `<pre>${toJson(config).replaceAll('<', '&lt;')}</pre>` });
  return renderReportHtml({
    title: `mmrecall-train: ${modelKindLabel(config.model.kind)} on ${data.name}`,
    subtitle: [
      data.summary,
      `backend ${metrics.backend}, best epoch ${metrics.training.bestEpoch}, ${metrics.training.seconds.toFixed(1)} s`,
    ],
    sections,
  });
}

/** Report of a comparison: table, curves, buckets, gate plots. */
export function renderComparisonReport(options: {
  title: string;
  subtitle: string[];
  rows: ComparisonRow[];
  k: number;
  gates: {
    name: string;
    gates: Float32Array;
    popularity: Float32Array;
    warm: Uint8Array;
    spearman?: { warm: number; all: number };
  }[];
  extraTables?: ReportSection[];
}): string {
  const sections: ReportSection[] = [
    {
      title: `Comparison at K = ${options.k} (test split)`,
      html: markdownTableToHtml(comparisonMarkdown({ rows: options.rows, k: options.k })),
    },
    ...(options.extraTables ?? []),
    lossSection(options.rows, options.k),
    recallAtKSection(options.rows),
    bucketSection(options.rows, options.k),
    ...options.gates.map((g) => gateSection(g)),
  ];
  return renderReportHtml({ title: options.title, subtitle: options.subtitle, sections });
}
