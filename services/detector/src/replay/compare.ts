import { RULE_IDS, severityRank, type RuleId, type Severity } from '@denyscope/alerts';
import type { Subject } from '@denyscope/detections';
import type { IncidentTransition, TransitionOutput } from '@denyscope/incidents';

// The backtest a detection engineer runs before changing a threshold: replay once, evaluate the
// same stored events with two rule sets, and list the incidents each opens that the other does
// not (`denyscope replay --rules-file new.yaml --compare current.yaml`).

/** One incident as the comparison sees it: who, when, and the highest severity it reached. */
export interface IncidentSummary {
  alertId: string;
  rule: RuleId;
  subjectKey: string;
  subject: Subject;
  severity: Severity;
  firstSeen: string;
  lastSeen: string;
  summary: string;
}

/** Collects the incidents of one sweep (a TransitionOutput, like the alerts table or stdout). */
export class IncidentCollector implements TransitionOutput {
  readonly name = 'compare';
  private readonly byId = new Map<string, IncidentSummary>();

  write({ state }: IncidentTransition): Promise<void> {
    const known = this.byId.get(state.alertId);
    const severity =
      known !== undefined && severityRank(known.severity) > severityRank(state.severity)
        ? known.severity
        : state.severity;
    this.byId.set(state.alertId, {
      alertId: state.alertId,
      rule: state.rule,
      subjectKey: state.subjectKey,
      subject: state.subject,
      severity,
      firstSeen: known?.firstSeen ?? state.firstSeen,
      lastSeen: state.lastSeen,
      summary: known?.summary ?? state.summary,
    });
    return Promise.resolve();
  }

  get incidents(): IncidentSummary[] {
    return [...this.byId.values()];
  }
}

export interface Comparison {
  onlyBaseline: IncidentSummary[];
  onlyCandidate: IncidentSummary[];
  /** The same incident in both, at a different highest severity. */
  severityChanged: { baseline: IncidentSummary; candidate: IncidentSummary }[];
  same: number;
}

const overlaps = (a: IncidentSummary, b: IncidentSummary) =>
  Date.parse(a.firstSeen) <= Date.parse(b.lastSeen) &&
  Date.parse(b.firstSeen) <= Date.parse(a.lastSeen);

/**
 * Pairs the incidents of two sweeps: the same rule and subject with overlapping event times are
 * one incident (alert IDs cannot be compared: they count a subject's episodes, and one rule set
 * may open an episode the other does not). Each incident pairs at most once.
 */
export function compareIncidents(
  baseline: readonly IncidentSummary[],
  candidate: readonly IncidentSummary[],
): Comparison {
  const unpaired = [...candidate];
  const result: Comparison = { onlyBaseline: [], onlyCandidate: [], severityChanged: [], same: 0 };
  for (const incident of baseline) {
    const at = unpaired.findIndex(
      (other) =>
        other.rule === incident.rule &&
        other.subjectKey === incident.subjectKey &&
        overlaps(incident, other),
    );
    if (at === -1) {
      result.onlyBaseline.push(incident);
      continue;
    }
    const [match] = unpaired.splice(at, 1);
    if (match!.severity !== incident.severity) {
      result.severityChanged.push({ baseline: incident, candidate: match! });
    } else {
      result.same += 1;
    }
  }
  result.onlyCandidate = unpaired;
  return result;
}

const subjectText = (incident: IncidentSummary) =>
  Object.entries(incident.subject)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => `${field}=${String(value)}`)
    .join(' ');

const line = (incident: IncidentSummary) =>
  `  ${incident.rule} ${incident.severity} ${subjectText(incident)} ${incident.firstSeen}: ${incident.summary}`;

/** The comparison as text: a table per rule, then every incident that differs. */
export function formatComparison(
  comparison: Comparison,
  names: { baseline: string; candidate: string },
): string {
  const count = (list: readonly IncidentSummary[], rule: RuleId) =>
    list.filter((incident) => incident.rule === rule).length;
  const changed = comparison.severityChanged;
  const out = [
    `rule set A (baseline): ${names.baseline}`,
    `rule set B (candidate): ${names.candidate}`,
    '',
    `${'rule'.padEnd(24)} ${'only A'.padStart(7)} ${'only B'.padStart(7)} ${'severity'.padStart(9)}`,
  ];
  for (const rule of RULE_IDS) {
    out.push(
      `${rule.padEnd(24)} ${String(count(comparison.onlyBaseline, rule)).padStart(7)} ` +
        `${String(count(comparison.onlyCandidate, rule)).padStart(7)} ` +
        `${String(changed.filter((c) => c.baseline.rule === rule).length).padStart(9)}`,
    );
  }
  out.push('', `${comparison.same} incident(s) identical in both.`);
  if (comparison.onlyBaseline.length > 0) {
    out.push('', `Opened only by A (${comparison.onlyBaseline.length}):`);
    out.push(...comparison.onlyBaseline.map(line));
  }
  if (comparison.onlyCandidate.length > 0) {
    out.push('', `Opened only by B (${comparison.onlyCandidate.length}):`);
    out.push(...comparison.onlyCandidate.map(line));
  }
  if (changed.length > 0) {
    out.push('', `Severity differs (${changed.length}):`);
    for (const { baseline, candidate } of changed) {
      out.push(
        `  ${baseline.rule} ${subjectText(baseline)} ${baseline.firstSeen}: ` +
          `${baseline.severity} in A, ${candidate.severity} in B`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
