import { formatDuration } from '@mmrecall/experiments';

/** Where progress goes: anything with `write` (stderr by default) and an optional `isTTY`. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** Label printed first, e.g. `epoch 2/8`. */
  label: string;
  /** Total number of steps. */
  total: number;
  /** Examples per step (for examples/s). */
  examplesPerStep: number;
  /** Output stream. Default `process.stderr`. */
  stream?: ProgressStream;
  /** Clock in milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Non-TTY: print a plain line every this many percent. Default 25. */
  plainEvery?: number;
  /** TTY: redraw at most every this many milliseconds. Default 100. */
  redrawMs?: number;
}

/** A progress bar for one epoch. */
export interface ProgressBar {
  /** Reports that `step` steps (1-based count) are done; `loss` is the running mean loss. */
  update(options: { step: number; loss: number }): void;
  /** Finishes the bar with a summary line; `extra` is appended (e.g. validation metrics). */
  finish(options?: { extra?: string }): void;
}

/** Formats a rate with a k/M suffix. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '?';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

/**
 * Progress on stderr: on a TTY a redrawn line `label [=====>    ] 40% loss 3.12 12.3k ex/s ETA 12s`;
 * otherwise plain lines at every `plainEvery` percent, so logs stay readable.
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const total = Math.max(1, options.total);
  const tty = stream.isTTY === true;
  const plainEvery = options.plainEvery ?? 25;
  const redrawMs = options.redrawMs ?? 100;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let nextPlainPercent = plainEvery;
  let lastStep = 0;
  let lastLoss = Number.NaN;

  const line = (step: number, loss: number): string => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? (step * options.examplesPerStep) / elapsed : Number.NaN;
    const eta = step > 0 ? (elapsed / step) * (total - step) : Number.NaN;
    const percent = Math.floor((100 * step) / total);
    const lossText = Number.isFinite(loss) ? loss.toFixed(4) : 'n/a';
    const width = 24;
    const filled = Math.min(width, Math.round((width * step) / total));
    const bar = tty
      ? ` [${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === width ? '=' : '>') : ''}${' '.repeat(width - filled)}]`
      : '';
    return `${options.label}${bar} ${String(percent).padStart(3)}% ${step}/${total} loss ${lossText} ${formatRate(rate)} ex/s ETA ${formatDuration(eta)}`;
  };

  return {
    update({ step, loss }) {
      lastStep = step;
      lastLoss = loss;
      if (tty) {
        const t = now();
        if (t - lastDraw < redrawMs && step < total) return;
        lastDraw = t;
        stream.write(`\r${line(step, loss)}\u001b[K`);
        return;
      }
      const percent = (100 * step) / total;
      if (percent >= nextPlainPercent && step < total) {
        while (nextPlainPercent <= percent) nextPlainPercent += plainEvery;
        stream.write(`${line(step, loss)}\n`);
      }
    },
    finish({ extra } = {}) {
      const elapsed = (now() - started) / 1000;
      const rate = elapsed > 0 ? (lastStep * options.examplesPerStep) / elapsed : Number.NaN;
      const lossText = Number.isFinite(lastLoss) ? lastLoss.toFixed(4) : 'n/a';
      const summary = `${options.label} done ${lastStep}/${total} steps loss ${lossText} ${formatRate(rate)} ex/s in ${formatDuration(elapsed)}${extra ? ` ${extra}` : ''}`;
      stream.write(tty ? `\r${summary}\u001b[K\n` : `${summary}\n`);
    },
  };
}

/** One report of a long step made of stages, each counting up to its total (e.g. items embedded, queries ranked). */
export interface StageProgress {
  /** Stage name, e.g. `items`, `queries`, `ranking`. */
  stage: string;
  /** Units done so far in this stage. */
  done: number;
  /** Units of this stage. */
  total: number;
}

/** Options of {@link createStageProgress}. */
export interface StageProgressOptions {
  /** Label printed first, e.g. `[mmrecall] epoch 1 validation`. */
  label: string;
  /** Unit per stage for the rate, e.g. `{ items: 'items', ranking: 'queries' }`. Default: the stage name. */
  units?: Record<string, string>;
  /** Output stream. Default `process.stderr`. */
  stream?: ProgressStream;
  /** Clock in milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Non-TTY: at most one plain line per this many milliseconds (short steps print none). Default 10000. */
  plainEveryMs?: number;
  /** TTY: redraw at most every this many milliseconds. Default 200. */
  redrawMs?: number;
}

/**
 * Progress of a long step with stages: on a TTY one redrawn line `label: ranking 1200/2000 (60%)
 * 85 queries/s ETA 9s`; otherwise a plain line at most every `plainEveryMs` (so a step that ends
 * sooner prints nothing and logs stay short). Returns the reporter; `clear()` ends a TTY line.
 */
export function createStageProgress(options: StageProgressOptions): {
  report: (progress: StageProgress) => void;
  clear: () => void;
} {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const plainEveryMs = options.plainEveryMs ?? 10_000;
  const redrawMs = options.redrawMs ?? 200;
  let stage = '';
  // A stage starts when the previous one reported last (its first batch counts in its rate).
  let stageStart = now();
  let lastReport = stageStart;
  let lastLine = stageStart;
  let drawn = false;
  const line = ({ stage: name, done, total }: StageProgress, t: number): string => {
    const elapsed = (t - stageStart) / 1000;
    const rate = elapsed > 0 ? done / elapsed : Number.NaN;
    const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
    const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
    const unit = options.units?.[name] ?? name;
    return `${options.label}: ${name} ${done}/${total} (${percent}%) ${formatRate(rate)} ${unit}/s ETA ${formatDuration(eta)}`;
  };
  return {
    report(progress) {
      const t = now();
      if (progress.stage !== stage) {
        stage = progress.stage;
        stageStart = lastReport;
      }
      lastReport = t;
      if (tty) {
        if (t - lastLine < redrawMs && progress.done < progress.total) return;
        lastLine = t;
        drawn = true;
        stream.write(`\r${line(progress, t)}\u001b[K`);
        return;
      }
      if (t - lastLine < plainEveryMs) return;
      lastLine = t;
      stream.write(`${line(progress, t)}\n`);
    },
    clear() {
      if (tty && drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}
