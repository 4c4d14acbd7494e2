/** Formats seconds as `1m05s` / `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Options of {@link timedStep}. */
export interface TimedStepOptions<T> {
  /** What the step does, e.g. `load data`. */
  label: string;
  /** Where the start and end lines go. */
  log: (line: string) => void;
  /** The step. */
  run: () => T | Promise<T>;
  /** Clock in milliseconds. Default `performance.now`. */
  now?: () => number;
}

/** Runs one long step between a start line and an end line with its wall time and the process RSS. */
export async function timedStep<T>(options: TimedStepOptions<T>): Promise<T> {
  const now = options.now ?? (() => performance.now());
  options.log(`[mmrecall] ${options.label} ...`);
  const start = now();
  const result = await options.run();
  const rss = process.memoryUsage().rss / 2 ** 20;
  options.log(
    `[mmrecall] ${options.label} done in ${formatDuration((now() - start) / 1000)} (rss ${rss.toFixed(0)} MiB)`,
  );
  return result;
}
