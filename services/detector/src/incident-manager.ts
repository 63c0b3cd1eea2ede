import { severityRank } from '@denyscope/alerts';
import type { Finding } from '@denyscope/detections';
import { alertIdOf, type IncidentState, type IncidentTransition } from './incident.js';
import type { IncidentStore } from './incident-store.js';

function stateFrom(
  finding: Finding,
): Omit<IncidentState, 'alertId' | 'episode' | 'version' | 'status'> {
  return {
    rule: finding.rule,
    subjectKey: finding.subjectKey,
    subject: finding.subject,
    severity: finding.severity,
    env: finding.env,
    window: { start: finding.window.start.toISOString(), end: finding.window.end.toISOString() },
    firstSeen: finding.firstSeen.toISOString(),
    lastSeen: finding.lastSeen.toISOString(),
    summary: finding.summary,
    evidence: finding.evidence,
  };
}

/**
 * Turns one evaluation's findings into incident state changes. One incident per (rule, subject):
 * a finding for a firing incident updates it (escalating when the severity rises); a finding for
 * a quiet subject opens a new one; a firing incident without new evidence for `resolveAfterMs`
 * of event time resolves. Everything else changes state silently: sinks hear of transitions only.
 *
 * The returned transitions are not yet saved: the caller records and notifies them first, then
 * calls `commit`, so a crash in between repeats the same transitions (same IDs) next time.
 */
export class IncidentManager {
  constructor(
    private readonly store: IncidentStore,
    private readonly resolveAfterMs: number,
  ) {}

  /**
   * `unevaluated` names rules that did not run this time (disabled is not unevaluated: a failed
   * query is); their incidents are left as they are instead of resolving for lack of findings.
   */
  async evaluate(
    findings: readonly Finding[],
    watermark: Date,
    unevaluated: ReadonlySet<string> = new Set(),
  ): Promise<{ transitions: IncidentTransition[]; updates: IncidentState[] }> {
    const transitions: IncidentTransition[] = [];
    const updates: IncidentState[] = [];
    const seen = new Set<string>();

    for (const finding of findings) {
      const id = `${finding.rule}\n${finding.subjectKey}`;
      if (seen.has(id)) continue; // a rule reports each subject once; guard anyway
      seen.add(id);
      const previous = await this.store.get(finding.rule, finding.subjectKey);
      const next = stateFrom(finding);

      // A window still holding the events of a resolved incident is not new evidence: only
      // events after its last_seen open the next one.
      if (previous?.status === 'resolved' && next.lastSeen <= previous.lastSeen) continue;
      if (previous === null || previous.status === 'resolved') {
        const episode = (previous?.episode ?? 0) + 1;
        const opened: IncidentState = {
          ...next,
          alertId: alertIdOf(finding.rule, finding.subjectKey, episode),
          episode,
          version: 1,
          status: 'firing',
        };
        transitions.push({ transition: 'opened', state: opened });
        continue;
      }

      // Quiet means no new events, not no finding: a long window keeps reporting old events.
      if (next.lastSeen <= previous.lastSeen && this.isQuiet(previous, watermark)) {
        transitions.push({ transition: 'resolved', state: this.resolved(previous) });
        continue;
      }
      const escalated = severityRank(next.severity) > severityRank(previous.severity);
      const updated: IncidentState = {
        ...previous,
        ...next,
        // Severity never drops while firing: a page that was critical stays critical.
        severity: escalated ? next.severity : previous.severity,
        firstSeen: previous.firstSeen < next.firstSeen ? previous.firstSeen : next.firstSeen,
        lastSeen: previous.lastSeen > next.lastSeen ? previous.lastSeen : next.lastSeen,
        version: escalated ? previous.version + 1 : previous.version,
      };
      if (escalated) transitions.push({ transition: 'escalated', state: updated });
      else updates.push(updated);
    }

    for (const firing of await this.store.listFiring()) {
      if (seen.has(`${firing.rule}\n${firing.subjectKey}`) || unevaluated.has(firing.rule))
        continue;
      if (!this.isQuiet(firing, watermark)) continue;
      transitions.push({ transition: 'resolved', state: this.resolved(firing) });
    }
    return { transitions, updates };
  }

  private isQuiet(state: IncidentState, watermark: Date): boolean {
    return watermark.getTime() - new Date(state.lastSeen).getTime() >= this.resolveAfterMs;
  }

  private resolved(state: IncidentState): IncidentState {
    return { ...state, status: 'resolved', version: state.version + 1 };
  }

  async commit(states: readonly IncidentState[]): Promise<void> {
    for (const state of states) await this.store.save(state);
  }
}
