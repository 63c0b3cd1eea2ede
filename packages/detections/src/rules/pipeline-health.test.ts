import { describe, expect, it } from 'vitest';
import type { EvaluationContext, Finding, PipelineHealthInput } from '../finding.js';
import { declarationProblems } from '../rule-declaration.js';
import { pipelineHealth } from './pipeline-health.js';

const WATERMARK = new Date('2026-12-07T12:00:00Z');
const settings = pipelineHealth.settings.parse({});
const noRows: EvaluationContext['query'] = () => Promise.resolve([]);

/** Every finding must fit the rule's declaration: a component subject, evidence of its schema. */
function declared(findings: Finding[]): Finding[] {
  for (const finding of findings) {
    expect(declarationProblems(finding), finding.subjectKey).toEqual([]);
  }
  return findings;
}

function health(failures: number): PipelineHealthInput {
  return {
    now: WATERMARK,
    futureToleranceMs: 300_000,
    failureAlertAfter: 3,
    failingRules: [
      {
        rule: 'cross-tenant',
        failures,
        lastError: 'Timeout exceeded',
        evaluatedUntil: new Date('2026-12-07T11:57:00Z'),
      },
    ],
  };
}

// The partition checks' SQL runs against ClickHouse in
// services/detector/test/event-time-safety.int.test.ts.
describe('pipeline-health', () => {
  it('defaults to low severity and takes no routes (operational, not a security rule)', () => {
    expect(settings).toMatchObject({ enabled: true, severity: 'low' });
    expect(pipelineHealth.settings.safeParse({ routes: { include: [] } }).success).toBe(false);
  });

  it('names a rule that failed DETECT_RULE_FAILURE_ALERT_AFTER ticks in a row, by component', async () => {
    const found = declared(
      await pipelineHealth.evaluate(
        { watermark: WATERMARK, query: noRows, health: health(3) },
        settings,
      ),
    );
    expect(found).toMatchObject([
      {
        rule: 'pipeline-health',
        subject: { component: 'rule:cross-tenant' },
        subjectKey: 'component=rule%3Across-tenant',
        severity: 'low',
        env: 'denyscope',
        firstSeen: new Date('2026-12-07T11:57:00Z'),
        lastSeen: WATERMARK,
        evidence: { failures: 3, last_error: 'Timeout exceeded' },
      },
    ]);
  });

  it('says nothing below the threshold, and nothing in replay (no health input)', async () => {
    const ctx = { watermark: WATERMARK, query: noRows };
    expect(await pipelineHealth.evaluate({ ...ctx, health: health(2) }, settings)).toEqual([]);
    expect(await pipelineHealth.evaluate(ctx, settings)).toEqual([]);
  });

  it('names a partition ahead of wall time and one far behind it, by component', async () => {
    const newest = Date.parse('2026-12-08T11:00:00Z') / 1000;
    const query: EvaluationContext['query'] = <T>(sql: string) =>
      Promise.resolve(
        (/FROM partition_clock/.test(sql)
          ? [{ topic: 'api.responses', partition: '3', newest, ahead_s: '82800', events: '2' }]
          : /last_lag/.test(sql)
            ? [{ topic: 'api.responses', partition: 4, newest: 1_796_000_000, behind_s: 7_200 }]
            : []) as T[],
      );
    const found = declared(
      await pipelineHealth.evaluate({ watermark: WATERMARK, query, health: health(0) }, settings),
    );
    expect(found).toMatchObject([
      {
        subject: { component: 'partition:api.responses/4' },
        evidence: { behind_seconds: 7_200 },
      },
      {
        subject: { component: 'partition:api.responses/3' },
        evidence: { ahead_seconds: 82_800, events_ahead: 2 },
      },
    ]);
  });
});
