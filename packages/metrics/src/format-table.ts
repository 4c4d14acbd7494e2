import { InvalidArgumentError } from '@mmrecall/errors';
import type { RetrievalEvaluation } from './evaluate';

/** One table row: a model name and its evaluation. */
export interface MetricsTableRow {
  /** Row label, e.g. `ID-only two-tower`. */
  name: string;
  /** Output of `evaluateRetrieval`; must contain cutoff `k`. */
  metrics: RetrievalEvaluation;
}

/** Options of {@link formatMetricsTable}. */
export interface FormatMetricsTableOptions {
  /** Rows, printed in this order. */
  rows: readonly MetricsTableRow[];
  /** The cutoff K to print. */
  k: number;
  /** Decimals per number. Default 4. */
  digits?: number;
}

/**
 * Markdown table of accuracy (all / warm / cold) and ecology at cutoff `k`, one row per model, for the
 * side-by-side comparison the model spec asks for. NaN (a group without queries) prints as `n/a`.
 */
export function formatMetricsTable(options: FormatMetricsTableOptions): string {
  const { rows, k } = options;
  const digits = options.digits ?? 4;
  const header = [
    'model',
    `Recall@${k}`,
    `NDCG@${k}`,
    `HitRate@${k}`,
    `Recall@${k} warm`,
    `NDCG@${k} warm`,
    `Recall@${k} cold`,
    `NDCG@${k} cold`,
    `Coverage@${k}`,
    `ColdShare@${k}`,
    `LongTail@${k}`,
    `Gini@${k}`,
  ];
  const format = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of rows) {
    const accuracy = row.metrics.cutoffs[k];
    const ecology = row.metrics.ecology[k];
    if (accuracy === undefined || ecology === undefined) {
      throw new InvalidArgumentError({
        argument: 'k',
        message: `row "${row.name}" has no metrics at cutoff ${k}`,
      });
    }
    const cells = [
      row.name.replaceAll('|', '\\|'),
      format(accuracy.all.recall),
      format(accuracy.all.ndcg),
      format(accuracy.all.hitRate),
      format(accuracy.warm.recall),
      format(accuracy.warm.ndcg),
      format(accuracy.cold.recall),
      format(accuracy.cold.ndcg),
      format(ecology.coverage),
      format(ecology.coldShare),
      format(ecology.longTailShare),
      format(ecology.gini),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
