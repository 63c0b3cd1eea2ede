import { CAUSE_TEXT } from './cause-text.js';
import { CAUSES, type Cause } from './causes.js';
import { escapeHtml } from './escape.js';
import type { Report } from './report-schema.js';

export const CAUSE_COLORS: Record<Cause, string> = {
  scanning: '#c0392b',
  'other-environment': '#8e44ad',
  'another-account': '#d68910',
  'test-traffic': '#17a589',
  'stale-ids': '#2874a6',
  unexplained: '#7f8c8d',
};

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 16, right: 12, bottom: 24, left: 48 };

/** A rounded-up axis maximum: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/**
 * The daily trend as a stacked bar chart (one bar per day, one segment per cause), inline SVG
 * with no script and no external reference (the legend is the page's). Every text is escaped.
 */
export function dailyTrendSvg(daily: Report['daily']): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...daily.map((d) => d.denials)));
  const slot = daily.length === 0 ? plotW : plotW / daily.length;
  const barW = Math.max(1, Math.min(40, slot * 0.7));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const parts: string[] = [];

  for (const tick of [0, max / 2, max]) {
    const ty = y(tick).toFixed(1);
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${ty}" y2="${ty}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" font-size="11">${escapeHtml(String(tick))}</text>`,
    );
  }
  const labelEvery = Math.max(1, Math.ceil(daily.length / 12));
  daily.forEach((day, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    let base = 0;
    for (const cause of CAUSES) {
      const value = day.by_cause[cause];
      if (value <= 0) continue;
      const top = y(base + value);
      const height = y(base) - top;
      parts.push(
        `<rect class="bar" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${height.toFixed(1)}" fill="${CAUSE_COLORS[cause]}"><title>${escapeHtml(`${day.day} ${CAUSE_TEXT[cause].title}: ${value}`)}</title></rect>`,
      );
      base += value;
    }
    if (i % labelEvery === 0) {
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${HEIGHT - PAD.bottom + 14}" text-anchor="middle" font-size="10">${escapeHtml(day.day.slice(5))}</text>`,
      );
    }
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="Denials per day and cause">`,
    ...parts,
    '</svg>',
  ].join('');
}
