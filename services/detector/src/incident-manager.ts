import { severityRank, type RuleId } from '@denyscope/alerts';
import type { Finding } from '@denyscope/detections';
import {
  alertIdOf,
  generationOf,
  type IncidentState,
  type IncidentTransition,
} from '@denyscope/incidents';
import { DIGEST_SUBJECT_KEY, digestFinding, rankForOpening } from './incident-digest.js';
import type { IncidentStore } from '@denyscope/incidents';

/** A rule's own firing incidents without `maxNewIncidentsPerRule` (DETECT_MAX_NEW_INCIDENTS_PER_RULE's default). */
export const DEFAULT_MAX_NEW_INCIDENTS_PER_RULE = 20;

export interface IncidentLimits {
  /** DETECT_MAX_NEW_INCIDENTS_PER_RULE: see IncidentManager. */
  maxNewIncidentsPerRule: number;
}

interface Evaluated {
  transitions: IncidentTransition[];
  updates: IncidentState[];
}

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
 *
 * Blast radius (docs/rules.md, "Bounded blast radius"): a rule has at most
 * `maxNewIncidentsPerRule` incidents of its own firing, so it opens at most that many per
 * evaluation. Subjects beyond that, ranked by rankForOpening (most severe, then largest evidence),
 * are folded into the rule's one digest incident; while the digest fires, every new subject of the
 * rule joins it, so a flood spread over many ticks is still the cap of pages plus one. Findings about subjects with a firing incident are never capped.
 */
export class IncidentManager {
  private readonly limits: IncidentLimits;

  constructor(
    private readonly store: IncidentStore,
    private readonly resolveAfterMs: number,
    limits: Partial<IncidentLimits> = {},
  ) {
    this.limits = {
      maxNewIncidentsPerRule: limits.maxNewIncidentsPerRule ?? DEFAULT_MAX_NEW_INCIDENTS_PER_RULE,
    };
  }

  /**
   * `unevaluated` names rules that did not run this time (disabled is not unevaluated: a failed
   * query is); their incidents are left as they are instead of resolving for lack of findings.
   */
  async evaluate(
    findings: readonly Finding[],
    watermark: Date,
    unevaluated: ReadonlySet<string> = new Set(),
  ): Promise<Evaluated> {
    const out: Evaluated = { transitions: [], updates: [] };
    const seen = new Set<string>();
    const firing = await this.store.listFiring();
    /** Per rule, the findings that would open a new incident, with what the store remembers. */
    const opening = new Map<RuleId, Finding[]>();
    const previousOf = new Map<Finding, IncidentState | null>();

    for (const finding of findings) {
      const id = `${finding.rule}\n${finding.subjectKey}`;
      if (seen.has(id)) continue; // a rule reports each subject once; guard anyway
      seen.add(id);
      const previous =
        finding.subjectKey === DIGEST_SUBJECT_KEY
          ? null // never a real subject's; if a rule ever reports it, it is folded like a new one
          : await this.store.get(finding.rule, finding.subjectKey);
      if (previous?.status === 'firing') {
        this.apply(previous, finding, watermark, out);
        continue;
      }
      // A window still holding the events of a resolved incident is not new evidence: only
      // events after its last_seen open the next one.
      if (previous !== null && finding.lastSeen.toISOString() <= previous.lastSeen) continue;
      previousOf.set(finding, previous);
      opening.set(finding.rule, [...(opening.get(finding.rule) ?? []), finding]);
    }

    for (const [rule, found] of opening) {
      // Subjects a resolved digest already reported: the flood's window still holds them after
      // the digest went quiet, and without this they opened (and paged) the cap at a time, tick
      // after tick, until the window slid past the flood (chaos address-flood, docs/chaos.md
      // finding 12). As for any resolved incident, only events after its last_seen are new.
      const digestBefore = await this.store.get(rule, DIGEST_SUBJECT_KEY);
      const candidates =
        digestBefore === null || digestBefore.status === 'firing'
          ? found
          : found.filter((f) => f.lastSeen.toISOString() > digestBefore.lastSeen);
      if (candidates.length === 0) continue;
      const ofRule = firing.filter((state) => state.rule === rule);
      const own = ofRule.filter((state) => state.subjectKey !== DIGEST_SUBJECT_KEY).length;
      const flooded = ofRule.length > own;
      const budget = flooded ? 0 : Math.max(0, this.limits.maxNewIncidentsPerRule - own);
      const ranked = rankForOpening(candidates.filter((f) => f.subjectKey !== DIGEST_SUBJECT_KEY));
      for (const finding of ranked.slice(0, budget)) {
        out.transitions.push({
          transition: 'opened',
          state: this.opened(finding, previousOf.get(finding) ?? null),
        });
      }
      const folded = [
        ...ranked.slice(budget),
        ...candidates.filter((f) => f.subjectKey === DIGEST_SUBJECT_KEY),
      ];
      if (folded.length === 0) continue;
      const digest = digestFinding(rule, folded, this.limits.maxNewIncidentsPerRule);
      seen.add(`${rule}\n${DIGEST_SUBJECT_KEY}`);
      const previous = await this.store.get(rule, DIGEST_SUBJECT_KEY);
      if (previous?.status === 'firing') this.apply(previous, digest, watermark, out);
      else if (previous === null || digest.lastSeen.toISOString() > previous.lastSeen) {
        out.transitions.push({ transition: 'opened', state: this.opened(digest, previous) });
      }
    }

    for (const state of firing) {
      if (seen.has(`${state.rule}\n${state.subjectKey}`) || unevaluated.has(state.rule)) continue;
      if (!this.isQuiet(state, watermark)) continue;
      out.transitions.push({ transition: 'resolved', state: this.resolved(state) });
    }
    return out;
  }

  /** The next incident of a subject: episode and generation continue what the store remembers. */
  private opened(finding: Finding, previous: IncidentState | null): IncidentState {
    const episode = (previous?.episode ?? 0) + 1;
    // A subject the store remembers nothing about (never seen, or its resolved state expired)
    // starts a new generation; one remembered from before generations keeps the old ID formula.
    const generation = previous === null ? generationOf(finding.lastSeen) : previous.generation;
    return {
      ...stateFrom(finding),
      alertId: alertIdOf(finding.rule, finding.subjectKey, episode, generation),
      episode,
      ...(generation === undefined ? {} : { generation }),
      version: 1,
      status: 'firing',
    };
  }

  /** A finding about a firing incident: update it, escalate it, or resolve it when quiet. */
  private apply(previous: IncidentState, finding: Finding, watermark: Date, out: Evaluated): void {
    const next = stateFrom(finding);
    // Quiet means no new events, not no finding: a long window keeps reporting old events.
    if (next.lastSeen <= previous.lastSeen && this.isQuiet(previous, watermark)) {
      out.transitions.push({ transition: 'resolved', state: this.resolved(previous) });
      return;
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
    if (escalated) out.transitions.push({ transition: 'escalated', state: updated });
    else out.updates.push(updated);
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
