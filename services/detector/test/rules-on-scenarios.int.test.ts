import { PAGING_RULE_IDS, isAtLeast, severityRank, type Alert } from '@denyscope/alerts';
import { declarationProblems } from '@denyscope/detections';
import {
  alertSubjectId,
  allScenarios,
  type LabelledScenario,
  type ScenarioExpectation,
} from '@denyscope/scenarios';
import { beforeAll, describe, expect, it } from 'vitest';
import { alertsOf, replay } from './support.js';

/** The identity of a subject under a rule, by the rule's subject kind (a network's CIDR for network rules). */
const subjectId = alertSubjectId;

function matches(alert: Alert, expected: ScenarioExpectation): boolean {
  return (
    alert.rule === expected.rule &&
    subjectId(alert.rule, alert.subject) === subjectId(expected.rule, expected.subject)
  );
}

// Every attack of the rule catalog and every benign shape, with background traffic, replayed
// through the real parse/classify code into a real ClickHouse and swept by the real rules.
describe('rules on labelled scenarios (replay into ClickHouse)', () => {
  const stream = allScenarios(20261127, Date.UTC(2026, 10, 20, 8, 0));
  let alerts: Alert[] = [];

  beforeAll(async () => {
    const run = await replay(stream.events);
    alerts = alertsOf(run);
    const { result } = run;
    expect(result.load.malformed).toBe(0);
    expect(result.load.events).toBe(stream.events.length);
  }, 300_000);

  const attacks = stream.scenarios.filter((s) => s.kind === 'attack');
  const benign = stream.scenarios.filter((s) => s.kind === 'benign');

  it.each(attacks.map((s) => [s.name, s] as [string, LabelledScenario]))(
    '%s fires',
    (_name, scenario) => {
      for (const expected of scenario.expect) {
        const raised = alerts.filter(
          (alert) => matches(alert, expected) && alert.status === 'firing',
        );
        expect(
          raised.length,
          `${expected.rule} for ${JSON.stringify(expected.subject)}`,
        ).toBeGreaterThan(0);
        if (expected.severity !== undefined) {
          const highest = raised.reduce(
            (top, a) => (severityRank(a.severity) > severityRank(top) ? a.severity : top),
            raised[0]!.severity,
          );
          expect(highest).toBe(expected.severity);
        }
        // One incident, not one per evaluation.
        expect(new Set(raised.map((a) => a.alert_id)).size).toBe(1);
      }
      for (const quiet of scenario.silent ?? []) {
        expect(
          alerts.filter((a) => matches(a, quiet)),
          `${quiet.rule} must stay silent`,
        ).toEqual([]);
      }
    },
  );

  it.each(benign.map((s) => [s.name, s] as [string, LabelledScenario]))(
    '%s stays silent',
    (_name, scenario) => {
      for (const quiet of scenario.expect) {
        const raised = alerts.filter((a) => matches(a, quiet));
        expect(raised, `${quiet.rule} for ${JSON.stringify(quiet.subject)}`).toEqual([]);
      }
    },
  );

  it('pages nobody it should not: every alert at medium or above belongs to an attack', () => {
    const expected = attacks.flatMap((s) => s.expect);
    const unexpected = alerts.filter(
      (alert) => isAtLeast(alert.severity, 'medium') && !expected.some((e) => matches(alert, e)),
    );
    expect(unexpected.map((a) => `${a.rule} ${JSON.stringify(a.subject)}: ${a.summary}`)).toEqual(
      [],
    );
  });

  it('raises only what each rule declares: a subject of its kind, evidence its schema describes', () => {
    // A rule's digest incident (docs/rules.md, "Bounded blast radius") is the detector's, not the rule's.
    const ruleAlerts = alerts.filter((alert) => alert.evidence.digest !== true);
    for (const alert of ruleAlerts) {
      expect(
        declarationProblems(alert),
        `${alert.rule} ${JSON.stringify(alert.subject)} (${alert.status})`,
      ).toEqual([]);
    }
    // Every rule that runs in replay is checked on alerts of its own (pipeline-health is live only).
    expect(new Set(ruleAlerts.map((alert) => alert.rule))).toEqual(new Set(PAGING_RULE_IDS));
  });

  it('resolves every incident once the traffic is over', () => {
    const ids = new Set(alerts.map((a) => a.alert_id));
    for (const id of ids) {
      expect(alerts.filter((a) => a.alert_id === id).at(-1)?.status, id).toBe('resolved');
    }
  });
});
