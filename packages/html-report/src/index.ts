export {
  type BarChartOptions,
  barChartSvg,
  CHART_COLORS,
  type ChartSeries,
  type LineChartOptions,
  lineChartSvg,
  paddedRange,
  type ScatterChartOptions,
  scatterChartSvg,
} from './charts';
export { escapeHtml } from './escape-html';
export { markdownTableToHtml, type RenderReportOptions, type ReportSection, renderReportHtml } from './page';
