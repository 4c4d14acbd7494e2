import { InvalidArgumentError } from '@mmrecall/errors';
import type { RetrievalEvaluation } from './evaluate';

/** One table row: a model name and its evaluation. */
export interface MetricsTableRow {
  /** Row label, e.g. `ID-only two-tower`. */
  name: string;
  /** Output of `evaluateRetrieval`; must contain cutoff `k`. */
  metrics: RetrievalEvaluation;
  /**
   * Standard deviation of every metric over seeds (same shape as `metrics`, which then holds the
   * means): each cell prints `mean ± std`.
   */
  std?: RetrievalEvaluation;
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
  const plain = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of rows) {
    const accuracy = row.metrics.cutoffs[k];
    const ecology = row.metrics.ecology[k];
    const spreadAccuracy = row.std?.cutoffs[k];
    const spreadEcology = row.std?.ecology[k];
    // With std: `mean ± std`; the spread is looked up by the same field path as the mean.
    const format = (value: number, spread?: number) =>
      row.std === undefined || Number.isNaN(value)
        ? plain(value)
        : `${plain(value)} ± ${plain(spread ?? Number.NaN)}`;
    if (accuracy === undefined || ecology === undefined) {
      throw new InvalidArgumentError({
        argument: 'k',
        message: `row "${row.name}" has no metrics at cutoff ${k}`,
      });
    }
    const cells = [
      row.name.replaceAll('|', '\\|'),
      format(accuracy.all.recall, spreadAccuracy?.all.recall),
      format(accuracy.all.ndcg, spreadAccuracy?.all.ndcg),
      format(accuracy.all.hitRate, spreadAccuracy?.all.hitRate),
      format(accuracy.warm.recall, spreadAccuracy?.warm.recall),
      format(accuracy.warm.ndcg, spreadAccuracy?.warm.ndcg),
      format(accuracy.cold.recall, spreadAccuracy?.cold.recall),
      format(accuracy.cold.ndcg, spreadAccuracy?.cold.ndcg),
      format(ecology.coverage, spreadEcology?.coverage),
      format(ecology.coldShare, spreadEcology?.coldShare),
      format(ecology.longTailShare, spreadEcology?.longTailShare),
      format(ecology.gini, spreadEcology?.gini),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
