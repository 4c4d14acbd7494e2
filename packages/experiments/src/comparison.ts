import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@mmrecall/atomic-write';
import { type ModelKind, modelKindLabel } from '@mmrecall/model';
import {
  BASELINE_LABELS,
  type BaselineKind,
  type BaselineRun,
  baselineTrialsMarkdown,
  isBaselineKind,
  runBaseline,
} from './baseline-run';
import { comparisonSeeds, type SeedSummary, seedConfig, summarizeSeeds } from './comparison-seeds';
import { loadTrainingData } from './data-source';
import type { ExperimentConfig } from './experiment-config';
import { type ComparisonRow, comparisonMarkdown, type RunMetrics, toJson } from './run-metrics';
import { type TrainFromConfigOptions, trainFromConfig } from './train-from-config';

/**
 * Published TikTok results (DiffMM, ACM MM 2024, Table 1), as quoted in the data README of this
 * repository. Those models also used a 768-d text vector that the local data does not have.
 */
export const PUBLISHED_TIKTOK: readonly { model: string; recall: number; ndcg: number }[] = [
  { model: 'VBPR', recall: 0.038, ndcg: 0.0134 },
  { model: 'CLCRec', recall: 0.0621, ndcg: 0.0264 },
  { model: 'LightGCN', recall: 0.0653, ndcg: 0.0282 },
  { model: 'LATTICE', recall: 0.0843, ndcg: 0.0367 },
  { model: 'BM3', recall: 0.0957, ndcg: 0.0404 },
  { model: 'DiffMM', recall: 0.1129, ndcg: 0.0456 },
];

/** Markdown of the published TikTok table (Recall@20 / NDCG@20). */
export function publishedTiktokMarkdown(): string {
  const lines = ['| published model (DiffMM paper, TikTok) | Recall@20 | NDCG@20 |', '|---|---:|---:|'];
  for (const row of PUBLISHED_TIKTOK)
    lines.push(`| ${row.model} | ${row.recall.toFixed(4)} | ${row.ndcg.toFixed(4)} |`);
  return lines.join('\n');
}

/** Options of {@link runComparison}. */
export interface RunComparisonOptions {
  /** Base config; `model.kind` and `output` are replaced per kind. */
  config: ExperimentConfig;
  /** Kinds to train (recall models) or fit (baselines, chosen on valid), in table order. */
  kinds: (ModelKind | BaselineKind)[];
  /** Active backend name. */
  backend: string;
  /** Log lines. */
  log?: (line: string) => void;
  /** Called once per recall-model kind: the progress hooks and extra artifact files of its run. */
  runOptions?: () => Pick<TrainFromConfigOptions, 'onFitEvent' | 'testProgress' | 'extraFiles'>;
  /** Renders comparison.html from the finished comparison; unset = no HTML file. */
  renderHtml?: (report: ComparisonReport) => string;
  /**
   * Seeds per kind: train.seed, train.seed + 1, ...; with more than one, every table cell is the
   * mean ± std over the seeds and each seed's run goes to `<output>/<kind>/seed-<seed>`. Default 1.
   */
  seeds?: number;
}

/** Gate value against popularity of one gated kind (a scatter in the report). */
export interface GatePlot {
  name: string;
  gates: Float32Array;
  /** Training clicks per item. */
  popularity: Float32Array;
  /** 1 = warm item. */
  warm: Uint8Array;
  spearman?: { warm: number; all: number };
}

/** What comparison.html is made from. */
export interface ComparisonReport {
  title: string;
  subtitle: string[];
  rows: ComparisonRow[];
  k: number;
  gates: GatePlot[];
  /** Tables shown after the comparison: the baseline settings tried, the published TikTok results. */
  tables: { title: string; markdown: string }[];
}

/** What {@link runComparison} returns. */
export interface ComparisonResult {
  /** One row per kind. */
  rows: ComparisonRow[];
  /** The comparison table (markdown), with the published table appended for tiktok. */
  markdown: string;
  /** Written files (`html` when `renderHtml` was given). */
  files: { markdown: string; json: string; html?: string };
}

/** Trains every kind on one data set (loaded once) and writes comparison.md / .json (and .html). */
export async function runComparison(options: RunComparisonOptions): Promise<ComparisonResult> {
  const { config, kinds } = options;
  const log = options.log ?? (() => {});
  const data = await loadTrainingData({ data: config.data });
  log(`[mmrecall] compare on ${data.summary}`);
  await mkdir(config.output, { recursive: true });
  const rows: ComparisonRow[] = [];
  const gates: GatePlot[] = [];
  const baselineRuns: { kind: BaselineKind; run: BaselineRun }[] = [];
  const seeds = comparisonSeeds(config, options.seeds ?? 1);
  const seedSummaries: (SeedSummary & { name: string; kind: string })[] = [];
  for (const kind of kinds) {
    const label = isBaselineKind(kind) ? BASELINE_LABELS[kind] : modelKindLabel(kind);
    const perSeed: RunMetrics[] = [];
    let firstResult: Awaited<ReturnType<typeof trainFromConfig>> | undefined;
    for (const seed of seeds) {
      const output = seeds.length > 1 ? join(config.output, kind, `seed-${seed}`) : join(config.output, kind);
      const runConfig = seeds.length > 1 ? seedConfig(config, seed, output) : config;
      log(`[mmrecall] === ${label}${seeds.length > 1 ? ` (seed ${seed})` : ''} ===`);
      if (isBaselineKind(kind)) {
        const run = await runBaseline({ kind, config: runConfig, data, backend: options.backend, log });
        perSeed.push(run.metrics);
        if (seed === seeds[0]) baselineRuns.push({ kind, run });
        continue;
      }
      const result = await trainFromConfig({
        config: { ...runConfig, model: { ...config.model, kind }, output },
        data,
        backend: options.backend,
        log,
        ...options.runOptions?.(),
      });
      perSeed.push(result.metrics);
      firstResult ??= result;
    }
    if (seeds.length > 1) {
      const summary = summarizeSeeds(perSeed);
      seedSummaries.push({ ...summary, name: label, kind });
      rows.push({ name: label, metrics: summary.metrics, std: summary.std });
    } else {
      rows.push({ name: label, metrics: perSeed[0] as RunMetrics });
    }
    const result = firstResult;
    if (result?.evaluation.gates) {
      const warm = new Uint8Array(data.numItems);
      for (let i = 0; i < data.numItems; i++) warm[i] = data.split.coldItems[i] === 1 ? 0 : 1;
      gates.push({
        name: label,
        gates: result.evaluation.gates,
        popularity: data.popularity,
        warm,
        ...(result.metrics.gateSpearman ? { spearman: result.metrics.gateSpearman } : {}),
      });
    }
  }
  const k = config.eval.k;
  let markdown = comparisonMarkdown({ rows, k });
  if (seeds.length > 1)
    markdown += `\nMean ± standard deviation over ${seeds.length} seeds (train.seed ${seeds.join(', ')}; n - 1 in the denominator).\n`;
  const tables: ComparisonReport['tables'] = [];
  if (baselineRuns.length > 0) {
    const trials = baselineTrialsMarkdown({ runs: baselineRuns, k });
    markdown += `\n\nBaseline settings tried on the valid split (the chosen one is evaluated on test once):\n\n${trials}\n`;
    tables.push({ title: 'Baseline settings tried on valid', markdown: trials });
  }
  if (data.name === 'tiktok') {
    const published = publishedTiktokMarkdown();
    markdown += `\n\n${published}\n`;
    tables.push({
      title: 'Published TikTok results (DiffMM paper; they also use a 768-d text vector)',
      markdown: published,
    });
  }
  const files: ComparisonResult['files'] = {
    markdown: join(config.output, 'comparison.md'),
    json: join(config.output, 'comparison.json'),
  };
  await writeFileAtomic({
    path: files.markdown,
    data: `# ${data.name}: recall models and baselines at K = ${k}\n\n${data.summary}\n\n${markdown}\n`,
  });
  await writeFileAtomic({
    path: files.json,
    data: toJson({
      dataset: data.name,
      datasetSummary: data.summary,
      k,
      backend: options.backend,
      config,
      ...(seeds.length > 1
        ? {
            seeds,
            rows: seedSummaries.map((summary) => ({
              name: summary.name,
              kind: summary.kind,
              seeds,
              mean: { accuracy: summary.metrics.test.cutoffs, ecology: summary.metrics.test.ecology },
              std: { accuracy: summary.std.cutoffs, ecology: summary.std.ecology },
              perSeed: summary.perSeed.map((test, i) => ({
                seed: seeds[i],
                accuracy: test.cutoffs,
                ecology: test.ecology,
              })),
            })),
          }
        : {
            rows: rows.map((row) => ({
              name: row.name,
              kind: row.metrics.kind,
              metrics: summarize(row.metrics, k),
            })),
          }),
      ...(baselineRuns.length > 0
        ? {
            baselines: baselineRuns.map(({ kind, run }) => ({
              kind,
              trials: run.trials,
              chosen: run.chosen.settings,
              peakRssBytes: run.peakRssBytes,
            })),
          }
        : {}),
      ...(data.name === 'tiktok' ? { published: PUBLISHED_TIKTOK } : {}),
    }),
  });
  if (options.renderHtml) {
    files.html = join(config.output, 'comparison.html');
    await writeFileAtomic({
      path: files.html,
      data: options.renderHtml({
        title: `mmrecall-train compare on ${data.name}`,
        subtitle: [data.summary, `backend ${options.backend}`],
        rows,
        k,
        gates,
        tables,
      }),
    });
  }
  return { rows, markdown, files };
}

/** The compact per-run record stored in comparison.json. */
function summarize(metrics: RunMetrics, k: number): Record<string, unknown> {
  return {
    test: { accuracy: metrics.test.cutoffs, ecology: metrics.test.ecology },
    atK: metrics.test.cutoffs[k],
    ecologyAtK: metrics.test.ecology[k],
    popularityBuckets: metrics.popularityBuckets,
    ...(metrics.gateSpearman ? { gateSpearman: metrics.gateSpearman, gateMeans: metrics.gateMeans } : {}),
    bestEpoch: metrics.training.bestEpoch,
    epochs: metrics.training.history.length,
    seconds: metrics.training.seconds,
    examplesPerSecond: metrics.training.examplesPerSecond,
  };
}
