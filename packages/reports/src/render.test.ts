import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown } from './escape.js';
import { fixtureReport } from './fixtures.test-helpers.js';
import { renderReport } from './render.js';
import { reportSchema } from './report-schema.js';
import { dailyTrendSvg, niceMax } from './svg-chart.js';

describe('escaping', () => {
  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('keeps Markdown table cells whole', () => {
    expect(escapeMarkdown('a|b`c`\nd')).toBe('a\\|b\\`c\\` d');
    expect(escapeMarkdown('<img src=x onerror=alert(1)>')).not.toContain('<');
  });
});

describe('renderReport', () => {
  const report = fixtureReport();

  it('html: self-contained, hostile IDs escaped, printable', () => {
    const { body, contentType } = renderReport(report, 'html');
    expect(contentType).toBe('text/html; charset=utf-8');
    expect(body).not.toContain('<script');
    expect(body).not.toContain('<b>evil');
    expect(body).toContain('inv_&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;|`tick`');
    expect(body).toContain('key_live_&quot;quoted&#39;');
    expect(body).toContain('@media print');
    expect(body).toMatch(/<svg [^>]*role="img"/);
    expect(body).not.toMatch(/(src|href)=/);
    expect(body).toContain('Pair each key with its owning account');
  });

  it('md: no raw pipe, backtick or tag from data', () => {
    const { body, contentType } = renderReport(report, 'md');
    expect(contentType).toBe('text/markdown; charset=utf-8');
    expect(body).toContain(
      'inv\\_&lt;script&gt;alert\\(&quot;x&quot;\\)&lt;/script&gt;\\|\\`tick\\`',
    );
    expect(body).not.toContain('<script');
    expect(body).toContain('acct\\_&lt;b&gt;evil&lt;/b&gt;\\|x');
    // Every table row of the keys table has its 9 cells: no pipe from data split one.
    const keyRow = body.split('\n').find((line) => line.startsWith('| key\\_live'));
    expect(keyRow?.split(/(?<!\\)\|/).length).toBe(11);
  });

  it('json: valid against the schema, version 1, no raw <', () => {
    const { body, contentType } = renderReport(report, 'json');
    expect(contentType).toBe('application/json; charset=utf-8');
    expect(body).not.toContain('<');
    const parsed = reportSchema.parse(JSON.parse(body));
    expect(parsed).toEqual(report);
    expect(parsed.report_version).toBe(1);
  });

  it('the schema rejects a wrong version and unknown causes', () => {
    expect(reportSchema.safeParse({ ...report, report_version: 2 }).success).toBe(false);
    const badKeys = [{ ...report.keys[0], main_cause: 'weather' }];
    expect(reportSchema.safeParse({ ...report, keys: badKeys }).success).toBe(false);
  });
});

describe('dailyTrendSvg', () => {
  it('stacks one bar segment per cause and day, scaled to a nice maximum', () => {
    const svg = dailyTrendSvg(fixtureReport().daily);
    const bars = [
      ...svg.matchAll(
        /<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g,
      ),
    ];
    // Day 1: stale 5 + another-account 3; day 2: stale 4.
    expect(bars).toHaveLength(3);
    const heights = bars.map((m) => Number(m[2]));
    // Axis max 10, plot height 200, causes stacked in precedence order: 3 → 60, 5 → 100, 4 → 80.
    expect(heights).toEqual([60, 100, 80]);
    // The second segment of day 1 sits on top of the first.
    expect(Number(bars[0]?.[1]) - Number(bars[1]?.[1])).toBeCloseTo(100, 1);
    expect(svg).toContain('<title>2026-03-01 Stale or deleted IDs: 5</title>');
    expect(svg).not.toMatch(/<script|href=/);
  });

  it('draws an empty chart for a period without denials', () => {
    const svg = dailyTrendSvg([]);
    expect(svg).toMatch(/^<svg /);
    expect(svg).not.toContain('class="bar"');
  });

  it('rounds axis maxima to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 8, 12, 180, 2001].map(niceMax)).toEqual([1, 1, 5, 10, 20, 200, 5000]);
  });
});
