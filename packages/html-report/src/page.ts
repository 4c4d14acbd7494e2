import { escapeHtml } from './escape-html';

/** Converts a markdown pipe table to an HTML table. */
export function markdownTableToHtml(markdown: string): string {
  const lines = markdown
    .trim()
    .split('\n')
    .filter((line) => line.trim().startsWith('|'));
  if (lines.length < 2) return `<pre>${escapeHtml(markdown)}</pre>`;
  const cells = (line: string): string[] =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replaceAll('\\|', '|'));
  const header = cells(lines[0] as string);
  const body = lines.slice(2).map(cells);
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => `<td${i > 0 ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

/** A section of the report: a heading and raw HTML (tables, inline SVG, paragraphs). */
export interface ReportSection {
  /** Heading. */
  title: string;
  /** HTML body (already escaped where needed). */
  html: string;
}

/** Options of {@link renderReportHtml}. */
export interface RenderReportOptions {
  /** Page title. */
  title: string;
  /** Short lines under the title (data set, backend, ...); escaped. */
  subtitle: string[];
  /** Sections in order. */
  sections: ReportSection[];
}

/** A self-contained HTML page (inline CSS and SVG, no external resources). */
export function renderReportHtml(options: RenderReportOptions): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 6px}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}.charts{display:flex;flex-wrap:wrap;gap:12px}
.sub{color:#555;font-size:12px;margin:2px 0}pre{font-size:11px;background:#f8f8f8;padding:8px;overflow:auto}
</style></head><body>
<h1>${escapeHtml(options.title)}</h1>
${options.subtitle.map((line) => `<p class="sub">${escapeHtml(line)}</p>`).join('\n')}
${options.sections.map((section) => `<h2>${escapeHtml(section.title)}</h2>\n${section.html}`).join('\n')}
</body></html>
`;
}
