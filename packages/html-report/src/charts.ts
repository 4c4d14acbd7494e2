import { escapeHtml } from './escape-html';

/** One named series of points. */
export interface ChartSeries {
  /** Legend label. */
  name: string;
  /** Points (x, y); NaN y values are skipped. */
  points: { x: number; y: number }[];
}

/** The chart palette, in series order. */
export const CHART_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
];
const WIDTH = 560;
const HEIGHT = 300;
const MARGIN = { left: 56, right: 16, top: 28, bottom: 44 };
/** Height of the legend row between the title and the plot (legends never sit on the data). */
const LEGEND_ROW = 16;

function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-12; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Tick step of {@link niceTicks}. */
function niceStep(min: number, max: number, count = 5): number {
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
}

/**
 * An axis range that contains the data with room above the highest value: the top is the next
 * tick at or above max + 4% of the span, so the highest bar or curve point is never on the frame.
 */
export function paddedRange(min: number, max: number): [number, number] {
  if (!(max > min)) return [min, max];
  const step = niceStep(min, max);
  const top = Math.ceil((max + 0.04 * (max - min)) / step - 1e-9) * step;
  const bottom = min >= 0 ? Math.max(0, Math.floor(min / step) * step) : Math.floor(min / step) * step;
  return [Number(bottom.toPrecision(12)), Number(top.toPrecision(12))];
}

/** Integer ticks from a to b, at most about 10 of them. */
function integerTicks(a: number, b: number): { value: number; label: string }[] {
  const from = Math.ceil(a);
  const to = Math.floor(b);
  const step = Math.max(1, Math.ceil((to - from + 1) / 10));
  const ticks: { value: number; label: string }[] = [];
  for (let t = from; t <= to; t += step) ticks.push({ value: t, label: String(t) });
  return ticks;
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toExponential(0);
  if (abs >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(2)));
}

interface Frame {
  sx: (x: number) => number;
  sy: (y: number) => number;
  parts: string[];
}

function frame(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  xRange: [number, number];
  yRange: [number, number];
  xTicks?: { value: number; label: string }[];
  /** Series names for a legend row above the plot. */
  legend?: string[];
  /** Colour per legend entry (default: the palette in order). */
  legendColors?: string[];
}): Frame {
  const [x0, x1] = options.xRange;
  const [y0, y1] = options.yRange;
  const top = MARGIN.top + (options.legend && options.legend.length > 0 ? LEGEND_ROW : 0);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - top - MARGIN.bottom;
  const sx = (x: number): number => MARGIN.left + (x1 === x0 ? plotW / 2 : ((x - x0) / (x1 - x0)) * plotW);
  const sy = (y: number): number => top + plotH - (y1 === y0 ? plotH / 2 : ((y - y0) / (y1 - y0)) * plotH);
  const parts: string[] = [];
  parts.push(
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(options.title)}</text>`,
  );
  if (options.legend && options.legend.length > 0) parts.push(legend(options.legend, options.legendColors));
  parts.push(
    `<rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  );
  for (const t of niceTicks(y0, y1)) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left - 4}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" font-size="10">${formatTick(t)}</text>`,
    );
  }
  const xTicks = options.xTicks ?? niceTicks(x0, x1).map((value) => ({ value, label: formatTick(value) }));
  for (const t of xTicks) {
    parts.push(
      `<text x="${sx(t.value).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 14}" text-anchor="middle" font-size="10">${escapeHtml(t.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle" font-size="11">${escapeHtml(options.xLabel)}</text>`,
  );
  parts.push(
    `<text x="12" y="${MARGIN.top + plotH / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${MARGIN.top + plotH / 2})">${escapeHtml(options.yLabel)}</text>`,
  );
  return { sx, sy, parts };
}

/** One row of legend entries between the title and the plot, laid out left to right. */
function legend(names: string[], colors?: string[]): string {
  let x = MARGIN.left;
  const y = MARGIN.top + 4;
  return names
    .map((name, i) => {
      const entry = `<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${colors?.[i] ?? CHART_COLORS[i % CHART_COLORS.length]}"/><text x="${x + 14}" y="${y + 1}" font-size="10">${escapeHtml(name)}</text>`;
      x += 24 + name.length * 6;
      return entry;
    })
    .join('');
}

function svg(parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">${parts.join('')}</svg>`;
}

function extent(values: number[], padZero = false): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (min > max) return [0, 1];
  if (padZero) min = Math.min(0, min);
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  return [min, max];
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  /** Chart title. */
  title: string;
  /** x axis label. */
  xLabel: string;
  /** y axis label. */
  yLabel: string;
  /** Series. */
  series: (ChartSeries & { dashed?: boolean; color?: string })[];
  /** x values are counts (epochs): integer ticks only. */
  integerX?: boolean;
  /** Vertical dashed markers, e.g. the best epoch. */
  markers?: { x: number; label: string }[];
  /** Plot x on a log10 axis (for K = 1, 5, 10, 50, ...). */
  logX?: boolean;
}

/** A line chart with markers, one colour per series; the legend sits above the plot. */
export function lineChartSvg(options: LineChartOptions): string {
  const all = options.series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y)));
  const tx = (x: number): number => (options.logX ? Math.log10(x) : x);
  let xRange = extent(all.map((p) => tx(p.x)));
  if (options.integerX && xRange[1] - xRange[0] < 1) xRange = [xRange[0] - 0.5, xRange[1] + 0.5];
  const yExtent = extent(
    all.map((p) => p.y),
    true,
  );
  const xTicks = options.integerX
    ? integerTicks(xRange[0], xRange[1])
    : options.logX
      ? [...new Set(all.map((p) => p.x))]
          .sort((a, b) => a - b)
          .map((x) => ({ value: tx(x), label: String(x) }))
      : undefined;
  const yRange = paddedRange(yExtent[0], yExtent[1]);
  const f = frame({
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
    xRange,
    yRange,
    ...(xTicks ? { xTicks } : {}),
    legend: options.series.map((s) => s.name),
    legendColors: options.series.map((s, i) => s.color ?? (CHART_COLORS[i % CHART_COLORS.length] as string)),
  });
  const [yBottom, yTop] = yRange;
  for (const marker of options.markers ?? []) {
    const x = f.sx(tx(marker.x));
    f.parts.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${f.sy(yTop).toFixed(1)}" y2="${f.sy(yBottom).toFixed(1)}" stroke="#555" stroke-dasharray="4 3"/><text x="${(x + 3).toFixed(1)}" y="${(f.sy(yBottom) - 4).toFixed(1)}" font-size="10" fill="#555">${escapeHtml(marker.label)}</text>`,
    );
  }
  options.series.forEach((series, i) => {
    const color = series.color ?? CHART_COLORS[i % CHART_COLORS.length];
    const dash = series.dashed ? ' stroke-dasharray="5 3"' : '';
    const points = series.points.filter((p) => Number.isFinite(p.y));
    if (points.length > 1) {
      f.parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.map((p) => `${f.sx(tx(p.x)).toFixed(1)},${f.sy(p.y).toFixed(1)}`).join(' ')}"/>`,
      );
    }
    for (const p of points)
      f.parts.push(
        `<circle cx="${f.sx(tx(p.x)).toFixed(1)}" cy="${f.sy(p.y).toFixed(1)}" r="3" fill="${color}"><title>${escapeHtml(`${series.name} at ${p.x}: ${p.y.toFixed(4)}`)}</title></circle>`,
      );
  });
  return svg(f.parts);
}

/** Options of {@link scatterChartSvg}. */
export interface ScatterChartOptions {
  /** Chart title. */
  title: string;
  /** x axis label. */
  xLabel: string;
  /** y axis label. */
  yLabel: string;
  /** Points; at most `maxPoints` are drawn (evenly strided). */
  series: ChartSeries[];
  /** Default 3000. */
  maxPoints?: number;
  /** Plot x as log10(1 + x). */
  logX?: boolean;
  /**
   * Values without an x (e.g. cold items, which all have 0 clicks) drawn as their own strip left of
   * the axis, spread horizontally so each point shows, with the count in the tick label.
   */
  strip?: { name: string; values: number[] };
}

/** Deterministic spread in [0, 1) for the k-th point of a strip (golden-ratio sequence). */
function spread(k: number): number {
  return (k * 0.6180339887498949) % 1;
}

/** A scatter plot (e.g. gate value vs item popularity); the legend sits above the plot. */
export function scatterChartSvg(options: ScatterChartOptions): string {
  const maxPoints = options.maxPoints ?? 3000;
  const tx = (x: number): number => (options.logX ? Math.log10(1 + x) : x);
  const all = options.series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y)));
  const strip = options.strip;
  const dataX = extent(
    all.map((p) => tx(p.x)),
    true,
  );
  // The strip takes a sixth of the width, left of the data, with a gap.
  const stripWidth = strip ? (dataX[1] - dataX[0]) * 0.2 : 0;
  const xRange: [number, number] = [dataX[0] - stripWidth, dataX[1]];
  const yExtent = extent([...all.map((p) => p.y), ...(strip?.values ?? [])]);
  const yRange = paddedRange(yExtent[0], yExtent[1]);
  const baseTicks = options.logX
    ? [0, 1, 10, 100, 1000, 10000, 100000]
        .filter((v) => tx(v) <= xRange[1] + 1e-9)
        .map((v) => ({ value: tx(v), label: String(v) }))
    : niceTicks(dataX[0], dataX[1]).map((value) => ({ value, label: formatTick(value) }));
  const xTicks = strip ? [{ value: dataX[0] - stripWidth * 0.55, label: 'none' }, ...baseTicks] : baseTicks;
  const names = options.series.map((s) => s.name);
  const f = frame({
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
    xRange,
    yRange,
    xTicks,
    ...(names.length > 1 || strip
      ? { legend: strip ? [...names, `${strip.name} (${strip.values.length})`] : names }
      : {}),
  });
  if (strip) {
    const color = CHART_COLORS[options.series.length % CHART_COLORS.length];
    const left = dataX[0] - stripWidth * 0.95;
    const width = stripWidth * 0.8;
    const stride = Math.max(1, Math.ceil(strip.values.length / maxPoints));
    for (let k = 0; k < strip.values.length; k += stride) {
      const y = strip.values[k] as number;
      if (!Number.isFinite(y)) continue;
      f.parts.push(
        `<circle cx="${f.sx(left + spread(k) * width).toFixed(1)}" cy="${f.sy(y).toFixed(1)}" r="2" fill="${color}" fill-opacity="0.45"/>`,
      );
    }
    const x = f.sx(dataX[0] - stripWidth * 0.1).toFixed(1);
    f.parts.push(
      `<line x1="${x}" x2="${x}" y1="${f.sy(yRange[1]).toFixed(1)}" y2="${f.sy(yRange[0]).toFixed(1)}" stroke="#bbb"/>`,
    );
  }
  options.series.forEach((series, i) => {
    const color = CHART_COLORS[i % CHART_COLORS.length];
    const stride = Math.max(1, Math.ceil(series.points.length / maxPoints));
    for (let k = 0; k < series.points.length; k += stride) {
      const p = series.points[k] as { x: number; y: number };
      if (!Number.isFinite(p.y)) continue;
      f.parts.push(
        `<circle cx="${f.sx(tx(p.x)).toFixed(1)}" cy="${f.sy(p.y).toFixed(1)}" r="2" fill="${color}" fill-opacity="0.45"/>`,
      );
    }
  });
  return svg(f.parts);
}

/** Options of {@link barChartSvg}. */
export interface BarChartOptions {
  /** Chart title. */
  title: string;
  /** y axis label. */
  yLabel: string;
  /** x axis label. */
  xLabel: string;
  /** Category labels along x. */
  categories: string[];
  /** One series per group member; `values[c]` for category c (NaN = no bar). */
  series: { name: string; values: number[] }[];
}

/** A grouped bar chart (e.g. recall by popularity bucket, one bar per model). */
export function barChartSvg(options: BarChartOptions): string {
  const { categories, series } = options;
  const values = series.flatMap((s) => s.values);
  const [low, high] = extent(values, true);
  const yRange = paddedRange(low, high);
  const n = Math.max(1, categories.length);
  const f = frame({
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
    xRange: [0, n],
    yRange,
    xTicks: categories.map((label, c) => ({ value: c + 0.5, label })),
    ...(series.length > 1 ? { legend: series.map((s) => s.name) } : {}),
  });
  const groupWidth = (f.sx(1) - f.sx(0)) * 0.8;
  const barWidth = groupWidth / Math.max(1, series.length);
  series.forEach((s, i) => {
    const color = CHART_COLORS[i % CHART_COLORS.length];
    s.values.forEach((value, c) => {
      if (!Number.isFinite(value)) return;
      const x = f.sx(c) + (f.sx(1) - f.sx(0)) * 0.1 + i * barWidth;
      const y = f.sy(Math.max(0, value));
      const h = Math.abs(f.sy(0) - f.sy(value));
      f.parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, barWidth - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${escapeHtml(`${s.name} ${categories[c]}: ${value.toFixed(4)}`)}</title></rect>`,
      );
    });
  });
  return svg(f.parts);
}
