// A self-contained report page: a line chart, a bar chart and a table, written to runs/examples.
import { mkdirSync, writeFileSync } from 'node:fs';
import { barChartSvg, lineChartSvg, markdownTableToHtml, renderReportHtml } from '@mmrecall/html-report';

const loss = lineChartSvg({
  title: 'Training loss per epoch',
  xLabel: 'epoch',
  yLabel: 'mean loss',
  integerX: true,
  series: [{ name: 'gated additive', points: [3.1, 2.4, 2.1, 2.0].map((y, i) => ({ x: i + 1, y })) }],
});
const buckets = barChartSvg({
  title: 'Recall@20 by popularity',
  xLabel: 'training clicks',
  yLabel: 'Recall@20',
  categories: ['0', '1-9', '10+'],
  series: [{ name: 'gated additive', values: [0.26, 0.31, 0.35] }],
});
const page = renderReportHtml({
  title: 'An example report',
  subtitle: ['made-up numbers'],
  sections: [
    { title: 'Curves', html: `<div class="charts">${loss}${buckets}</div>` },
    {
      title: 'Table',
      html: markdownTableToHtml('| model | Recall@20 |\n|---|---:|\n| gated additive | 0.3077 |'),
    },
  ],
});
mkdirSync('runs/examples', { recursive: true });
writeFileSync('runs/examples/report.html', page);
console.log(`runs/examples/report.html: ${page.length} characters, ${page.match(/<svg /g)?.length} charts`);
