import { loadRuleSettings, subjectKeyOf, type PipelineHealthInput } from '@denyscope/detections';
import { createLogger } from '@denyscope/telemetry';
import { describe, expect, it } from 'vitest';
import { evaluateRules } from './evaluation.js';
import { IncidentManager } from './incident-manager.js';
import { MemoryIncidentStore } from '@denyscope/incidents';
import type { TransitionOutput } from '@denyscope/incidents';

const WATERMARK = new Date('2026-12-07T12:00:00Z');

/** Two rules failing three ticks in a row: two pipeline-health components at once. */
const health: PipelineHealthInput = {
  now: WATERMARK,
  futureToleranceMs: 300_000,
  failureAlertAfter: 3,
  failingRules: ['cross-tenant', 'id-enumeration'].map((rule) => ({
    rule: rule as 'cross-tenant' | 'id-enumeration',
    failures: 3,
    lastError: 'Timeout exceeded',
    evaluatedUntil: new Date('2026-12-07T11:50:00Z'),
  })),
};

describe('mutes of pipeline-health by component', () => {
  it('silence the muted component only: the rule and its other components stay loud', async () => {
    const store = new MemoryIncidentStore();
    store.mute({
      rule: 'pipeline-health',
      subjectKey: subjectKeyOf({ component: 'rule:cross-tenant' }),
      reason: 'known slow query, being fixed',
      until: new Date(Date.now() + 3_600_000).toISOString(),
      by: 'on-call',
    });
    const written: [string, boolean][] = [];
    const record: TransitionOutput = {
      name: 'record',
      write: ({ state }, muted) => {
        written.push([String(state.subject.component), muted]);
        return Promise.resolve();
      },
    };
    await evaluateRules(
      {
        settings: loadRuleSettings({ env: {} }),
        store,
        manager: new IncidentManager(store, 15 * 60_000),
        outputs: [record],
        // The partition checks find nothing here (their SQL runs in event-time-safety.int.test.ts).
        query: () => Promise.resolve([]),
        log: createLogger({ service: 'test', level: 'silent' }),
      },
      WATERMARK,
      { rules: new Set(['pipeline-health']), health },
    );
    expect(written.sort()).toEqual([
      ['rule:cross-tenant', true],
      ['rule:id-enumeration', false],
    ]);
  });
});
