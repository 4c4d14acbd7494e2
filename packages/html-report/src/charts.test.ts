import { describe, expect, it } from 'vitest';
import { barChartSvg, lineChartSvg, paddedRange, scatterChartSvg } from './charts';

/** Numbers of an attribute over the SVG's elements of one tag. */
function attributes(svg: string, tag: string, name: string): number[] {
  return [...svg.matchAll(new RegExp(`<${tag} [^>]*${name}="([-\\d.]+)"`, 'g'))].map((match) =>
    Number(match[1]),
  );
}

/** The plot frame: the first rect with stroke #999. */
function plotFrame(svg: string): { top: number; bottom: number; left: number; right: number } {
  const match = svg.match(
    /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none" stroke="#999"\/>/,
  );
  if (!match) throw new Error('no plot frame');
  const [left, top, width, height] = match.slice(1).map(Number) as [number, number, number, number];
  return { top, bottom: top + height, left, right: left + width };
}

describe('report charts', () => {
  it('paddedRange leaves room above the highest value and ends on a tick', () => {
    expect(paddedRange(0, 0.3077)).toEqual([0, 0.4]); // step 0.1; 0.3077 + 4% = 0.32 -> next tick 0.4
    expect(paddedRange(0, 100)).toEqual([0, 120]);
    expect(paddedRange(0.5, 0.9)).toEqual([0.5, 1]);
    expect(paddedRange(-2, 2)[0]).toBe(-2);
  });

  it('the highest bar ends below the top of the frame', () => {
    const svg = barChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      categories: ['a', 'b'],
      series: [{ name: 's', values: [0.2, 0.5] }],
    });
    const { top } = plotFrame(svg);
    const bars = attributes(svg, 'rect', 'y').slice(1); // first rect is the frame
    expect(Math.min(...bars)).toBeGreaterThan(top + 2);
  });

  it('epoch ticks are integers, the legend row is above the plot, and the best epoch is marked', () => {
    const svg = lineChartSvg({
      title: 'recall',
      xLabel: 'epoch',
      yLabel: 'r',
      integerX: true,
      markers: [{ x: 2, label: 'best epoch 2' }],
      series: [
        { name: 'all items', points: [1, 2, 3].map((x) => ({ x, y: x / 10 })) },
        { name: 'cold items', points: [1, 2, 3].map((x) => ({ x, y: x / 20 })) },
      ],
    });
    const labels = [...svg.matchAll(/font-size="10"[^>]*>([^<]+)<\/text>/g)].map((match) => match[1]);
    expect(labels).toEqual(
      expect.arrayContaining(['1', '2', '3', 'all items', 'cold items', 'best epoch 2']),
    );
    expect(labels).not.toContain('1.5');
    const { top } = plotFrame(svg);
    const legendRects = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="10" height="10"/g)].map((m) =>
      Number(m[1]),
    );
    expect(legendRects).toHaveLength(2);
    for (const y of legendRects) expect(y + 10).toBeLessThanOrEqual(top);
    // The data points all lie inside the frame, below its top.
    for (const cy of attributes(svg, 'circle', 'cy')) expect(cy).toBeGreaterThan(top);
    expect(svg).toMatch(/stroke-dasharray="4 3"/);
  });

  it('cold items with the same x show as a strip of distinct points, one per item', () => {
    const cold = Array.from({ length: 349 }, () => 0.93);
    const svg = scatterChartSvg({
      title: 'gate',
      xLabel: 'clicks',
      yLabel: 'g',
      logX: true,
      series: [
        {
          name: 'warm items',
          points: [
            { x: 5, y: 0.2 },
            { x: 50, y: 0.1 },
          ],
        },
      ],
      strip: { name: 'cold items', values: cold },
    });
    const xs = attributes(svg, 'circle', 'cx');
    expect(xs).toHaveLength(351);
    const stripXs = new Set(xs.slice(0, 349).map((x) => x.toFixed(1)));
    expect(stripXs.size).toBeGreaterThan(100); // spread out, not one point in a corner
    const { left } = plotFrame(svg);
    expect(Math.min(...xs)).toBeGreaterThan(left);
    expect(svg).toMatch(/>cold items \(349\)</);
  });
});
