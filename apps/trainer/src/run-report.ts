import {
  type ClusterExperimentReport,
  type ClusterExperimentRow,
  type ComparisonReport,
  type ComparisonRow,
  comparisonMarkdown,
  type FinishedRun,
  type GatePlot,
  toJson,
} from '@mmrecall/experiments';
import {
  barChartSvg,
  CHART_COLORS,
  escapeHtml,
  lineChartSvg,
  markdownTableToHtml,
  type ReportSection,
  renderReportHtml,
  scatterChartSvg,
} from '@mmrecall/html-report';
import { modelKindLabel } from '@mmrecall/model';

function lossSection(rows: ComparisonRow[], k: number): ReportSection {
  const single = rows.length === 1 ? rows[0] : undefined;
  const markers = single
    ? [{ x: single.metrics.training.bestEpoch, label: `best epoch ${single.metrics.training.bestEpoch}` }]
    : [];
  const loss = lineChartSvg({
    title: 'Training loss per epoch',
    xLabel: 'epoch',
    yLabel: 'mean loss',
    integerX: true,
    markers,
    series: rows.map((row) => ({
      name: row.name,
      points: row.metrics.training.history.map((h) => ({ x: h.epoch, y: h.loss })),
    })),
  });
  // One run: all, warm and cold validation recall; several: each run's all (solid) and cold (dashed).
  const series = single
    ? [
        { name: 'all items', key: 'validRecall' as const },
        { name: 'warm items', key: 'validWarmRecall' as const },
        { name: 'cold items', key: 'validColdRecall' as const },
      ].map(({ name, key }) => ({
        name,
        points: single.metrics.training.history.map((h) => ({ x: h.epoch, y: h[key] ?? Number.NaN })),
      }))
    : rows.flatMap((row, i) => [
        {
          name: row.name,
          color: CHART_COLORS[i % CHART_COLORS.length] as string,
          points: row.metrics.training.history.map((h) => ({ x: h.epoch, y: h.validRecall })),
        },
        {
          name: `${row.name} cold`,
          dashed: true,
          color: CHART_COLORS[i % CHART_COLORS.length] as string,
          points: row.metrics.training.history.map((h) => ({ x: h.epoch, y: h.validColdRecall })),
        },
      ]);
  const recall = lineChartSvg({
    title: `Validation Recall@${k} per epoch`,
    xLabel: 'epoch',
    yLabel: `Recall@${k}`,
    integerX: true,
    markers,
    series,
  });
  return { title: 'Training curves', html: `<div class="charts">${loss}${recall}</div>` };
}

/** Test recall at every evaluated cutoff K: all, warm and cold held-out items (one run), or all per run. */
function recallAtKSection(rows: ComparisonRow[]): ReportSection {
  const cutoffsOf = (row: ComparisonRow) =>
    Object.keys(row.metrics.test.cutoffs)
      .map(Number)
      .sort((a, b) => a - b);
  const series =
    rows.length === 1
      ? (['all', 'warm', 'cold'] as const).map((group) => ({
          name: `${group} items`,
          points: cutoffsOf(rows[0] as ComparisonRow).map((k) => ({
            x: k,
            y: (rows[0] as ComparisonRow).metrics.test.cutoffs[k]?.[group].recall ?? Number.NaN,
          })),
        }))
      : rows.map((row) => ({
          name: row.name,
          points: cutoffsOf(row).map((k) => ({
            x: k,
            y: row.metrics.test.cutoffs[k]?.all.recall ?? Number.NaN,
          })),
        }));
  const chart = lineChartSvg({
    title: 'Test Recall@K',
    xLabel: 'K (log scale)',
    yLabel: 'Recall@K',
    logX: true,
    series,
  });
  return { title: 'Recall at several K', html: chart };
}

function bucketSection(rows: ComparisonRow[], k: number): ReportSection {
  const labels = rows[0]?.metrics.popularityBuckets.map((b) => b.label) ?? [];
  const chart = barChartSvg({
    title: `Test Recall@${k} by item popularity (training clicks)`,
    xLabel: 'training clicks of the held-out item',
    yLabel: `Recall@${k}`,
    categories: labels,
    series: rows.map((row) => ({
      name: row.name,
      values: labels.map(
        (label) => row.metrics.popularityBuckets.find((b) => b.label === label)?.recall ?? Number.NaN,
      ),
    })),
  });
  const counts = rows[0]?.metrics.popularityBuckets.map((b) => `${b.label}: ${b.heldOut}`).join(', ') ?? '';
  return {
    title: 'Recall by popularity bucket',
    html: `${chart}<p class="sub">held-out pairs per bucket: ${counts}</p>`,
  };
}

/** Gate value vs popularity scatter (warm and cold items). */
export function gateSection(options: GatePlot): ReportSection {
  const warmPoints: { x: number; y: number }[] = [];
  const coldPoints: { x: number; y: number }[] = [];
  for (const [i, g] of options.gates.entries()) {
    (options.warm[i] === 1 ? warmPoints : coldPoints).push({ x: options.popularity[i] as number, y: g });
  }
  const coldGates = coldPoints.map((p) => p.y);
  const chart = scatterChartSvg({
    title: `${options.name}: gate g (content share) vs item popularity`,
    xLabel: 'training clicks (log scale; cold items have none: the strip on the left)',
    yLabel: 'gate g',
    logX: true,
    series: [{ name: 'warm items', points: warmPoints }],
    ...(coldGates.length > 0 ? { strip: { name: 'cold items', values: coldGates } } : {}),
  });
  const s = options.spearman;
  const sorted = [...coldGates].sort((a, b) => a - b);
  const coldNote =
    sorted.length > 0
      ? `<p class="sub">${sorted.length} cold items: g min ${(sorted[0] as number).toFixed(4)}, median ${(sorted[sorted.length >> 1] as number).toFixed(4)}, max ${(sorted[sorted.length - 1] as number).toFixed(4)}${(sorted[sorted.length - 1] as number) - (sorted[0] as number) < 1e-4 ? ' (all equal: a cold item has zero statistics, so every cold item gets the same gate input)' : ''}</p>`
      : '';
  const note =
    (s
      ? `<p class="sub">Spearman(g, popularity): warm items ${s.warm.toFixed(3)}, all items ${s.all.toFixed(3)}</p>`
      : '') + coldNote;
  return { title: `Gate vs popularity (${options.name})`, html: chart + note };
}

/** report.html of one training run. */
export function renderRunReport(options: FinishedRun): string {
  const { config, data, metrics, evaluation } = options;
  const rows = [{ name: modelKindLabel(config.model.kind), metrics }];
  const sections: ReportSection[] = [
    {
      title: `Test metrics at K = ${config.eval.k}`,
      html: markdownTableToHtml(comparisonMarkdown({ rows, k: config.eval.k })),
    },
    lossSection(rows, config.eval.k),
    recallAtKSection(rows),
    bucketSection(rows, config.eval.k),
  ];
  if (evaluation.gates) {
    sections.push(
      gateSection({
        gates: evaluation.gates,
        popularity: data.popularity,
        warm: options.warm,
        name: modelKindLabel(config.model.kind),
        ...(metrics.gateSpearman ? { spearman: metrics.gateSpearman } : {}),
      }),
    );
  }
  sections.push({ title: 'Configuration', html: `<pre>${toJson(config).replaceAll('<', '&lt;')}</pre>` });
  return renderReportHtml({
    title: `mmrecall-train: ${modelKindLabel(config.model.kind)} on ${data.name}`,
    subtitle: [
      data.summary,
      `backend ${metrics.backend}, best epoch ${metrics.training.bestEpoch}, ${metrics.training.seconds.toFixed(1)} s`,
    ],
    sections,
  });
}

/** comparison.html: table, the extra tables, curves, buckets, gate plots. */
export function renderComparisonReport(options: ComparisonReport): string {
  const sections: ReportSection[] = [
    {
      title: `Comparison at K = ${options.k} (test split)`,
      html: markdownTableToHtml(comparisonMarkdown({ rows: options.rows, k: options.k })),
    },
    ...options.tables.map((table) => ({ title: table.title, html: markdownTableToHtml(table.markdown) })),
    lossSection(options.rows, options.k),
    recallAtKSection(options.rows),
    bucketSection(options.rows, options.k),
    ...options.gates.map((g) => gateSection(g)),
  ];
  return renderReportHtml({ title: options.title, subtitle: options.subtitle, sections });
}

/** clusters.html: the table, and validation loss and test Recall against the leaf count. */
export function renderClusterReport(options: ClusterExperimentReport): string {
  const { rows, data, config, markdown } = options;
  const k = config.eval.k;
  const nodeRows = rows.filter((row) => row.leaves !== undefined);
  const xs = nodeRows.map((row) => Math.log10(row.leaves as number));
  const span = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const flat = (row: ClusterExperimentRow | undefined, value: (r: ClusterExperimentRow) => number) =>
    row ? span.map((x) => ({ x: x as number, y: value(row) })) : [];
  const chart = (title: string, yLabel: string, value: (r: ClusterExperimentRow) => number): string =>
    lineChartSvg({
      title,
      xLabel: 'log10(leaf count)',
      yLabel,
      series: [
        {
          name: 'node ids',
          points: nodeRows.map((row) => ({ x: Math.log10(row.leaves as number), y: value(row) })),
        },
        { name: 'ID-only', points: flat(rows[0], value) },
        { name: 'raw vectors', points: flat(rows[1], value) },
      ],
    });
  return renderReportHtml({
    title: `mmrecall-train experiment clusters on ${data.name}`,
    subtitle: [data.summary, `backend ${options.backend}`],
    sections: [
      { title: 'Results', html: markdownTableToHtml(markdown) },
      {
        title: 'Validation loss and Recall vs leaf count',
        html: `<div class="charts">${chart('Validation loss vs leaf count', 'validation loss', (r) => r.validLoss)}${chart(`Test Recall@${k} vs leaf count`, `Recall@${k}`, (r) => r.recall)}</div>`,
      },
      { title: 'Configuration', html: `<pre>${escapeHtml(toJson(config))}</pre>` },
    ],
  });
}
