import { subjectKeyOf } from '@denyscope/detections';
import { AlertsTableOutput } from '@denyscope/incidents';
import { rows } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../src/evaluation.js';
import { evaluationDeps, useDetectorSuite } from './support.js';

const MUTED = 'rule:cross-tenant';
const LOUD = 'rule:id-enumeration';

/**
 * On-call mutes one pipeline-health component with `denyscope alerts mute --component` (a rule
 * that keeps failing while its fix is rolled out); the detector, on real Redis and ClickHouse,
 * records that component's incident muted and every other component's as usual.
 */
describe('mutes of pipeline-health by component (the CLI, Redis, ClickHouse)', () => {
  const suite = useDetectorSuite('mutecomp');
  const { cli } = suite;

  it('records the muted component muted, the others not; unmute ends it', async () => {
    const client = suite.clickhouse();
    const muted = await cli(
      'alerts',
      'mute',
      '--rule',
      'pipeline-health',
      '--component',
      MUTED,
      '--for',
      '2h',
      '--reason',
      'slow query, fix rolling out',
    );
    expect(muted.stdout).toMatch(/muted pipeline-health for component=rule%3Across-tenant/);
    expect((await cli('alerts', 'mutes')).stdout).toMatch(/slow query, fix rolling out/);

    const deps = evaluationDeps(client, suite.redis(), suite.prefix, [
      new AlertsTableOutput(client),
    ]);
    const watermark = new Date();
    await evaluateRules(deps, watermark, {
      rules: new Set(['pipeline-health']),
      health: {
        now: watermark,
        futureToleranceMs: 300_000,
        failureAlertAfter: 3,
        failingRules: (['cross-tenant', 'id-enumeration'] as const).map((rule) => ({
          rule,
          failures: 3,
          lastError: 'Timeout exceeded',
          evaluatedUntil: null,
        })),
      },
    });
    const recorded = await rows<{ component: string; muted: string | number }>(
      client,
      "SELECT component, muted FROM alerts FINAL WHERE rule = 'pipeline-health' ORDER BY component",
    );
    expect(recorded.map((r) => [r.component, Number(r.muted)])).toEqual([
      [MUTED, 1],
      [LOUD, 0],
    ]);

    // A component names pipeline-health's subject only; and exactly one subject per mute.
    await expect(
      cli(
        'alerts',
        'mute',
        '--rule',
        'id-enumeration',
        '--component',
        MUTED,
        '--for',
        '1h',
        '--reason',
        'x',
      ),
    ).rejects.toThrow(/--component goes with --rule pipeline-health only/);
    await expect(
      cli(
        'alerts',
        'mute',
        '--rule',
        'pipeline-health',
        '--component',
        MUTED,
        '--key',
        'k',
        '--for',
        '1h',
        '--reason',
        'x',
      ),
    ).rejects.toThrow(/exactly one of/);

    expect(
      (await cli('alerts', 'unmute', '--rule', 'pipeline-health', '--component', MUTED)).stdout,
    ).toMatch(/unmuted/);
    expect(
      await deps.store.activeMute(
        'pipeline-health',
        subjectKeyOf({ component: MUTED }),
        new Date(),
      ),
    ).toBeNull();
  });
});
