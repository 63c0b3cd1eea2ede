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
  /** How many incidents this (rule, subject) has had; part of the alert ID. */
  episode: number;
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
 * The incident ID: stable for (rule, subject, episode), so a second detector instance, a retried
 * tick and a replay of the same logs all name the same incident the same way.
 */
export function alertIdOf(rule: RuleId, subjectKey: string, episode: number): string {
  const digest = createHash('sha256').update(`${rule}\n${subjectKey}\n${episode}`).digest('hex');
  return `${rule}-${digest.slice(0, 20)}`;
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
