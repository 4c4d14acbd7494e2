import {
  type BaselineScorer,
  createInteractionMatrix,
  type FactorizedScorer,
  fitBprMf,
  fitEase,
  fitItemKnn,
  fitLightGcn,
  fitMostPopular,
} from '@mmrecall/baselines';
import { InvalidArgumentError } from '@mmrecall/errors';
import type { CsrRows } from '@mmrecall/model';
import {
  evaluateEmbeddings,
  gatherRows,
  type ModelEvaluation,
  positivesByUser,
  type SelectedQueries,
  selectionCap,
  selectQueries,
  type TrainingData,
} from '@mmrecall/training';
import type { ExperimentConfig } from './experiment-config';
import type { RunMetrics } from './run-metrics';

/** The reference baselines of `compare --kinds` (not server models: they write no artifacts). */
export const BASELINE_KINDS = ['most-popular', 'item-knn', 'ease', 'bpr-mf', 'lightgcn'] as const;
/** One of {@link BASELINE_KINDS}. */
export type BaselineKind = (typeof BASELINE_KINDS)[number];

/** Display names of the baselines. */
export const BASELINE_LABELS: Record<BaselineKind, string> = {
  'most-popular': 'MostPopular (baseline)',
  'item-knn': 'ItemKNN (baseline)',
  ease: 'EASE (baseline)',
  'bpr-mf': 'BPR-MF (baseline)',
  lightgcn: 'LightGCN (baseline)',
};

/** Whether a `--kinds` entry names a baseline. */
export function isBaselineKind(kind: string): kind is BaselineKind {
  return (BASELINE_KINDS as readonly string[]).includes(kind);
}

/** One setting tried on the valid split. */
export interface BaselineTrial {
  /** The setting, e.g. `{ lambda: 50 }` or `{ layers: 2, epochs: 35 }` (epochs: the best validated one). */
  settings: Record<string, number>;
  /** Valid Recall@K / NDCG@K (all items of the candidate set). */
  validRecall: number;
  validNdcg: number;
  /** Fit time of this setting. */
  seconds: number;
}

/** What {@link runBaseline} returns. */
export interface BaselineRun {
  /** Test metrics of the chosen setting, in the shape of a recall model's run. */
  metrics: RunMetrics;
  /** Every setting tried, in order. */
  trials: BaselineTrial[];
  /** The trial with the best valid Recall@K (ties: the first). */
  chosen: BaselineTrial;
  /** Peak resident memory of the process after the fits, in bytes. */
  peakRssBytes: number;
}

/** Options of {@link runBaseline}. */
export interface RunBaselineOptions {
  /** Which baseline. */
  kind: BaselineKind;
  /** The config: `baselines` (search space), `eval` (K, protocol), `model.dim` (BPR-MF/LightGCN), `train.seed`. */
  config: ExperimentConfig;
  /** The data set, loaded once for the whole comparison. */
  data: TrainingData;
  /** Active backend name (recorded only). */
  backend: string;
  /** Log lines. */
  log?: (line: string) => void;
}

interface Context {
  data: TrainingData;
  trainPositives: CsrRows;
  config: ExperimentConfig;
}

/** Ranks every candidate item for the selected users with training items masked, exactly like the recall models. */
function evaluateScorer(
  context: Context,
  scorer: BaselineScorer | FactorizedScorer,
  selected: SelectedQueries,
  cutoffs: number[],
): Omit<ModelEvaluation, 'itemEmbeddings' | 'gates' | 'gateSpearman'> {
  const { config, data, trainPositives } = context;
  const shared = {
    selected,
    data,
    trainPositives,
    k: config.eval.k,
    cutoffs,
    candidates: config.eval.candidates,
    maxQueries: config.eval.maxQueries,
    seed: config.train.seed,
  };
  if ('userEmbeddings' in scorer) {
    const { dim, userEmbeddings } = scorer;
    const queries = gatherRows(userEmbeddings, dim, selected.users, data.numUsers);
    return evaluateEmbeddings({ ...shared, queries, itemEmbeddings: scorer.itemEmbeddings, dim });
  }
  return evaluateEmbeddings({ ...shared, scoreUsers: (users, out) => scorer.scoreUsers({ users, out }) });
}

/**
 * Fits one baseline on the training split for every setting of `config.baselines`, keeps the setting
 * with the best valid Recall@K (BPR-MF and LightGCN also pick their epoch on valid), and evaluates that
 * one on the test split once, with the same queries, masking and metrics as the recall models.
 */
export async function runBaseline(options: RunBaselineOptions): Promise<BaselineRun> {
  const { kind, config, data } = options;
  const log = options.log ?? (() => {});
  if (config.model.mode !== 'u2i') {
    throw new InvalidArgumentError({
      argument: 'config.model.mode',
      message: `the baseline ${kind} ranks items for users: use u2i (got ${config.model.mode})`,
    });
  }
  const started = performance.now();
  const trainPositives = positivesByUser({ interactions: data.split.train, numUsers: data.numUsers });
  const matrix = createInteractionMatrix({
    users: usersOf(trainPositives),
    items: trainPositives.values,
    numUsers: data.numUsers,
    numItems: data.numItems,
  });
  const context: Context = { data, trainPositives, config };
  const select = (split: 'valid' | 'test'): SelectedQueries =>
    selectQueries({
      heldOut: split === 'valid' ? data.split.valid : data.split.test,
      numUsers: data.numUsers,
      trainPositives,
      needTrigger: false,
      maxQueries: selectionCap(config.eval),
      seed: config.train.seed,
    });
  const valid = select('valid');
  const k = config.eval.k;
  const validate = (scorer: BaselineScorer): { recall: number; ndcg: number } => {
    const atK = evaluateScorer(context, scorer, valid, [k]).metrics.cutoffs[k]!;
    return { recall: atK.all.recall, ndcg: atK.all.ndcg };
  };

  const trials: BaselineTrial[] = [];
  let best: { trial: BaselineTrial; scorer: BaselineScorer } | undefined;
  const consider = (settings: Record<string, number>, train: () => BaselineScorer): void => {
    const fitStart = performance.now();
    const scorer = train();
    const seconds = (performance.now() - fitStart) / 1000;
    const metric = validate(scorer);
    const trial: BaselineTrial = { settings, validRecall: metric.recall, validNdcg: metric.ndcg, seconds };
    trials.push(trial);
    log(
      `[mmrecall] ${kind} ${JSON.stringify(settings)}: valid Recall@${k} ${metric.recall.toFixed(4)} NDCG@${k} ${metric.ndcg.toFixed(4)} (${seconds.toFixed(1)} s)`,
    );
    if (best === undefined || metric.recall > best.trial.validRecall) best = { trial, scorer };
  };
  const b = config.baselines;
  const schedule = (epochs: number) => ({
    epochs,
    validateEvery: b.validateEvery,
    patience: b.patience,
    validate: (scorer: FactorizedScorer) => validate(scorer).recall,
    seed: config.train.seed,
  });
  switch (kind) {
    case 'most-popular':
      consider({}, () => fitMostPopular({ matrix }));
      break;
    case 'item-knn':
      for (const shrink of b.knnShrink)
        for (const neighbours of b.knnNeighbours)
          consider({ neighbours, shrink }, () => fitItemKnn({ matrix, neighbours, shrink }));
      break;
    case 'ease':
      for (const lambda of b.easeLambdas)
        consider({ lambda }, () => fitEase({ matrix, lambda, maxItems: b.easeMaxItems }));
      break;
    case 'bpr-mf': {
      let bestEpoch = 0;
      consider({ dim: config.model.dim }, () => {
        const result = fitBprMf({ matrix, dim: config.model.dim, ...schedule(b.bprEpochs) });
        bestEpoch = result.bestEpoch;
        return result.scorer;
      });
      trials[trials.length - 1]!.settings.epochs = bestEpoch;
      break;
    }
    case 'lightgcn':
      for (const layers of b.lightgcnLayers) {
        let bestEpoch = 0;
        consider({ layers, dim: config.model.dim }, () => {
          const result = fitLightGcn({
            matrix,
            layers,
            dim: config.model.dim,
            ...schedule(b.lightgcnEpochs),
          });
          bestEpoch = result.bestEpoch;
          return result.scorer;
        });
        trials[trials.length - 1]!.settings.epochs = bestEpoch;
      }
      break;
  }
  const chosen = best!;
  const test = evaluateScorer(context, chosen.scorer, select('test'), config.eval.cutoffs);
  const metrics: RunMetrics = {
    dataset: data.name,
    datasetSummary: data.summary,
    kind,
    mode: config.model.mode,
    backend: options.backend,
    k,
    test: test.metrics,
    numQueries: test.numQueries,
    popularityBuckets: test.popularityBuckets,
    training: {
      history: [],
      bestEpoch: chosen.trial.settings.epochs ?? 0,
      stoppedEarly: false,
      stepsPerEpoch: 0,
      seconds: (performance.now() - started) / 1000,
      examplesPerSecond: Number.NaN,
      assemblyShare: Number.NaN,
    },
  };
  log(`[mmrecall] ${kind}: chose ${JSON.stringify(chosen.trial.settings)} on valid; test evaluated once`);
  return { metrics, trials, chosen: chosen.trial, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/** The user of every entry of a per-user CSR. */
function usersOf(rows: CsrRows): Int32Array {
  const users = new Int32Array(rows.values.length);
  for (let u = 0; u + 1 < rows.offsets.length; u++) users.fill(u, rows.offsets[u]!, rows.offsets[u + 1]!);
  return users;
}

/** Markdown of every baseline setting tried on valid, the chosen one marked. */
export function baselineTrialsMarkdown(options: {
  runs: { kind: BaselineKind; run: BaselineRun }[];
  k: number;
}): string {
  const { k } = options;
  const lines = [
    `| baseline | setting (tried on valid) | valid Recall@${k} | valid NDCG@${k} | fit s | chosen |`,
    '|---|---|---:|---:|---:|:---:|',
  ];
  for (const { kind, run } of options.runs) {
    for (const trial of run.trials) {
      const settings = Object.entries(trial.settings)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ');
      lines.push(
        `| ${kind} | ${settings || '-'} | ${trial.validRecall.toFixed(4)} | ${trial.validNdcg.toFixed(4)} | ${trial.seconds.toFixed(1)} | ${trial === run.chosen ? 'yes' : ''} |`,
      );
    }
  }
  return lines.join('\n');
}
