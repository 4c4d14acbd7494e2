import { parseArgs } from 'node:util';
import { InvalidArgumentError, MmrecallError } from '@mmrecall/errors';
import { BASELINE_KINDS, type BaselineKind, isBaselineKind } from '@mmrecall/experiments';
import { MODEL_KINDS } from '@mmrecall/model';
import type { BackendChoice } from '@mmrecall/runtime';
import {
  type PartialTrainerConfig,
  parseSetFlag,
  readConfigFile,
  resolveTrainerConfig,
  setConfigValue,
  type TrainerConfig,
  type TrainerModelKind,
} from './config';
import { UsageError } from './errors';
import type { ProgressStream } from './progress';

/** Streams and environment of one CLI invocation (injectable for tests). */
export interface CliIo {
  /** Results (tables, paths). */
  stdout: ProgressStream;
  /** Logs and progress. */
  stderr: ProgressStream;
}

const KINDS = MODEL_KINDS;
const TUNE_METRICS_TEXT = 'recall | ndcg | warm-recall | cold-recall';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

const CONFIG_OPTIONS: Record<string, OptionSpec> = {
  config: { type: 'string', short: 'c' },
  set: { type: 'string', multiple: true },
  data: { type: 'string' },
  'data-path': { type: 'string' },
  preset: { type: 'string' },
  'data-seed': { type: 'string' },
  kind: { type: 'string' },
  mode: { type: 'string' },
  dim: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  temperature: { type: 'string' },
  'max-steps-per-epoch': { type: 'string' },
  seed: { type: 'string' },
  patience: { type: 'string' },
  k: { type: 'string' },
  'max-queries': { type: 'string' },
  candidates: { type: 'string' },
  output: { type: 'string', short: 'o' },
  backend: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

const CONFIG_HELP = `Config (a JSON or YAML file; flags override file values; see README "Config reference"):
  -c, --config <file>          training config file (.json, .yaml, .yml)
      --set <path=value>       set any config field, e.g. --set train.lossWeights.triplet=0.5 (repeatable)
      --data <source>          synthetic (default) | tiktok | movielens | folder       [data.source]
      --data-path <dir>        data folder (tiktok, movielens, folder)                   [data.path]
      --preset <name>          synthetic size: tiny | small | default | large | xl      [data.preset]
      --data-seed <n>          synthetic generator seed                                  [data.seed]
      --kind <kind>            ${KINDS.join(' | ')}  [model.kind]
      --mode <mode>            u2i | i2i                                                 [model.mode]
      --dim <n>                embedding dimension per view                              [model.dim]
      --epochs <n>             maximum epochs                                            [train.epochs]
      --batch-size <n>         positive pairs per step                                   [train.batchSize]
      --learning-rate <x>      Adam learning rate                                        [train.learningRate]
      --temperature <x>        softmax temperature                                       [train.temperature]
      --max-steps-per-epoch <n> cap steps per epoch                                      [train.maxStepsPerEpoch]
      --seed <n>               training seed                                             [train.seed]
      --patience <n>           early-stopping patience in epochs (0 = off)               [train.earlyStoppingPatience]
      --k <n>                  list length K of the metrics                              [eval.k]
      --max-queries <n>        evaluate at most n users (0 = all)                        [eval.maxQueries]
      --candidates <set>       all (default) | warm | cold: rank warm/cold held-out items among warm/cold items only [eval.candidates]
  -o, --output <dir>           output folder                                             [output]
      --backend <name>         auto | node | wasm | cpu                                  [backend]
  -q, --quiet                  no progress bar
  -h, --help                   this help`;

export const MAIN_HELP = `mmrecall-train: train, evaluate and compare multimodal recall models

Usage: mmrecall-train <command> [options]

Commands:
  train                 train one model; writes <output>/artifacts (model, embeddings, metrics.json, report.html)
  eval                  evaluate an artifacts folder on its data set
  inspect               print what training would read (files, fields used and ignored, counts, split) without training
  update                update the last model with new interactions (grows the id tables, replays older clicks)
  compare               train the five kinds on one data set; writes a comparison table (markdown + JSON) and report
  tune                  search a space of config settings on the valid split; test once for the winner
  experiment clusters   loss and Recall@K of content-only models on cluster node ids vs leaf count

Run "mmrecall-train <command> --help" for the options of a command.
Exit codes: 0 ok, 1 runtime error, 2 usage or config error.`;

export const TRAIN_HELP = `Usage: mmrecall-train train [options]

Trains one model (default: gated-additive on the synthetic 'default' preset), with a progress bar on
stderr, validation Recall@K after every epoch, early stopping and an atomic checkpoint per epoch.
Writes <output>/artifacts/{manifest.json, model.json, weights.bin, items.f32, item-meta.json, metrics.json, report.html, ...}.

      --resume                 continue from <output>/checkpoint.ckpt (same config) after a kill
${CONFIG_HELP}`;

export const UPDATE_HELP = `Usage: mmrecall-train update --from <model> --data <folder> -o <out> [options]

Updates the last model with new interactions instead of retraining it: restores its optimizer state,
adds table rows for users and items it has never seen (from the unknown rows), recomputes the item
statistics, trains on the new clicks plus a replay sample of older ones, and writes
<out>/artifacts (what the server reloads) and <out>/checkpoint.ckpt (the next update's --from).

      --from <path>            training or update output folder, artifacts folder, or checkpoint file (required)
      --data <folder>          new interactions + content of every item (data folder layout; required);
                               a column the update does not read is an error
      --history <folder>       older interactions to replay from (data folder layout)
      --held-out <folder>      interactions evaluated after the update (Recall@K all/warm/cold)
  -o, --output <dir>           output folder (required)
      --steps <n>              step budget (default: one pass over the new and replayed clicks)
      --time-budget <s>        stop the steps after s seconds (not reproducible across machines)
      --replay-ratio <x>       replayed clicks per new click (default 1)
      --statistics-decay <x>   old exposures and clicks are multiplied by x in [0, 1] (default 1)
      --batch-size <n>         positive pairs per step (default 256, capped at the pairs)
      --learning-rate <x>      dense Adam learning rate (default: the model's)
      --seed <n>               replay sample, shuffling, dropout (default 7)
      --k <n>                  list length K of the held-out evaluation (default 20)
      --max-queries <n>        evaluate at most n users (0 = all)
      --backend <name>         auto | node | wasm | cpu
  -q, --quiet                  no progress bar
  -h, --help                   this help`;

export const EVAL_HELP = `Usage: mmrecall-train eval --artifacts <dir> [options]

Evaluates a trained artifacts folder: reloads its data set from training-config.json (or the flags),
ranks all items for every held-out user with training items masked, prints all/warm/cold metrics.

      --artifacts <dir>        artifacts folder written by "train" (required)
      --split <name>           test (default) | valid
      --data <source>, --data-path <dir>, --preset <name>, --data-seed <n>   override the data set
      --k <n>                  list length K (default: the training config's)
      --max-queries <n>        evaluate at most n users (0 = all)
      --candidates <set>       all (default) | warm | cold candidate items
      --backend <name>         auto | node | wasm | cpu
      --json                   print the metrics as JSON instead of a table
  -h, --help                   this help`;

export const INSPECT_HELP = `Usage: mmrecall-train inspect [options]

Loads the data set exactly as "train" would (same config and flags) and prints, without training:
each file with its rows, the columns and fields used and ignored, rows skipped (data.skipInvalid),
warnings (e.g. a detected timestamp unit), item/user counts, cold items, content and split sizes.

${CONFIG_HELP}`;

export const COMPARE_HELP = `Usage: mmrecall-train compare [options]

Trains the five kinds (or --kinds) on one data set with the same config and writes
<output>/comparison.md, comparison.json and comparison.html, plus each run under <output>/<kind>/.
On tiktok the published DiffMM table is printed next to it.

      --kinds <list>           comma-separated kinds (default: all five); baselines too:
                               ${BASELINE_KINDS.join(', ')} (settings of config.baselines
                               tried on valid, the best tested once; no artifacts)
      --seeds <n>              train every kind with n seeds (train.seed, train.seed + 1, ...) and
                               report the mean ± standard deviation of every metric (default 1)
${CONFIG_HELP}`;

export const TUNE_HELP = `Usage: mmrecall-train tune --space <space.yaml> [options]

Searches config settings on the valid split only: every trial trains the base config (--config and
flags) with the trial's settings (a grid of lists, or seeded random draws when the space has a
{ min, max } range) for --seeds seeds and scores the mean validation metric at the epoch early
stopping kept. The best trial's model (its first seed) is evaluated on test once, after the search.
Writes <output>/tune.md, tune.json and best-config.yaml (the winner, readable by --config).

      --space <file>           search space (YAML): config paths to lists or ranges, budget (required)
      --trials <n>             trial budget (overrides budget.trials of the space)
      --minutes <x>            no new trial starts after x minutes (overrides budget.minutes)
      --seeds <n>              seeds per trial: train.seed, train.seed + 1, ... (default 1)
      --metric <name>          ${TUNE_METRICS_TEXT} (default recall, at eval.k)
${CONFIG_HELP}`;

export const EXPERIMENT_HELP = `Usage: mmrecall-train experiment <name> [options]

Experiments:
  clusters              content-only on cluster node ids vs leaf count (see "experiment clusters --help")`;

export const CLUSTERS_HELP = `Usage: mmrecall-train experiment clusters [options]

For each leaf count, builds a two-level k-means tree over the item vectors and trains a content-only
model whose content tower sees only the node ids (no raw vectors, no tags); reports validation loss
and test Recall@K next to an ID-only model and a content-only model on the raw vectors.
Writes <output>/clusters.md, clusters.json and clusters.html (table + SVG plot).

      --leaves <list>          comma-separated leaf counts (default 8,32,128,512)
${CONFIG_HELP}`;

/** Parses argv with node:util parseArgs; unknown options and missing values become UsageErrors. */
function parse(
  command: string,
  args: string[],
  options: Record<string, OptionSpec>,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return {
      values: parsed.values as Record<string, string | boolean | string[] | undefined>,
      positionals: parsed.positionals,
    };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    throw new UsageError(`${command}: ${message.replace(/\. To specify a positional argument.*$/, '')}`);
  }
}

function numberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`--${flag}: expected a number, got ${JSON.stringify(text)}`);
  return value;
}

/** Builds the flag overrides of the config from parsed values. */
export function overridesFromFlags(
  values: Record<string, string | boolean | string[] | undefined>,
): PartialTrainerConfig {
  const o: Record<string, unknown> = {};
  const put = (path: string, value: unknown): void => {
    if (value !== undefined) setConfigValue({ target: o, path, value });
  };
  const str = (key: string): string | undefined => values[key] as string | undefined;
  put('data.source', str('data'));
  put('data.path', str('data-path'));
  put('data.preset', str('preset'));
  put('data.seed', numberFlag('data-seed', str('data-seed')));
  put('model.kind', str('kind'));
  put('model.mode', str('mode'));
  put('model.dim', numberFlag('dim', str('dim')));
  put('train.epochs', numberFlag('epochs', str('epochs')));
  put('train.batchSize', numberFlag('batch-size', str('batch-size')));
  put('train.learningRate', numberFlag('learning-rate', str('learning-rate')));
  put('train.temperature', numberFlag('temperature', str('temperature')));
  put('train.maxStepsPerEpoch', numberFlag('max-steps-per-epoch', str('max-steps-per-epoch')));
  put('train.seed', numberFlag('seed', str('seed')));
  put('train.earlyStoppingPatience', numberFlag('patience', str('patience')));
  put('eval.k', numberFlag('k', str('k')));
  put('eval.maxQueries', numberFlag('max-queries', str('max-queries')));
  put('eval.candidates', str('candidates'));
  put('output', str('output'));
  put('backend', str('backend'));
  for (const entry of (values.set as string[] | undefined) ?? []) {
    const { path, value } = parseSetFlag(entry);
    put(path, value);
  }
  return o as PartialTrainerConfig;
}

/** Reads --config (if any) and merges the flags; config errors become UsageErrors naming the field. */
export async function configFromFlags(
  values: Record<string, string | boolean | string[] | undefined>,
): Promise<TrainerConfig> {
  try {
    const file =
      typeof values.config === 'string' ? await readConfigFile({ path: values.config }) : undefined;
    return resolveTrainerConfig({
      ...(file !== undefined ? { file } : {}),
      ...(typeof values.config === 'string' ? { fileName: values.config } : {}),
      overrides: overridesFromFlags(values),
    });
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

function parseList(flag: string, text: string): string[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0)
    throw new UsageError(`--${flag}: expected a comma-separated list, got ${JSON.stringify(text)}`);
  return items;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Arguments after the program name. */
  argv: string[];
  /** Output streams. Default process.stdout / process.stderr. */
  io?: CliIo;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 runtime error, 2 usage/config error). */
export async function runCli(options: RunCliOptions): Promise<number> {
  const io = options.io ?? { stdout: process.stdout, stderr: process.stderr };
  const [command, ...rest] = options.argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(`${MAIN_HELP}\n`);
      return command === undefined ? 2 : 0;
    }
    switch (command) {
      case 'train': {
        const { values, positionals } = parse('train', rest, {
          ...CONFIG_OPTIONS,
          resume: { type: 'boolean' },
        });
        if (values.help) return help(io, TRAIN_HELP);
        if (positionals.length > 0)
          throw new UsageError(`train: unexpected argument ${JSON.stringify(positionals[0])}`);
        const config = await configFromFlags(values);
        const { commandTrain } = await import('./commands');
        return await commandTrain({
          config,
          resume: values.resume === true,
          quiet: values.quiet === true,
          io,
        });
      }
      case 'eval': {
        const evalOptions: Record<string, OptionSpec> = {
          artifacts: { type: 'string' },
          split: { type: 'string' },
          data: { type: 'string' },
          'data-path': { type: 'string' },
          preset: { type: 'string' },
          'data-seed': { type: 'string' },
          k: { type: 'string' },
          'max-queries': { type: 'string' },
          candidates: { type: 'string' },
          backend: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        };
        const { values, positionals } = parse('eval', rest, evalOptions);
        if (values.help) return help(io, EVAL_HELP);
        if (positionals.length > 0)
          throw new UsageError(`eval: unexpected argument ${JSON.stringify(positionals[0])}`);
        if (typeof values.artifacts !== 'string') throw new UsageError('eval: --artifacts <dir> is required');
        const split = (values.split as string | undefined) ?? 'test';
        if (split !== 'test' && split !== 'valid')
          throw new UsageError(`eval: --split must be test or valid, got ${JSON.stringify(split)}`);
        const { commandEval } = await import('./commands');
        return await commandEval({
          artifactsDir: values.artifacts,
          split,
          overrides: overridesFromFlags(values),
          json: values.json === true,
          io,
        });
      }
      case 'update': {
        const { values, positionals } = parse('update', rest, {
          from: { type: 'string' },
          data: { type: 'string' },
          history: { type: 'string' },
          'held-out': { type: 'string' },
          output: { type: 'string', short: 'o' },
          steps: { type: 'string' },
          'time-budget': { type: 'string' },
          'replay-ratio': { type: 'string' },
          'statistics-decay': { type: 'string' },
          'batch-size': { type: 'string' },
          'learning-rate': { type: 'string' },
          seed: { type: 'string' },
          k: { type: 'string' },
          'max-queries': { type: 'string' },
          backend: { type: 'string' },
          quiet: { type: 'boolean', short: 'q' },
          help: { type: 'boolean', short: 'h' },
        });
        if (values.help) return help(io, UPDATE_HELP);
        if (positionals.length > 0)
          throw new UsageError(`update: unexpected argument ${JSON.stringify(positionals[0])}`);
        for (const required of ['from', 'data', 'output'] as const)
          if (typeof values[required] !== 'string')
            throw new UsageError(
              `update: --${required} ${required === 'output' ? '<dir>' : '<path>'} is required`,
            );
        const str = (key: string) => values[key] as string | undefined;
        const num = (key: string) => numberFlag(key, str(key));
        const options = {
          ...(num('steps') === undefined ? {} : { steps: num('steps') as number }),
          ...(num('time-budget') === undefined ? {} : { timeBudgetSeconds: num('time-budget') as number }),
          ...(num('replay-ratio') === undefined ? {} : { replayRatio: num('replay-ratio') as number }),
          ...(num('statistics-decay') === undefined
            ? {}
            : { statisticsDecay: num('statistics-decay') as number }),
          ...(num('batch-size') === undefined ? {} : { batchSize: num('batch-size') as number }),
          ...(num('learning-rate') === undefined ? {} : { learningRate: num('learning-rate') as number }),
          ...(num('seed') === undefined ? {} : { seed: num('seed') as number }),
          evaluation: {
            ...(num('k') === undefined ? {} : { k: num('k') as number }),
            ...(num('max-queries') === undefined ? {} : { maxQueries: num('max-queries') as number }),
          },
        };
        const { commandUpdate } = await import('./update');
        return await commandUpdate({
          from: str('from') as string,
          data: str('data') as string,
          ...(str('history') ? { history: str('history') as string } : {}),
          ...(str('held-out') ? { heldOut: str('held-out') as string } : {}),
          output: str('output') as string,
          options,
          backend: backendFlag(str('backend')),
          quiet: values.quiet === true,
          io,
        });
      }
      case 'inspect': {
        const { values, positionals } = parse('inspect', rest, CONFIG_OPTIONS);
        if (values.help) return help(io, INSPECT_HELP);
        if (positionals.length > 0)
          throw new UsageError(`inspect: unexpected argument ${JSON.stringify(positionals[0])}`);
        const config = await configFromFlags(values);
        const { inspectTrainingData } = await import('./inspect');
        const log = (line: string) => io.stderr.write(`${line}\n`);
        io.stdout.write(`${await inspectTrainingData({ config, ...(values.quiet ? {} : { log }) })}\n`);
        return 0;
      }
      case 'compare': {
        const { values, positionals } = parse('compare', rest, {
          ...CONFIG_OPTIONS,
          kinds: { type: 'string' },
          seeds: { type: 'string' },
        });
        if (values.help) return help(io, COMPARE_HELP);
        if (positionals.length > 0)
          throw new UsageError(`compare: unexpected argument ${JSON.stringify(positionals[0])}`);
        const kinds = typeof values.kinds === 'string' ? parseList('kinds', values.kinds) : [...KINDS];
        for (const kind of kinds) {
          if (!KINDS.includes(kind as TrainerModelKind) && !isBaselineKind(kind))
            throw new UsageError(
              `--kinds: unknown kind ${JSON.stringify(kind)}, expected ${[...KINDS, ...BASELINE_KINDS].join(', ')}`,
            );
        }
        let seeds = 1;
        if (values.seeds !== undefined) {
          seeds = Number(values.seeds);
          if (!Number.isInteger(seeds) || seeds < 1 || (values.seeds as string).trim() === '')
            throw new UsageError(`--seeds: must be an integer >= 1, got ${JSON.stringify(values.seeds)}`);
        }
        const config = await configFromFlags(values);
        const { commandCompare } = await import('./commands');
        return await commandCompare({
          config,
          seeds,
          kinds: kinds as (TrainerModelKind | BaselineKind)[],
          quiet: values.quiet === true,
          io,
        });
      }
      case 'tune': {
        const { values, positionals } = parse('tune', rest, {
          ...CONFIG_OPTIONS,
          space: { type: 'string' },
          trials: { type: 'string' },
          minutes: { type: 'string' },
          seeds: { type: 'string' },
          metric: { type: 'string' },
        });
        if (values.help) return help(io, TUNE_HELP);
        if (positionals.length > 0)
          throw new UsageError(`tune: unexpected argument ${JSON.stringify(positionals[0])}`);
        if (typeof values.space !== 'string') throw new UsageError('tune: --space <file> is required');
        const { prepareTune } = await import('./tune-cli');
        return await prepareTune({ values, io });
      }
      case 'experiment': {
        const [name, ...experimentArgs] = rest;
        if (name === undefined || name === '--help' || name === '-h') {
          io.stdout.write(`${EXPERIMENT_HELP}\n`);
          return name === undefined ? 2 : 0;
        }
        if (name !== 'clusters')
          throw new UsageError(
            `experiment: unknown experiment ${JSON.stringify(name)} (available: clusters)`,
          );
        const { values, positionals } = parse('experiment clusters', experimentArgs, {
          ...CONFIG_OPTIONS,
          leaves: { type: 'string' },
        });
        if (values.help) return help(io, CLUSTERS_HELP);
        if (positionals.length > 0)
          throw new UsageError(`experiment clusters: unexpected argument ${JSON.stringify(positionals[0])}`);
        const leaves = parseList(
          'leaves',
          typeof values.leaves === 'string' ? values.leaves : '8,32,128,512',
        ).map((text) => {
          const value = Number(text);
          if (!Number.isInteger(value) || value < 2)
            throw new UsageError(
              `--leaves: each leaf count must be an integer >= 2, got ${JSON.stringify(text)}`,
            );
          return value;
        });
        const config = await configFromFlags(values);
        const { commandClusters } = await import('./commands');
        return await commandClusters({ config, leaves, quiet: values.quiet === true, io });
      }
      default:
        throw new UsageError(
          `unknown command ${JSON.stringify(command)} (commands: train, eval, update, inspect, compare, tune, experiment clusters; see --help)`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mmrecall-train: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`mmrecall-train: error: ${message}\n`);
    if (
      !MmrecallError.isInstance(error) &&
      error instanceof Error &&
      error.stack &&
      process.env.MMRECALL_DEBUG
    )
      io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

function backendFlag(text: string | undefined): BackendChoice {
  const choices: BackendChoice[] = ['auto', 'node', 'wasm', 'cpu'];
  if (text === undefined) return 'auto';
  if (!choices.includes(text as BackendChoice))
    throw new UsageError(`--backend: expected one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
  return text as BackendChoice;
}

function help(io: CliIo, text: string): number {
  io.stdout.write(`${text}\n`);
  return 0;
}
