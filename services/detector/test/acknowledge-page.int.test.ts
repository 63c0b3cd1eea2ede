import { QUEUES, type AlertNotification } from '@denyscope/alerts';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import { loadRuleSettings } from '@denyscope/detections';
import { createLogger } from '@denyscope/telemetry';
import {
  dropDatabase,
  migratedDatabase,
  stackEnv,
  startService,
  testNames,
  waitFor,
  type ServiceProcess,
  deleteRedisPrefix,
  DENYSCOPE_BIN,
  checkPagerDuty,
  startReceiver,
  type Receiver,
} from '@denyscope/testkit';
import { idEnumerationSequential, seededRandom, toNdjson } from '@denyscope/scenarios';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The notifier's PagerDuty stand-in, which checks every event against the Events v2 shape.
import { AlertsQueueOutput, AlertsTableOutput, RedisIncidentStore } from '@denyscope/incidents';
import { queryRunner } from '../src/clickhouse-query.js';
import { evaluateAt } from '../src/evaluation.js';
import { IncidentManager } from '../src/incident-manager.js';
import { loadEvents } from '@denyscope/intake';

const CLI = DENYSCOPE_BIN;
const MINUTE = 60_000;
const ROUTING_KEY = 'ack-routing-key-0123456789abcdef';

// `denyscope alerts ack` on a paging incident: the notifier sends PagerDuty the Events v2
// acknowledge for the incident's dedup key (the page stops escalating), once per state.
describe('acknowledging a page reaches PagerDuty', () => {
  const names = testNames('ackpage');
  const prefix = `test-ackpage-${names.suffix}`;
  const scan = idEnumerationSequential({
    random: seededRandom(11),
    startMs: Date.UTC(2026, 10, 26, 9, 0),
    durationMs: 10 * MINUTE,
  });
  const env = { CLICKHOUSE_DATABASE: names.database, BULLMQ_PREFIX: prefix };
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...stackEnv, ...env },
    });
  let client: ClickHouseClient;
  let redis: Redis;
  let queue: Queue<AlertNotification>;
  let pagerduty: Receiver;
  let notifier: ServiceProcess;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    redis = new Redis(stackEnv.REDIS_URL);
    queue = new Queue(QUEUES.alerts, { connection: redis, prefix });
    pagerduty = await startReceiver(checkPagerDuty(ROUTING_KEY), () => ({ status: 202 }));
    notifier = startService('notify', {
      ...env,
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: `${pagerduty.url}/v2/enqueue`,
      NOTIFY_BACKOFF_MS: '200',
    });
    await loadEvents(Readable.from([toNdjson(scan.events)]), client, {
      environments: ['production', 'staging', 'sandbox', 'development'],
      envMarkers: undefined,
      maxMessageBytes: 262_144,
    });
  });

  afterAll(async () => {
    await notifier?.stop();
    await pagerduty?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await deleteRedisPrefix(redis, prefix);
    redis?.disconnect();
    await client?.close();
    await dropDatabase(names.database);
  });

  it('sends acknowledge with the dedup key of the trigger, once', async () => {
    const store = new RedisIncidentStore(redis, prefix);
    const transitions = await evaluateAt(
      {
        settings: loadRuleSettings({ env: {} }),
        store,
        manager: new IncidentManager(store, 15 * MINUTE),
        outputs: [new AlertsTableOutput(client), new AlertsQueueOutput(queue)],
        query: queryRunner(client),
        log: createLogger({ service: 'test', level: 'silent' }),
      },
      new Date(scan.events.at(-1)!.ts + MINUTE),
    );
    const opened = transitions.find((t) => t.state.rule === 'id-enumeration');
    expect(opened?.transition).toBe('opened');
    const alertId = opened!.state.alertId;
    const events = () => pagerduty.accepted.map((d) => d.body as Record<string, unknown>);
    await waitFor(
      'the trigger',
      () => Promise.resolve(events()),
      (e) => e.length === 1,
      {
        timeoutMs: 30_000,
      },
    );
    expect(events()[0]).toMatchObject({ event_action: 'trigger', dedup_key: alertId });

    const acked = await cli('alerts', 'ack', alertId, '--note', 'on it');
    expect(acked.stdout).toMatch(/acknowledged .* \(passed on to PagerDuty and the log\)/);
    await waitFor(
      'the acknowledge',
      () => Promise.resolve(events()),
      (e) => e.length === 2,
      {
        timeoutMs: 30_000,
      },
    );
    expect(events()[1]).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'acknowledge',
      dedup_key: alertId,
    });

    // A second ack of the same state is recorded, but PagerDuty is not told twice.
    expect((await cli('alerts', 'ack', alertId)).stdout).toMatch(/acknowledged/);
    await sleep(3_000);
    expect(events()).toHaveLength(2);
    expect(pagerduty.problems).toEqual([]);
    expect(notifier.child.exitCode, notifier.output().slice(-2_000)).toBeNull();
  });
});
