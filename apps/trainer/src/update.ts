import { loadUpdateFolders } from '@mmrecall/experiments';
import { formatMetricsTable } from '@mmrecall/metrics';
import { modelKindLabel, readArtifacts } from '@mmrecall/model';
import { type BackendChoice, selectBackend } from '@mmrecall/runtime';
import { resolveUpdateSource, type UpdateOptions, type UpdateResult, updateModel } from '@mmrecall/training';
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
  const model = await readArtifactsOf(options.from);
  const data = await loadUpdateFolders({
    model,
    data: { dir: options.data, name: '--data' },
    ...(options.history ? { history: { dir: options.history, name: '--history' } } : {}),
    ...(options.heldOut ? { heldOut: { dir: options.heldOut, name: '--held-out' } } : {}),
    log,
  });
  let bar: ProgressBar | undefined;
  const result = await updateModel({
    from: options.from,
    data,
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
