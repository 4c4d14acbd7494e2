import type { FitEvent } from '@mmrecall/training';
import { createProgressBar, createStageProgress, type ProgressStream } from './progress';

/** Options of {@link createFitProgress}. */
export interface CreateFitProgressOptions {
  /** Log lines (stderr). */
  log: (line: string) => void;
  /** Progress bar stream; null = no bar (one log line per epoch instead). Default process.stderr. */
  progress?: ProgressStream | null;
}

/** Turns fit's events into the CLI's progress bar and log lines. */
export function createFitProgress(options: CreateFitProgressOptions): (event: FitEvent) => void {
  const { log, progress } = options;
  let bar: ReturnType<typeof createProgressBar> | undefined;
  let validation: ReturnType<typeof createStageProgress> | undefined;
  return (event) => {
    switch (event.type) {
      case 'resumed':
        log(
          `[mmrecall] resumed from ${event.path} after epoch ${event.afterEpoch}${event.finished ? ' (training had finished)' : ''}`,
        );
        return;
      case 'overwriting-checkpoint':
        log(`[mmrecall] starting a new run: ${event.path} will be overwritten (use --resume to continue it)`);
        return;
      case 'epoch-start':
        bar =
          progress === null
            ? undefined
            : createProgressBar({
                label: `epoch ${event.epoch}/${event.epochs}`,
                total: event.steps,
                examplesPerStep: event.batchSize,
                ...(progress ? { stream: progress } : {}),
              });
        return;
      case 'step':
        bar?.update({ step: event.step, loss: event.meanLoss });
        return;
      case 'validation-start':
        // Validation ranks every item for each query: on large catalogues it is a long step of its own.
        if (progress?.isTTY !== true)
          log(
            `[mmrecall] epoch ${event.epoch}: ${event.steps} steps in ${event.seconds.toFixed(1)} s; validating ...`,
          );
        return;
      case 'validation-progress':
        // Without a bar (progress null) nothing is drawn; otherwise one redrawn line or a plain line every 10 s.
        if (progress === null) return;
        validation ??= createStageProgress({
          label: `[mmrecall] epoch ${event.epoch} validation`,
          units: { items: 'items', ranking: 'queries' },
          ...(progress ? { stream: progress } : {}),
        });
        validation.report({ stage: event.stage, done: event.done, total: event.total });
        return;
      case 'epoch-end': {
        validation?.clear();
        validation = undefined;
        const { record, k } = event;
        if (progress?.isTTY !== true)
          log(`[mmrecall] epoch ${record.epoch}: validation done in ${event.validationSeconds.toFixed(1)} s`);
        const cold = Number.isNaN(record.validColdRecall) ? 'n/a' : record.validColdRecall.toFixed(4);
        bar?.finish({
          extra: `valid Recall@${k} ${record.validRecall.toFixed(4)} (cold ${cold})${event.improved ? ' *' : ''}`,
        });
        if (progress === null) {
          log(
            `epoch ${record.epoch}/${event.epochs} loss ${record.loss.toFixed(4)} valid Recall@${k} ${record.validRecall.toFixed(4)}`,
          );
        }
        return;
      }
      case 'early-stop':
        log(
          `[mmrecall] early stopping: no improvement of valid Recall@${event.k} for ${event.epochsWithoutImprovement} epochs; best epoch ${event.bestEpoch}`,
        );
        return;
    }
  };
}
