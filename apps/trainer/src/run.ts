import { join } from 'node:path';
import {
  type BaselineKind,
  type ClusterExperimentResult,
  type ComparisonResult,
  type TrainFromConfigOptions as LibraryRunOptions,
  type TrainFromConfigResult as LibraryRunResult,
  type LoadedTrainingData,
  runClusterExperiment as runClusterExperimentOf,
  runComparison as runComparisonOf,
  trainFromConfig as trainFromConfigOf,
} from '@mmrecall/experiments';
import type { EpochRecord } from '@mmrecall/training';
import type { TrainerConfig, TrainerModelKind } from './config';
import { createStageProgress, type ProgressStream } from './progress';
import { renderClusterReport, renderComparisonReport, renderRunReport } from './run-report';
import { createFitProgress } from './train-options';

/** How a command reports: log lines and the progress stream (null = no bars). */
interface CliOutput {
  /** Log lines. */
  log?: (line: string) => void;
  /** Progress stream; null = none. Default process.stderr. */
  progress?: ProgressStream | null;
}

/** The progress bar, test progress and report.html of one training run. */
function runOptions(
  output: CliOutput,
): Pick<LibraryRunOptions, 'onFitEvent' | 'testProgress' | 'extraFiles'> {
  const log = output.log ?? (() => {});
  const { progress } = output;
  return {
    onFitEvent: createFitProgress({ log, ...(progress !== undefined ? { progress } : {}) }),
    ...(progress === null
      ? {}
      : {
          testProgress: () =>
            createStageProgress({
              label: '[mmrecall] test evaluation',
              units: { items: 'items', ranking: 'queries' },
              ...(progress ? { stream: progress } : {}),
            }),
        }),
    extraFiles: (run) => ({ 'report.html': renderRunReport(run) }),
  };
}

/** Options of {@link trainFromConfig}. */
export interface TrainFromConfigOptions extends CliOutput {
  /** Resolved config. */
  config: TrainerConfig;
  /** Pre-loaded data. Default: loaded from `config.data`. */
  data?: LoadedTrainingData;
  /** Continue from `<output>/checkpoint.ckpt`. */
  resume?: boolean;
  /** Name of the active tfjs backend (recorded in the manifest and metrics). */
  backend: string;
  /** Called after each epoch once its checkpoint is written (tests use it to simulate a kill). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

/** What {@link trainFromConfig} returns. */
export interface TrainFromConfigResult extends LibraryRunResult {
  /** report.html inside the artifacts folder. */
  reportPath: string;
}

/**
 * The whole `train` command after the backend is chosen: `trainFromConfig` of
 * `@mmrecall/experiments` with the CLI's progress bars and report.html in the artifacts folder.
 */
export async function trainFromConfig(options: TrainFromConfigOptions): Promise<TrainFromConfigResult> {
  const { log, progress, ...rest } = options;
  const result = await trainFromConfigOf({
    ...rest,
    ...(log ? { log } : {}),
    ...runOptions({ ...(log ? { log } : {}), ...(progress !== undefined ? { progress } : {}) }),
  });
  return { ...result, reportPath: join(result.artifactsDir, 'report.html') };
}

/** Options of {@link runComparison}. */
export interface RunComparisonOptions extends CliOutput {
  /** Base config; `model.kind` and `output` are replaced per kind. */
  config: TrainerConfig;
  /** Kinds to train (recall models) or fit (baselines, chosen on valid), in table order. */
  kinds: (TrainerModelKind | BaselineKind)[];
  /** Active backend name. */
  backend: string;
  /** Seeds per kind; more than one gives mean ± std cells. Default 1. */
  seeds?: number;
}

/** `compare`: every kind on one data set; comparison.md / .json / .html, a report per recall model. */
export function runComparison(options: RunComparisonOptions): Promise<ComparisonResult> {
  const { progress, ...rest } = options;
  return runComparisonOf({
    ...rest,
    runOptions: () => runOptions({ ...options }),
    renderHtml: renderComparisonReport,
  });
}

/** `experiment clusters`: clusters.md / .json / .html. */
export function runClusterExperiment(
  options: CliOutput & { config: TrainerConfig; leaves: number[]; backend: string },
): Promise<ClusterExperimentResult> {
  const { progress, ...rest } = options;
  const log = options.log ?? (() => {});
  return runClusterExperimentOf({
    ...rest,
    onFitEvent: () => createFitProgress({ log, ...(progress !== undefined ? { progress } : {}) }),
    renderHtml: renderClusterReport,
  });
}
