/**
 * Tables over all seeds, in Markdown so that they can be pasted into docs/rules.md, and the
 * verdict a CI job acts on: every attack found, no false page.
 */
import { RULE_IDS } from '@denyscope/alerts';
import { EPISODE_CLASSES, CLASS_IDS } from '../traffic/episodes/catalog.js';
import type { AttackOutcome, SeedScore } from './score.js';

export interface RunInfo {
  date: string;
  seeds: number[];
  hours: number;
  accounts: number;
  lines: number;
  events: number;
  machine: string;
  replaySeconds: number;
  stepSeconds: number;
}

export interface Verdict {
  ok: boolean;
  problems: string[];
}

/** Nearest-rank percentile of durations; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

function ratio(found: number, of: number): string {
  return of === 0 ? '–' : (found / of).toFixed(2);
}

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function ttds(outcomes: readonly AttackOutcome[]): number[] {
  return outcomes.flatMap((o) => (o.ttdMs === null ? [] : [o.ttdMs]));
}

export function verdict(scores: readonly SeedScore[]): Verdict {
  const problems: string[] = [];
  const attacks = scores.flatMap((s) => s.attacks);
  const falsePages = scores.flatMap((s) => s.falsePages);
  const classById = new Map(
    scores.flatMap((s) => [...s.attacks, ...s.benign]).map((o) => [o.label.id, o.label.class]),
  );
  for (const classId of CLASS_IDS) {
    const mine = attacks.filter((o) => o.label.class === classId);
    const found = mine.filter((o) => o.found).length;
    if (found < mine.length) problems.push(`missed ${classId}: ${found}/${mine.length} found`);
    const paged = falsePages.filter((f) => f.labels.some((id) => classById.get(id) === classId));
    if (EPISODE_CLASSES[classId].kind === 'benign' && paged.length > 0) {
      problems.push(`false pages on ${classId}: ${paged.length}`);
    }
  }
  const unlabelled = falsePages.filter((f) => f.labels.length === 0).length;
  if (unlabelled > 0) problems.push(`false pages on unlabelled background traffic: ${unlabelled}`);
  return { ok: problems.length === 0, problems };
}

export function renderReport(info: RunInfo, scores: readonly SeedScore[]): string {
  const attacks = scores.flatMap((s) => s.attacks);
  const benign = scores.flatMap((s) => s.benign);
  const falsePages = scores.flatMap((s) => s.falsePages);
  const days = scores.reduce((sum, s) => sum + s.hours, 0) / 24;
  const rules = [...new Set<string>([...RULE_IDS, ...falsePages.map((f) => f.rule)])];

  const perRule = rules.map((rule) => {
    const expected = attacks.filter((o) => o.label.expected_rule === rule);
    const found = expected.filter((o) => o.found);
    const falses = falsePages.filter((f) => f.rule === rule).length;
    const t = ttds(found);
    return [
      `\`${rule}\``,
      expected.length,
      found.length,
      ratio(found.length, expected.length),
      falses,
      days > 0 ? (falses / days).toFixed(1) : '–',
      formatDuration(percentile(t, 50)),
      formatDuration(percentile(t, 100)),
    ];
  });

  const attackRows = CLASS_IDS.filter((c) => EPISODE_CLASSES[c].kind === 'attack').map((c) => {
    const mine = attacks.filter((o) => o.label.class === c);
    const found = mine.filter((o) => o.found);
    const others = [...new Set(mine.flatMap((o) => o.pagedBy))].filter(
      (r) => r !== EPISODE_CLASSES[c].expectedRule,
    );
    return [
      c,
      `\`${EPISODE_CLASSES[c].expectedRule ?? ''}\``,
      mine.length,
      found.length,
      ratio(found.length, mine.length),
      formatDuration(percentile(ttds(found), 50)),
      formatDuration(percentile(ttds(found), 100)),
      others.length > 0 ? others.join(', ') : '–',
    ];
  });

  const benignRows = CLASS_IDS.filter((c) => EPISODE_CLASSES[c].kind === 'benign').map((c) => {
    const mine = benign.filter((o) => o.label.class === c);
    const pagedBy = [...new Set(mine.flatMap((o) => o.pagedBy))];
    return [
      c,
      mine.length,
      mine.reduce((sum, o) => sum + o.falsePages, 0),
      pagedBy.length > 0 ? pagedBy.join(', ') : '–',
      mine.reduce((sum, o) => sum + o.infoIncidents, 0),
    ];
  });
  const unlabelled = falsePages.filter((f) => f.labels.length === 0);
  benignRows.push([
    '(unlabelled background)',
    '–',
    unlabelled.length,
    [...new Set(unlabelled.map((f) => f.rule))].join(', ') || '–',
    '–',
  ]);

  const v = verdict(scores);
  const listed = falsePages
    .slice(0, 25)
    .map((f) => [
      f.seed,
      `\`${f.rule}\``,
      f.severity,
      f.labels.length > 0 ? f.labels.join(', ') : 'unlabelled',
      `\`${f.subject}\``,
      f.summary.replaceAll('|', '\\|'),
    ]);

  return [
    `## Evaluation: ${info.seeds.length} seed(s) × ${info.hours} h, ${info.accounts} accounts (${info.date})`,
    '',
    `Seeds ${info.seeds.join(', ')}; ${info.lines.toLocaleString('en-US')} lines (${info.events.toLocaleString('en-US')} events); ` +
      `${days.toFixed(2)} days of traffic; replay step ${info.stepSeconds} s, ${Math.round(info.replaySeconds)} s of replay.`,
    `Machine: ${info.machine}.`,
    '',
    '### Per rule',
    '',
    table(
      [
        'rule',
        'attacks',
        'found',
        'recall',
        'false pages',
        'false pages/day',
        'TTD p50',
        'TTD max',
      ],
      perRule,
    ),
    '',
    '### Attack classes',
    '',
    table(
      [
        'class',
        'expected rule',
        'attacks',
        'found',
        'recall',
        'TTD p50',
        'TTD max',
        'also paged by',
      ],
      attackRows,
    ),
    '',
    '### Benign classes',
    '',
    table(['class', 'episodes', 'false pages', 'paged by', 'info incidents'], benignRows),
    '',
    ...(listed.length > 0
      ? [
          `### False pages (${Math.min(25, falsePages.length)} of ${falsePages.length})`,
          '',
          table(['seed', 'rule', 'severity', 'label', 'subject', 'summary'], listed),
          '',
        ]
      : []),
    v.ok
      ? '**Result: PASS** — every attack found, no false page.'
      : `**Result: FAIL** — ${v.problems.join('; ')}.`,
    '',
  ].join('\n');
}
