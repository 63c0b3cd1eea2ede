import type { ClickHouseClient } from '@denyscope/clickhouse';
import { loadRuleSettings, subjectKeyOf } from '@denyscope/detections';
import { createLogger } from '@denyscope/telemetry';
import {
  dropDatabase,
  migratedDatabase,
  rows,
  stackEnv,
  testNames,
  deleteRedisPrefix,
  DENYSCOPE_BIN,
} from '@denyscope/testkit';
import { Redis } from 'ioredis';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsTableOutput } from '@denyscope/incidents';
import { queryRunner } from '../src/clickhouse-query.js';
import { evaluateRules } from '../src/evaluation.js';
import { IncidentManager } from '../src/incident-manager.js';
import { RedisIncidentStore } from '@denyscope/incidents';

const CLI = DENYSCOPE_BIN;
const MUTED = 'rule:cross-tenant';
const LOUD = 'rule:id-enumeration';

/**
 * On-call mutes one pipeline-health component with `denyscope alerts mute --component` (a rule
 * that keeps failing while its fix is rolled out); the detector, on real Redis and ClickHouse,
 * records that component's incident muted and every other component's as usual.
 */
describe('mutes of pipeline-health by component (the CLI, Redis, ClickHouse)', () => {
  const names = testNames('mutecomp');
  const prefix = `test-mutecomp-${names.suffix}`;
  const env = {
    ...process.env,
    ...stackEnv,
    CLICKHOUSE_DATABASE: names.database,
    BULLMQ_PREFIX: prefix,
  };
  const cli = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env });
  let client: ClickHouseClient;
  let redis: Redis;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    redis = new Redis(stackEnv.REDIS_URL);
  });

  afterAll(async () => {
    await deleteRedisPrefix(redis, prefix);
    redis?.disconnect();
    await client?.close();
    await dropDatabase(names.database);
  });

  it('records the muted component muted, the others not; unmute ends it', async () => {
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

    const store = new RedisIncidentStore(redis, prefix);
    const watermark = new Date();
    await evaluateRules(
      {
        settings: loadRuleSettings({ env: {} }),
        store,
        manager: new IncidentManager(store, 15 * 60_000),
        outputs: [new AlertsTableOutput(client)],
        query: queryRunner(client),
        log: createLogger({ service: 'test', level: 'silent' }),
      },
      watermark,
      {
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
      },
    );
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
      await store.activeMute('pipeline-health', subjectKeyOf({ component: MUTED }), new Date()),
    ).toBeNull();
  });
});
