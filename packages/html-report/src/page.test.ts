import { describe, expect, it } from 'vitest';
import { escapeHtml } from './escape-html';
import { markdownTableToHtml, renderReportHtml } from './page';

describe('markdownTableToHtml', () => {
  it('turns a pipe table into header and body rows, numbers right-aligned, text escaped', () => {
    const html = markdownTableToHtml('| model | Recall@20 |\n|---|---:|\n| a <b> \\| c | 0.3077 |\n');
    expect(html).toBe(
      '<table><thead><tr><th>model</th><th>Recall@20</th></tr></thead><tbody>' +
        '<tr><td>a &lt;b&gt; | c</td><td class="num">0.3077</td></tr></tbody></table>',
    );
  });

  it('keeps text that is not a table as preformatted text', () => {
    expect(markdownTableToHtml('no table & here')).toBe('<pre>no table &amp; here</pre>');
  });
});

describe('renderReportHtml', () => {
  it('writes one self-contained page: escaped title and subtitles, sections in order, no external resources', () => {
    const page = renderReportHtml({
      title: 'run <1>',
      subtitle: ['data "x"', 'backend wasm'],
      sections: [
        { title: 'first', html: '<p>one</p>' },
        { title: 'second & last', html: '<svg></svg>' },
      ],
    });
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<title>run &lt;1&gt;</title>');
    expect(page).toContain('<p class="sub">data &quot;x&quot;</p>\n<p class="sub">backend wasm</p>');
    expect(page.indexOf('<h2>first</h2>\n<p>one</p>')).toBeLessThan(
      page.indexOf('<h2>second &amp; last</h2>'),
    );
    expect(page).not.toMatch(/<script|<link|src="http/);
    expect(escapeHtml(`&<>"`)).toBe('&amp;&lt;&gt;&quot;');
  });
});
