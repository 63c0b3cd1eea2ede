/**
 * Scores one replayed seed: which attacks paged on their expected rule (and how soon), which
 * pages were false — about a benign episode, or about nothing labelled at all. A paging incident
 * that matches any attack label is the attack's, whatever its rule: paging on an attacker is not
 * a false page, even by another rule than the one expected.
 */
import type { Alert } from '@denyscope/alerts';
import type { Label } from '../traffic/labels.js';
import { matches, pagesOf, timeToDetect } from './match.js';

export interface AttackOutcome {
  label: Label;
  found: boolean;
  /** From the label's start to the window end of the first page of the expected rule. */
  ttdMs: number | null;
  /** Rules that paged on the episode's subjects (the expected one included). */
  pagedBy: string[];
}

export interface BenignOutcome {
  label: Label;
  /** Paging incidents about this episode (and about no attack). */
  falsePages: number;
  pagedBy: string[];
  /** Incidents at info about it: allowed, listed for the record. */
  infoIncidents: number;
}

export interface FalsePage {
  seed: number;
  alertId: string;
  rule: string;
  severity: string;
  subject: string;
  summary: string;
  /** Benign labels it matched; empty when it matched no label at all (background traffic). */
  labels: string[];
}

export interface SeedScore {
  seed: number;
  hours: number;
  alertLines: number;
  pages: number;
  attacks: AttackOutcome[];
  benign: BenignOutcome[];
  falsePages: FalsePage[];
}

function describeSubject(alert: Alert): string {
  const { key_id: key, client_ip: ip, account_id: account } = alert.subject;
  return [key, ip, account].filter((s) => s !== undefined).join(' ');
}

export function scoreSeed(
  seed: number,
  hours: number,
  labels: readonly Label[],
  alerts: readonly Alert[],
): SeedScore {
  const pages = pagesOf(alerts);
  const attackLabels = labels.filter((l) => l.kind === 'attack');
  const benignLabels = labels.filter((l) => l.kind === 'benign');

  const attacks = attackLabels.map((label): AttackOutcome => {
    const matching = pages.filter((p) => matches(p, label));
    const expected = matching.filter((p) => p.rule === label.expected_rule);
    const ttds = expected.map((p) => timeToDetect(p, label));
    return {
      label,
      found: expected.length > 0,
      ttdMs: ttds.length > 0 ? Math.min(...ttds) : null,
      pagedBy: [...new Set(matching.map((p) => p.rule))].sort(),
    };
  });

  // One false page per incident, however many times it escalated.
  const incidents = new Map<string, Alert[]>();
  for (const page of pages) {
    incidents.set(page.alert_id, [...(incidents.get(page.alert_id) ?? []), page]);
  }
  const falsePages: FalsePage[] = [];
  for (const [alertId, incidentPages] of incidents) {
    if (attackLabels.some((label) => incidentPages.some((p) => matches(p, label)))) continue;
    const first = incidentPages[0] as Alert;
    const highest = incidentPages[incidentPages.length - 1] as Alert;
    falsePages.push({
      seed,
      alertId,
      rule: first.rule,
      severity: highest.severity,
      subject: describeSubject(first),
      summary: first.summary,
      labels: benignLabels
        .filter((label) => incidentPages.some((p) => matches(p, label)))
        .map((l) => l.id),
    });
  }

  const infoFiring = alerts.filter((a) => a.status === 'firing' && a.severity === 'info');
  const benign = benignLabels.map((label): BenignOutcome => {
    const mine = falsePages.filter((f) => f.labels.includes(label.id));
    return {
      label,
      falsePages: mine.length,
      pagedBy: [...new Set(mine.map((f) => f.rule))].sort(),
      infoIncidents: new Set(infoFiring.filter((a) => matches(a, label)).map((a) => a.alert_id))
        .size,
    };
  });

  return {
    seed,
    hours,
    alertLines: alerts.length,
    pages: pages.length,
    attacks,
    benign,
    falsePages,
  };
}
