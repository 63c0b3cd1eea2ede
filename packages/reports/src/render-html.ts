import { CAUSE_TEXT } from './cause-text.js';
import { CAUSES } from './causes.js';
import { escapeHtml as h } from './escape.js';
import type { Report } from './report-schema.js';
import { CAUSE_COLORS, dailyTrendSvg } from './svg-chart.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2833;margin:2rem auto;max-width:960px;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d5d8dc;padding-bottom:.2rem}
.meta{color:#566573}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d5d8dc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px/1.3 ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.35em;vertical-align:baseline;border-radius:2px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
.cause{border-left:4px solid;padding:.2rem .8rem;margin:.8rem 0}
.empty{color:#566573;font-style:italic}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}table,.cause,svg{break-inside:avoid}
svg rect.bar{-webkit-print-color-adjust:exact;print-color-adjust:exact}a{color:inherit;text-decoration:none}}
`;

const n = (value: number): string => `<td class="n">${value.toLocaleString('en-US')}</td>`;
const swatch = (color: string): string =>
  `<span class="swatch" style="background:${color}"></span>`;

/** A self-contained page: inline CSS and SVG, no script, no external resource. */
export function renderHtml(report: Report): string {
  const title = `Ownership-denied report for ${report.account_id}`;
  const present = CAUSES.filter((cause) => report.totals.by_cause[cause] > 0);
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${h(title)}</h1>`,
    `<p class="meta">Period ${h(report.period.since)} to ${h(report.period.until)} (UTC) · generated ${h(report.generated_at)} · report version ${report.report_version}</p>`,
    `<p>${report.totals.denials.toLocaleString('en-US')} requests of ${report.totals.keys} key(s) were answered <code>403 ownership_denied</code> in this period.</p>`,
  ];

  out.push('<h2>Causes and what to do</h2>');
  if (present.length === 0) out.push('<p class="empty">No denials in this period.</p>');
  for (const summary of report.causes) {
    out.push(
      `<div class="cause" style="border-color:${CAUSE_COLORS[summary.cause]}">`,
      `<h3>${swatch(CAUSE_COLORS[summary.cause])}${h(summary.title)}: ${summary.denials.toLocaleString('en-US')} denials, ${summary.keys} key(s)</h3>`,
      `<p>${h(summary.meaning)}</p><p><strong>What to do:</strong> ${h(summary.remediation)}</p></div>`,
    );
  }

  out.push('<h2>Daily trend</h2>', dailyTrendSvg(report.daily), '<ul class="legend">');
  for (const cause of CAUSES) {
    out.push(`<li>${swatch(CAUSE_COLORS[cause])}${h(CAUSE_TEXT[cause].title)}</li>`);
  }
  out.push('</ul>');

  out.push('<h2>Keys</h2>');
  if (report.keys.length === 0) out.push('<p class="empty">No key was denied.</p>');
  else {
    out.push(
      '<table><thead><tr><th>Key</th><th>Requests</th><th>Denials</th><th>Cause</th><th>Denials</th><th>Distinct IDs</th><th>Other accounts’ resources</th><th>First / last seen</th><th>Sample IDs</th></tr></thead><tbody>',
    );
    for (const key of report.keys) {
      key.causes.forEach((entry, i) => {
        const head =
          i === 0
            ? `<td rowspan="${key.causes.length}"><code>${h(key.key_id)}</code>${key.scanning_reason ? `<br><small>scanning: ${h(key.scanning_reason)}</small>` : ''}</td>` +
              `<td class="n" rowspan="${key.causes.length}">${key.requests.toLocaleString('en-US')}</td>` +
              `<td class="n" rowspan="${key.causes.length}">${key.denials.toLocaleString('en-US')}</td>`
            : '';
        const foreign =
          entry.other_account_resources > 0
            ? `${entry.other_account_resources} of ${entry.other_accounts} account(s)`
            : '–';
        out.push(
          `<tr>${head}<td>${swatch(CAUSE_COLORS[entry.cause])}${h(CAUSE_TEXT[entry.cause].title)}</td>${n(entry.denials)}${n(entry.distinct_ids)}<td>${h(foreign)}</td>`,
          `<td>${h(entry.first_seen)}<br>${h(entry.last_seen)}</td>`,
          `<td>${entry.sample_ids.map((id) => `<code>${h(id)}</code>`).join('<br>') || '–'}</td></tr>`,
        );
      });
    }
    out.push('</tbody></table>');
  }

  out.push('<h2>Top resource patterns</h2>');
  if (report.top_patterns.length === 0) out.push('<p class="empty">None.</p>');
  else {
    out.push(
      `<table><thead><tr><th>Pattern</th><th>Denials</th>${CAUSES.map((c) => `<th>${h(CAUSE_TEXT[c].title)}</th>`).join('')}</tr></thead><tbody>`,
    );
    for (const row of report.top_patterns) {
      out.push(
        `<tr><td><code>${h(row.pattern || '(none)')}</code></td>${n(row.denials)}${CAUSES.map((c) => n(row.by_cause[c])).join('')}</tr>`,
      );
    }
    out.push('</tbody></table>');
  }

  out.push(
    '<p class="meta">Resources of other accounts are counted, never named. Sample IDs are IDs that do not exist, whose owner is unknown, or that belong to this account.</p>',
    '</body></html>',
  );
  return `${out.join('\n')}\n`;
}
