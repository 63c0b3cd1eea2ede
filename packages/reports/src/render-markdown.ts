import { CAUSE_TEXT } from './cause-text.js';
import { CAUSES } from './causes.js';
import { escapeMarkdown as m } from './escape.js';
import type { Report } from './report-schema.js';

const fmt = (value: number): string => value.toLocaleString('en-US');
/** Untrusted values in code style would let a backtick break out; escaped text is safer. */
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

export function renderMarkdown(report: Report): string {
  const out: string[] = [
    `# Ownership-denied report for ${m(report.account_id)}`,
    '',
    `Period ${m(report.period.since)} to ${m(report.period.until)} (UTC). Generated ${m(report.generated_at)}, report version ${report.report_version}.`,
    '',
    `${fmt(report.totals.denials)} requests of ${report.totals.keys} key(s) were answered 403 ownership\\_denied in this period.`,
    '',
    '## Causes and what to do',
    '',
  ];
  if (report.causes.length === 0) out.push('No denials in this period.', '');
  for (const summary of report.causes) {
    out.push(
      `### ${m(summary.title)}: ${fmt(summary.denials)} denials, ${summary.keys} key(s)`,
      '',
      m(summary.meaning),
      '',
      `**What to do:** ${m(summary.remediation)}`,
      '',
    );
  }

  out.push('## Daily trend', '');
  out.push(row(['Day', 'Denials', ...CAUSES.map((c) => m(CAUSE_TEXT[c].title))]));
  out.push(row(['---', '---:', ...CAUSES.map(() => '---:')]));
  for (const day of report.daily) {
    out.push(row([day.day, fmt(day.denials), ...CAUSES.map((c) => fmt(day.by_cause[c]))]));
  }
  out.push('');

  out.push('## Keys', '');
  if (report.keys.length === 0) out.push('No key was denied.', '');
  else {
    out.push(
      row([
        'Key',
        'Requests',
        'Cause',
        'Denials',
        'Distinct IDs',
        'Other accounts’ resources',
        'First seen',
        'Last seen',
        'Sample IDs',
      ]),
      row(['---', '---:', '---', '---:', '---:', '---:', '---', '---', '---']),
    );
    for (const key of report.keys) {
      for (const entry of key.causes) {
        out.push(
          row([
            m(key.key_id),
            fmt(key.requests),
            m(CAUSE_TEXT[entry.cause].title),
            fmt(entry.denials),
            fmt(entry.distinct_ids),
            entry.other_account_resources > 0
              ? `${fmt(entry.other_account_resources)} of ${fmt(entry.other_accounts)} account(s)`
              : '–',
            m(entry.first_seen),
            m(entry.last_seen),
            entry.sample_ids.map(m).join(', ') || '–',
          ]),
        );
      }
    }
    out.push('');
  }

  out.push('## Top resource patterns', '');
  if (report.top_patterns.length === 0) out.push('None.', '');
  else {
    out.push(row(['Pattern', 'Denials', ...CAUSES.map((c) => m(CAUSE_TEXT[c].title))]));
    out.push(row(['---', '---:', ...CAUSES.map(() => '---:')]));
    for (const pattern of report.top_patterns) {
      out.push(
        row([
          m(pattern.pattern || '(none)'),
          fmt(pattern.denials),
          ...CAUSES.map((c) => fmt(pattern.by_cause[c])),
        ]),
      );
    }
    out.push('');
  }
  out.push(
    'Resources of other accounts are counted, never named. Sample IDs are IDs that do not exist, whose owner is unknown, or that belong to this account.',
    '',
  );
  return out.join('\n');
}
