import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@mmrecall/atomic-write';
import { InvalidArgumentError } from '@mmrecall/errors';
import { evaluate, type FitEvent, fit, type TrainingData, validationLoss } from '@mmrecall/training';
import { asConfigError, createModelFromConfig, fitOptionsOf } from './config-options';
import { loadTrainingData } from './data-source';
import type { ExperimentConfig } from './experiment-config';
import { toJson } from './run-metrics';

/** One model of the experiment. */
export interface ClusterExperimentRow {
  /** e.g. `node ids, 64 leaves`. */
  name: string;
  /** Leaf count (node-id models only). */
  leaves?: number;
  /** Branching per level (node-id models only). */
  branching?: number[];
  /** Mean in-batch softmax loss on the validation positives. */
  validLoss: number;
  /** Test Recall@K, all / cold. */
  recall: number;
  coldRecall: number;
  /** Test NDCG@K. */
  ndcg: number;
}

/** Two-level branching whose product is at least `leaves` (one level below 4 leaves). */
export function branchingForLeaves(leaves: number): number[] {
  if (!Number.isInteger(leaves) || leaves < 2)
    throw new InvalidArgumentError({ argument: 'leaves', message: `must be an integer >= 2, got ${leaves}` });
  if (leaves < 4) return [leaves];
  const top = Math.max(2, Math.round(Math.sqrt(leaves)));
  return [top, Math.max(2, Math.ceil(leaves / top))];
}

/** Options of {@link runClusterExperiment}. */
export interface RunClusterExperimentOptions {
  /** Base config (data, dims, epochs ...). `model.kind`, `useRawVectors`, `useTags`, `clusterBranching` are set per model. */
  config: ExperimentConfig;
  /** Leaf counts to try. */
  leaves: number[];
  /** Active backend. */
  backend: string;
  /** Log lines. */
  log?: (line: string) => void;
  /** Called once per model trained: the handler of its fit events (e.g. a progress bar). */
  onFitEvent?: () => (event: FitEvent) => void;
  /** Renders clusters.html from the finished experiment; unset = no HTML file. */
  renderHtml?: (report: ClusterExperimentReport) => string;
  /** Pre-loaded data (tests). */
  data?: TrainingData;
}

/** What clusters.html is made from. */
export interface ClusterExperimentReport {
  config: ExperimentConfig;
  data: TrainingData;
  backend: string;
  rows: ClusterExperimentRow[];
  markdown: string;
}

/** Result of {@link runClusterExperiment}. */
export interface ClusterExperimentResult {
  rows: ClusterExperimentRow[];
  markdown: string;
  /** Written files (`html` when `renderHtml` was given). */
  files: { markdown: string; json: string; html?: string };
}

async function trainOne(options: {
  config: ExperimentConfig;
  data: TrainingData;
  name: string;
  log: (line: string) => void;
  onFitEvent: (() => (event: FitEvent) => void) | undefined;
}): Promise<Omit<ClusterExperimentRow, 'leaves' | 'branching'>> {
  const { config, data, name } = options;
  options.log(`[mmrecall] clusters experiment: ${name}`);
  const setup = createModelFromConfig(config, data);
  try {
    const fitOptions = fitOptionsOf(config);
    await fit({
      model: setup,
      data,
      options: { ...fitOptions, ...(options.onFitEvent ? { onProgress: options.onFitEvent() } : {}) },
    }).catch((error: unknown) => {
      throw asConfigError(error);
    });
    const validLoss = validationLoss({ model: setup, data, options: fitOptions });
    const evaluation = await evaluate({
      model: setup,
      data,
      split: 'test',
      k: config.eval.k,
      cutoffs: [config.eval.k],
      maxQueries: config.eval.maxQueries,
      seed: config.train.seed,
    });
    const atK = evaluation.metrics.cutoffs[config.eval.k]!;
    return { name, validLoss, recall: atK.all.recall, coldRecall: atK.cold.recall, ndcg: atK.all.ndcg };
  } finally {
    setup.dispose();
  }
}

/**
 * The MODEL.md clustering experiment: content-only models that see only hierarchical k-means node
 * ids (no raw vectors, no tags), for growing leaf counts, against an ID-only model and a content-only
 * model on the raw vectors. Reports validation loss and test Recall@K; writes clusters.md/.json/.html.
 */
export async function runClusterExperiment(
  options: RunClusterExperimentOptions,
): Promise<ClusterExperimentResult> {
  const { config, leaves } = options;
  const log = options.log ?? (() => {});
  const data = options.data ?? (await loadTrainingData({ data: config.data }));
  if (Object.keys(data.dataset.content.vectors).length === 0) {
    throw new InvalidArgumentError({
      argument: 'config.data.source',
      message: `data set ${data.name} has no item vectors to cluster`,
    });
  }
  const output = config.output;
  await mkdir(output, { recursive: true });
  const base = (model: Partial<ExperimentConfig['model']>): ExperimentConfig => {
    const { clusterBranching: _ignored, ...rest } = config.model;
    return { ...config, model: { ...rest, useTags: false, ...model } };
  };
  const rows: ClusterExperimentRow[] = [];
  rows.push(
    await trainOne({
      config: base({ kind: 'id-only' }),
      data,
      name: 'ID-only',
      log,
      onFitEvent: options.onFitEvent,
    }),
  );
  rows.push(
    await trainOne({
      config: base({ kind: 'content-only', useRawVectors: true }),
      data,
      name: 'content-only, raw vectors',
      log,
      onFitEvent: options.onFitEvent,
    }),
  );
  for (const leafCount of leaves) {
    const branching = branchingForLeaves(leafCount);
    const row = await trainOne({
      config: base({ kind: 'content-only', useRawVectors: false, clusterBranching: branching }),
      data,
      name: `content-only, node ids (${branching.join('x')} = ${branching.reduce((a, b) => a * b, 1)} leaves)`,
      log,
      onFitEvent: options.onFitEvent,
    });
    rows.push({ ...row, leaves: branching.reduce((a, b) => a * b, 1), branching });
  }
  const k = config.eval.k;
  const format = (value: number): string => (Number.isFinite(value) ? value.toFixed(4) : 'n/a');
  const markdown = [
    `| model | leaves | valid loss | Recall@${k} | NDCG@${k} | Recall@${k} cold |`,
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.leaves ?? ''} | ${format(row.validLoss)} | ${format(row.recall)} | ${format(row.ndcg)} | ${format(row.coldRecall)} |`,
    ),
  ].join('\n');
  const files: ClusterExperimentResult['files'] = {
    markdown: join(output, 'clusters.md'),
    json: join(output, 'clusters.json'),
  };
  await writeFileAtomic({
    path: files.markdown,
    data: `# Cluster node ids vs leaf count on ${data.name}\n\n${markdown}\n`,
  });
  await writeFileAtomic({
    path: files.json,
    data: toJson({ dataset: data.name, k, backend: options.backend, config, rows }),
  });
  if (options.renderHtml) {
    files.html = join(output, 'clusters.html');
    await writeFileAtomic({
      path: files.html,
      data: options.renderHtml({ config, data, backend: options.backend, rows, markdown }),
    });
  }
  return { rows, markdown, files };
}
