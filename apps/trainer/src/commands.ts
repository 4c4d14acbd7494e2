import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, MissingArtifactError } from '@mmrecall/errors';
import { type BaselineKind, loadTrainingData, toJson } from '@mmrecall/experiments';
import { formatMetricsTable } from '@mmrecall/metrics';
import { modelKindLabel, readArtifacts } from '@mmrecall/model';
import { selectBackend } from '@mmrecall/runtime';
import { evaluateArtifacts } from '@mmrecall/training';
import type { CliIo } from './cli-app';
import {
  type PartialTrainerConfig,
  resolveTrainerConfig,
  type TrainerConfig,
  type TrainerModelKind,
} from './config';
import { runClusterExperiment, runComparison, trainFromConfig } from './run';

function logger(io: CliIo): (line: string) => void {
  return (line) => io.stderr.write(`${line}\n`);
}

/** `mmrecall-train train`. */
export async function commandTrain(options: {
  config: TrainerConfig;
  resume: boolean;
  quiet: boolean;
  io: CliIo;
}): Promise<number> {
  const { config, io } = options;
  const log = logger(io);
  const backend = await selectBackend({ backend: config.backend, log });
  const result = await trainFromConfig({
    config,
    resume: options.resume,
    backend: backend.name,
    log,
    progress: options.quiet ? null : io.stderr,
  });
  const table = formatMetricsTable({
    rows: [{ name: modelKindLabel(config.model.kind), metrics: result.metrics.test }],
    k: config.eval.k,
  });
  io.stdout.write(`${table}\n\nartifacts: ${result.artifactsDir}\nreport:    ${result.reportPath}\n`);
  return 0;
}

/** What `compare` and `experiment clusters` produce: a markdown table and the files it was written to. */
interface TableResult {
  markdown: string;
  files: { markdown: string; json: string; html?: string };
}

/** Picks the backend, runs a table-producing job, prints its table and where it was written. */
async function runTableCommand(
  config: TrainerConfig,
  io: CliIo,
  job: (backend: string, log: (line: string) => void) => Promise<TableResult>,
): Promise<number> {
  const log = logger(io);
  const backend = await selectBackend({ backend: config.backend, log });
  const result = await job(backend.name, log);
  io.stdout.write(
    `${result.markdown}\n\nwritten: ${result.files.markdown}, ${result.files.json}, ${result.files.html}\n`,
  );
  return 0;
}

/** `mmrecall-train compare`. */
export async function commandCompare(options: {
  config: TrainerConfig;
  kinds: (TrainerModelKind | BaselineKind)[];
  /** Seeds per kind (mean ± std when > 1). Default 1. */
  seeds?: number;
  quiet: boolean;
  io: CliIo;
}): Promise<number> {
  const { config, io } = options;
  return runTableCommand(config, io, (backend, log) =>
    runComparison({
      config,
      kinds: options.kinds,
      backend,
      log,
      progress: options.quiet ? null : io.stderr,
      ...(options.seeds === undefined ? {} : { seeds: options.seeds }),
    }),
  );
}

/** `mmrecall-train experiment clusters`. */
export async function commandClusters(options: {
  config: TrainerConfig;
  leaves: number[];
  quiet: boolean;
  io: CliIo;
}): Promise<number> {
  const { config, io } = options;
  return runTableCommand(config, io, (backend, log) =>
    runClusterExperiment({
      config,
      leaves: options.leaves,
      backend,
      log,
      progress: options.quiet ? null : io.stderr,
    }),
  );
}

/** `mmrecall-train eval`: evaluates an artifacts folder on its data set. */
export async function commandEval(options: {
  artifactsDir: string;
  split: 'test' | 'valid';
  overrides: PartialTrainerConfig;
  json: boolean;
  io: CliIo;
}): Promise<number> {
  const { io, artifactsDir } = options;
  const log = logger(io);
  const configPath = join(artifactsDir, 'training-config.json');
  let file: unknown;
  try {
    file = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    throw new MissingArtifactError({
      path: configPath,
      message: 'cannot read the training config of these artifacts',
      cause: error,
    });
  }
  const {
    output: _output,
    model: _model,
    train: _train,
    ...overrides
  } = options.overrides as Record<string, unknown>;
  const config = resolveTrainerConfig({ file, fileName: configPath, overrides });
  const backend = await selectBackend({ backend: config.backend, log });
  const artifacts = await readArtifacts({ dir: artifactsDir });
  try {
    const data = await loadTrainingData({ data: config.data });
    if (
      data.numItems !== artifacts.config.numItems ||
      (artifacts.config.mode === 'u2i' && data.numUsers !== artifacts.config.numUsers)
    ) {
      throw new InvalidArgumentError({
        argument: 'config.data',
        message: `data set ${data.name} has ${data.numUsers} users / ${data.numItems} items but the artifacts were trained on ${artifacts.config.numUsers} / ${artifacts.config.numItems}`,
      });
    }
    const result = await evaluateArtifacts({
      artifacts,
      data,
      split: options.split,
      k: config.eval.k,
      cutoffs: config.eval.cutoffs.filter((cutoff) => cutoff <= config.eval.k),
      candidates: config.eval.candidates,
      maxQueries: config.eval.maxQueries,
      seed: config.train.seed,
    });
    if (options.json) {
      io.stdout.write(
        `${toJson({ dataset: data.name, split: options.split, backend: backend.name, numQueries: result.numQueries, metrics: result.metrics, popularityBuckets: result.popularityBuckets })}\n`,
      );
    } else {
      const table = formatMetricsTable({
        rows: [{ name: modelKindLabel(artifacts.config.kind), metrics: result.metrics }],
        k: config.eval.k,
      });
      io.stdout.write(`${data.name} ${options.split} split, ${result.numQueries} queries\n${table}\n`);
    }
    return 0;
  } finally {
    artifacts.dispose();
  }
}
