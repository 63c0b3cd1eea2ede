import type { Alert } from '@denyscope/alerts';
import { createLogger, SPAN_NAMES } from '@denyscope/telemetry';
import { recordSpans } from '@denyscope/telemetry/testing';
import { describe, expect, it } from 'vitest';
import { alertsOf, replay, scanAmidTraffic } from './support.js';

// The real evaluation (the one the live detector runs, through replay) against the real
// ClickHouse, with spans recorded in memory as a service that exports them would record them.
describe('tracing of an evaluation', () => {
  it('has a span per evaluation and per rule, alerts name their evaluation, logs their span', async () => {
    const { events, scanner } = scanAmidTraffic(Date.UTC(2026, 10, 21, 8, 0), 20 * 60_000, {
      scanSeed: 3,
      trafficSeed: 4,
    });
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({
      service: 'tracing-test',
      level: 'info',
      destination: {
        write: (chunk: string) =>
          void lines.push(
            ...chunk
              .split('\n')
              .filter((line) => line !== '')
              .map((line) => JSON.parse(line) as Record<string, unknown>),
          ),
      },
    });
    let alerts: Alert[];
    const spans = recordSpans();
    try {
      alerts = alertsOf(await replay(events, { log }));
    } finally {
      await spans.stop();
    }
    const finished = spans.finished();
    const byId = new Map(finished.map((span) => [span.spanContext().spanId, span]));
    const evaluations = finished.filter((span) => span.name === SPAN_NAMES.detectorEvaluate);
    const rules = finished.filter((span) => span.name === SPAN_NAMES.detectorRule);
    expect(evaluations.length).toBeGreaterThan(10);

    // Every rule span is a child of an evaluation span, in its trace, and names its rule.
    for (const rule of rules) {
      const parent = byId.get(rule.parentSpanContext?.spanId ?? '');
      expect(parent?.name).toBe(SPAN_NAMES.detectorEvaluate);
      expect(parent?.spanContext().traceId).toBe(rule.spanContext().traceId);
      expect(rule.attributes['denyscope.rule.id']).toEqual(expect.any(String));
      expect(rule.attributes['denyscope.rule.findings']).toEqual(expect.any(Number));
    }
    const ruleIds = new Set(rules.map((span) => span.attributes['denyscope.rule.id']));
    expect(ruleIds).toContain('id-enumeration');

    // The scan's alert names the evaluation that opened it: that span counted a transition, and
    // its id-enumeration child found something.
    const opened = alerts.find(
      (alert) => alert.rule === 'id-enumeration' && alert.subject.key_id === scanner,
    );
    expect(opened?.evidence.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const evaluation = byId.get(opened?.evidence.span_id as string);
    expect(evaluation?.name).toBe(SPAN_NAMES.detectorEvaluate);
    expect(evaluation?.spanContext().traceId).toBe(opened?.evidence.trace_id);
    expect(evaluation?.attributes['denyscope.detector.transitions']).toBeGreaterThan(0);
    const ruleSpan = rules.find(
      (span) =>
        span.parentSpanContext?.spanId === evaluation?.spanContext().spanId &&
        span.attributes['denyscope.rule.id'] === 'id-enumeration',
    );
    expect(ruleSpan?.attributes['denyscope.rule.findings']).toBeGreaterThan(0);

    // The log line of that state change was written inside that span, and says so.
    const logged = lines.find(
      (line) => line.msg === 'incident state changed' && line.alertId === opened?.alert_id,
    );
    expect(logged).toMatchObject({
      trace_id: opened?.evidence.trace_id,
      span_id: opened?.evidence.span_id,
      trace_flags: '01',
    });
    // Outside any span, no trace fields.
    log.info('after the replay');
    expect(lines.at(-1)).toMatchObject({ msg: 'after the replay' });
    expect(lines.at(-1)).not.toHaveProperty('trace_id');
  }, 120_000);
});
