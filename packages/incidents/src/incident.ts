import {
  runbookPath,
  type Alert,
  type RuleId,
  type Severity,
  type Transition,
} from '@denyscope/alerts';
import type { Subject } from '@denyscope/detections';
import { createHash } from 'node:crypto';

/** What denyscope remembers about one (rule, subject) between evaluations. */
export interface IncidentState {
  rule: RuleId;
  subjectKey: string;
  subject: Subject;
  alertId: string;
  /** How many incidents this (rule, subject) has had since `generation`; part of the alert ID. */
  episode: number;
  /**
   * Part of the alert ID: the UTC event-time day (YYYYMMDD) of the last_seen of the first incident
   * this store remembers for the (rule, subject). Resolved incidents expire from Redis
   * (DETECT_RESOLVED_TTL_MS), which forgets the episode count; the next incident after that starts
   * a new generation on a later day, so its ID never repeats an old one. Absent in states saved
   * before generations existed: their IDs keep the old formula.
   */
  generation?: string;
  /** State changes of this incident so far (opened = 1). */
  version: number;
  status: 'firing' | 'resolved';
  severity: Severity;
  env: string;
  window: { start: string; end: string };
  firstSeen: string;
  lastSeen: string;
  summary: string;
  evidence: Record<string, unknown>;
}

export interface IncidentTransition {
  transition: Transition;
  state: IncidentState;
}

/**
 * The incident ID: stable for (rule, subject, generation, episode), so a second detector instance,
 * a retried tick and a replay of the same logs all name the same incident the same way. Both parts
 * come from event time and stored state, never from the wall clock.
 */
export function alertIdOf(
  rule: RuleId,
  subjectKey: string,
  episode: number,
  generation?: string,
): string {
  // Subject keys are URL-encoded (subjectKeyOf), so the newlines cannot be forged; without a
  // generation the text is the one IDs were made of before generations existed.
  const text =
    generation === undefined
      ? `${rule}\n${subjectKey}\n${episode}`
      : `${rule}\n${subjectKey}\n${episode}\n${generation}`;
  const digest = createHash('sha256').update(text).digest('hex');
  return `${rule}-${digest.slice(0, 20)}`;
}

/** The generation an incident starts when nothing is remembered about its subject. */
export function generationOf(lastSeen: Date): string {
  return lastSeen.toISOString().slice(0, 10).replaceAll('-', '');
}

export function toAlert(state: IncidentState): Alert {
  return {
    alert_id: state.alertId,
    rule: state.rule,
    severity: state.severity,
    status: state.status,
    subject: state.subject,
    env: state.env,
    window: state.window,
    first_seen: state.firstSeen,
    last_seen: state.lastSeen,
    summary: state.summary,
    evidence: state.evidence,
    runbook: runbookPath(state.rule),
  };
}
