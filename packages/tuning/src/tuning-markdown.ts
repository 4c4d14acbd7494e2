import type { TrialRecord } from './tune';

/** Options of {@link tuningMarkdown}. */
export interface TuningMarkdownOptions {
  /** Trials in run order. */
  trials: readonly TrialRecord[];
  /** The chosen trial's number. */
  chosen: number;
  /** Column label of the metric, e.g. `valid Recall@20`. */
  metric: string;
  /** Decimals of the metric. Default 4. */
  digits?: number;
}

function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replaceAll('|', '\\|');
}

/** The trial table: trial, one column per setting, mean and std of the metric, each seed's value, chosen. */
export function tuningMarkdown(options: TuningMarkdownOptions): string {
  const digits = options.digits ?? 4;
  const paths = [...new Set(options.trials.flatMap((record) => Object.keys(record.settings)))];
  const format = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
  const header = ['trial', ...paths, `${options.metric} mean`, 'std', 'per seed', 's', 'chosen'];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((name, i) => (i === 0 || name === 'chosen' ? '---:' : i <= paths.length ? '---' : '---:')).join('|')}|`,
  ];
  for (const record of options.trials) {
    const seeds = record.values.map((value, i) => `${format(value)} (seed ${record.seeds[i]})`).join(', ');
    lines.push(
      `| ${[
        String(record.trial),
        ...paths.map((path) => cell(record.settings[path])),
        format(record.mean),
        format(record.std),
        seeds,
        record.seconds.toFixed(0),
        record.trial === options.chosen ? 'yes' : '',
      ].join(' | ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
