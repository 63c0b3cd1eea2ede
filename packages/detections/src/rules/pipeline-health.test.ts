import { describe, expect, it } from 'vitest';
import type { EvaluationContext, PipelineHealthInput } from '../finding.js';
import { pipelineHealth } from './pipeline-health.js';

const WATERMARK = new Date('2026-12-07T12:00:00Z');
const settings = pipelineHealth.settings.parse({});
const noRows: EvaluationContext['query'] = () => Promise.resolve([]);

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
    const found = await pipelineHealth.evaluate(
      { watermark: WATERMARK, query: noRows, health: health(3) },
      settings,
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
});
