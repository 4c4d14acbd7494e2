import { type Dataset, type Interactions, type LoadDataFolderResult, loadDataFolder } from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import { describeFolderFiles, lazyParquet } from '@mmrecall/experiments';
import { formatMetricsTable } from '@mmrecall/metrics';
import { modelKindLabel, readArtifacts } from '@mmrecall/model';
import { type BackendChoice, selectBackend } from '@mmrecall/runtime';
import {
  alignDatasetToModel,
  resolveUpdateSource,
  type UpdateOptions,
  type UpdateResult,
  updateModel,
} from '@mmrecall/training';
import type { CliIo } from './cli-app';
import { createProgressBar, type ProgressBar } from './progress';

/** Options of {@link commandUpdate}. */
export interface CommandUpdateOptions {
  /** The last model: a training or update output folder, an artifacts folder or a checkpoint file. */
  from: string;
  /** Data folder of the new interactions and the catalogue's content (`loadDataFolder`). */
  data: string;
  /** Data folder of older interactions to replay from (ids known to the model or the update data). */
  history?: string;
  /** Data folder of held-out interactions evaluated after the update. */
  heldOut?: string;
  /** Output folder. */
  output: string;
  /** Steps, replay ratio, statistics decay, seed ... */
  options: UpdateOptions;
  backend: BackendChoice;
  quiet: boolean;
  io: CliIo;
}

/** A folder read with the update's rule: every column must be used (an unknown one is an error). */
async function loadFolder(
  dir: string,
  flag: string,
  log: (line: string) => void,
): Promise<LoadDataFolderResult> {
  const folder = await loadDataFolder({ dir, parquet: lazyParquet });
  for (const file of folder.files) {
    if (file.ignored.length > 0)
      throw new InvalidArgumentError({
        argument: flag,
        message: `${file.path}: unknown column ${file.ignored[0]} (the update reads ${file.used.join(', ')})`,
      });
  }
  for (const line of describeFolderFiles(folder)) log(`${flag} ${line}`);
  return folder;
}

/** Interactions of another folder in the update data set's index space; an id it lacks is an error. */
function reindex(interactions: Interactions, from: Dataset, into: Dataset, flag: string): Interactions {
  const lookup = (ids: readonly string[], target: Dataset['users'], what: string) =>
    Int32Array.from(ids, (id) => {
      const index = target.indexOf(id);
      if (index === undefined)
        throw new InvalidArgumentError({
          argument: flag,
          message: `${what} ${JSON.stringify(id)} is neither in the model nor in the update data`,
        });
      return index;
    });
  const users = lookup(from.users.ids, into.users, 'user');
  const items = lookup(from.items.ids, into.items, 'item');
  return {
    ...interactions,
    users: Int32Array.from(interactions.users, (u) => users[u] as number),
    items: Int32Array.from(interactions.items, (i) => items[i] as number),
  };
}

function summary(result: UpdateResult): string {
  return (
    `+${result.newUsers} users, +${result.newItems} items; ${result.newClicks} new clicks, ` +
    `${result.replayedClicks} replayed; ${result.steps} steps of ${result.batchSize} in ${result.stepSeconds.toFixed(1)}s ` +
    `(${result.seconds.toFixed(1)}s in all); optimizer state ${result.optimizerState}`
  );
}

/** `mmrecall-train update`: updates the last model with new interactions and writes new artifacts. */
export async function commandUpdate(options: CommandUpdateOptions): Promise<number> {
  const { io } = options;
  const log = (line: string) => io.stderr.write(`${line}\n`);
  await selectBackend({ backend: options.backend, log });
  const folder = await loadFolder(options.data, '--data', log);
  const model = await readArtifactsOf(options.from);
  const dataset = alignDatasetToModel({
    dataset: folder.dataset,
    config: model.config,
    idMaps: model.idMaps,
  });
  const extra = async (dir: string | undefined, flag: string) => {
    if (dir === undefined) return undefined;
    const other = await loadFolder(dir, flag, log);
    return reindex(other.dataset.interactions, other.dataset, dataset, flag);
  };
  const history = await extra(options.history, '--history');
  const heldOut = await extra(options.heldOut, '--held-out');
  let bar: ProgressBar | undefined;
  const result = await updateModel({
    from: options.from,
    data: { dataset, ...(history ? { history } : {}), ...(heldOut ? { heldOut } : {}) },
    output: options.output,
    options: {
      ...options.options,
      onProgress: (event) => {
        if (event.type === 'loaded')
          log(
            `model: ${event.artifacts}${event.checkpoint ? `, optimizer state from ${event.checkpoint}` : ' (no checkpoint: the optimizer starts fresh)'}`,
          );
        else if (event.type === 'grown')
          log(
            `grown: +${event.newUsers} users, +${event.newItems} items; training on ${event.newClicks} new clicks and ${event.replayedClicks} replayed`,
          );
        else if (event.type === 'step' && !options.quiet) {
          bar ??= createProgressBar({
            label: 'update',
            total: event.steps,
            examplesPerStep: options.options.batchSize ?? 256,
            stream: io.stderr,
          });
          bar.update({ step: event.step, loss: event.meanLoss });
        } else if (event.type === 'evaluated') {
          bar?.finish();
          bar = undefined;
          log(`held-out Recall@${event.k} ${event.recall.toFixed(4)}`);
        }
      },
    },
  });
  bar?.finish();
  io.stdout.write(`update: ${summary(result)}\n`);
  if (result.ignoredColumns.length > 0)
    io.stdout.write(`not used by this model: ${result.ignoredColumns.join(', ')}\n`);
  if (result.evaluation) {
    const table = formatMetricsTable({
      rows: [{ name: modelKindLabel(model.config.kind), metrics: result.evaluation.metrics }],
      k: options.options.evaluation?.k ?? 20,
    });
    io.stdout.write(`${table}\n`);
  }
  io.stdout.write(`artifacts:  ${result.artifactsDir}\ncheckpoint: ${result.checkpointPath}\n`);
  return 0;
}

/** The config and id maps of the model `from` names (read once more by the update itself). */
async function readArtifactsOf(from: string) {
  const artifacts = await readArtifacts({ dir: resolveUpdateSource(from).artifacts, verifyIndex: false });
  artifacts.dispose();
  return { config: artifacts.config, idMaps: artifacts.idMaps };
}
