import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@mmrecall/atomic-write';
import { InvalidArgumentError } from '@mmrecall/errors';
import { evaluate, fit, validationLoss } from '@mmrecall/training';
import type { TrainerConfig } from './config';
import { loadTrainingData, type TrainingData } from './data';
import type { ProgressStream } from './progress';
import { escapeHtml, lineChartSvg, markdownTableToHtml, renderReportHtml } from './report';
import { toJson } from './run';
import { asCliError, createFitProgress, createModelFromConfig, fitOptionsOf } from './train-options';

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
  config: TrainerConfig;
  /** Leaf counts to try. */
  leaves: number[];
  /** Active backend. */
  backend: string;
  /** Log lines. */
  log?: (line: string) => void;
  /** Progress stream; null = none. */
  progress?: ProgressStream | null;
  /** Pre-loaded data (tests). */
  data?: TrainingData;
}

/** Result of {@link runClusterExperiment}. */
export interface ClusterExperimentResult {
  rows: ClusterExperimentRow[];
  markdown: string;
  files: { markdown: string; json: string; html: string };
}

async function trainOne(options: {
  config: TrainerConfig;
  data: TrainingData;
  name: string;
  log: (line: string) => void;
  progress: ProgressStream | null | undefined;
}): Promise<Omit<ClusterExperimentRow, 'leaves' | 'branching'>> {
  const { config, data, name } = options;
  options.log(`[mmrecall] clusters experiment: ${name}`);
  const setup = createModelFromConfig(config, data);
  try {
    const fitOptions = fitOptionsOf(config);
    await fit({
      model: setup,
      data,
      options: {
        ...fitOptions,
        onProgress: createFitProgress({
          log: options.log,
          ...(options.progress !== undefined ? { progress: options.progress } : {}),
        }),
      },
    }).catch((error: unknown) => {
      throw asCliError(error);
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
  const base = (model: Partial<TrainerConfig['model']>): TrainerConfig => {
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
      progress: options.progress,
    }),
  );
  rows.push(
    await trainOne({
      config: base({ kind: 'content-only', useRawVectors: true }),
      data,
      name: 'content-only, raw vectors',
      log,
      progress: options.progress,
    }),
  );
  for (const leafCount of leaves) {
    const branching = branchingForLeaves(leafCount);
    const row = await trainOne({
      config: base({ kind: 'content-only', useRawVectors: false, clusterBranching: branching }),
      data,
      name: `content-only, node ids (${branching.join('x')} = ${branching.reduce((a, b) => a * b, 1)} leaves)`,
      log,
      progress: options.progress,
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
  const nodeRows = rows.filter((row) => row.leaves !== undefined);
  const xs = nodeRows.map((row) => Math.log10(row.leaves as number));
  const span = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const flat = (row: ClusterExperimentRow | undefined, value: (r: ClusterExperimentRow) => number) =>
    row ? span.map((x) => ({ x: x as number, y: value(row) })) : [];
  const chart = (title: string, yLabel: string, value: (r: ClusterExperimentRow) => number): string =>
    lineChartSvg({
      title,
      xLabel: 'log10(leaf count)',
      yLabel,
      series: [
        {
          name: 'node ids',
          points: nodeRows.map((row) => ({ x: Math.log10(row.leaves as number), y: value(row) })),
        },
        { name: 'ID-only', points: flat(rows[0], value) },
        { name: 'raw vectors', points: flat(rows[1], value) },
      ],
    });
  const files = {
    markdown: join(output, 'clusters.md'),
    json: join(output, 'clusters.json'),
    html: join(output, 'clusters.html'),
  };
  await writeFileAtomic({
    path: files.markdown,
    data: `# Cluster node ids vs leaf count on ${data.name}\n\n${markdown}\n`,
  });
  await writeFileAtomic({
    path: files.json,
    data: toJson({ dataset: data.name, k, backend: options.backend, config, rows }),
  });
  await writeFileAtomic({
    path: files.html,
    data: renderReportHtml({
      title: `mmrecall-train experiment clusters on ${data.name}`,
      subtitle: [data.summary, `backend ${options.backend}`],
      sections: [
        { title: 'Results', html: markdownTableToHtml(markdown) },
        {
          title: 'Validation loss and Recall vs leaf count',
          html: `<div class="charts">${chart('Validation loss vs leaf count', 'validation loss', (r) => r.validLoss)}${chart(`Test Recall@${k} vs leaf count`, `Recall@${k}`, (r) => r.recall)}</div>`,
        },
        { title: 'Configuration', html: `<pre>${escapeHtml(toJson(config))}</pre>` },
      ],
    }),
  });
  return { rows, markdown, files };
}
