import type { ClickHouseClient } from '@denyscope/clickhouse';
import { loadRuleSettings } from '@denyscope/detections';
import { ClickHouseWriter, EventIntake, PendingBatch, loadEvents } from '@denyscope/intake';
import { createLogger } from '@denyscope/telemetry';
import {
  dropDatabase,
  migratedDatabase,
  stackEnv,
  testNames,
  deleteRedisPrefix,
} from '@denyscope/testkit';
import {
  idEnumerationSequential,
  seededRandom,
  toNdjson,
  type GeneratedEvent,
} from '@denyscope/scenarios';
import { Redis } from 'ioredis';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts, AlertsTableOutput, RedisIncidentStore } from '@denyscope/incidents';
import type { CatchUpSettings } from '../src/catch-up.js';
import { queryRunner } from '../src/clickhouse-query.js';
import { IncidentManager } from '../src/incident-manager.js';
import type { TransitionOutput } from '@denyscope/incidents';
import { RedisRuleProgressStore } from '../src/rule-progress.js';
import { runTick } from '../src/tick.js';
import { readFirstEvidence, readWatermark } from '../src/watermark.js';

const MINUTE = 60_000;
const CATCH_UP: CatchUpSettings = { stepMs: MINUTE, maxMs: 6 * 60 * MINUTE, maxStepsPerTick: 60 };
const TOLERANCE = 5 * MINUTE;
const EVENTS = {
  environments: ['production', 'staging', 'sandbox', 'development'],
  envMarkers: undefined,
  maxMessageBytes: 262_144,
};

/**
 * Issue 11, findings 1 and 3, on ClickHouse and Redis as the detector service uses them: state
 * poisoned by one event stamped 23 h ahead (as the older ingest and detector left it), and a rule
 * whose query fails for three ticks.
 */
describe('event time, safely, and fail closed (ClickHouse, Redis)', () => {
  const names = testNames('evtime');
  let client: ClickHouseClient;
  let redis: Redis;
  const prefixes: string[] = [];

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    redis = new Redis(stackEnv.REDIS_URL);
  });

  afterAll(async () => {
    for (const prefix of prefixes) {
      await deleteRedisPrefix(redis, prefix);
    }
    redis?.disconnect();
    await client?.close();
    await dropDatabase(names.database);
  });

  function detector(wall: () => number = Date.now) {
    const prefix = `test-evtime-${names.suffix}-${prefixes.length}`;
    prefixes.push(prefix);
    const store = new RedisIncidentStore(redis, prefix);
    const query = queryRunner(client);
    const changes: string[] = [];
    const record: TransitionOutput = {
      name: 'record',
      write: ({ transition, state }) => {
        changes.push(`${state.rule} ${transition} ${state.subject.key_id ?? ''}`);
        return Promise.resolve();
      },
    };
    const deps = {
      settings: loadRuleSettings({ env: {} }),
      store,
      manager: new IncidentManager(store, 15 * MINUTE),
      outputs: [new AlertsTableOutput(client), record],
      query,
      log: createLogger({ service: 'test', level: 'silent' }),
    };
    const tick = () =>
      runTick(
        deps,
        {
          current: () =>
            readWatermark(query, {
              allowedLatenessMs: 2_000,
              maxWaitMs: 300_000,
              futureToleranceMs: TOLERANCE,
            }),
          firstEvidence: (notBefore) => readFirstEvidence(query, notBefore),
        },
        CATCH_UP,
        {
          futureToleranceMs: TOLERANCE,
          ruleFailureAlertAfter: 3,
          progress: new RedisRuleProgressStore(redis, prefix),
          now: wall,
        },
      );
    const firing = async (rule: string) =>
      (await store.listFiring()).filter((state) => state.rule === rule);
    return { prefix, store, tick, firing, changes };
  }

  const load = (events: readonly GeneratedEvent[]) =>
    loadEvents(Readable.from([toNdjson(events)]), client, EVENTS);
  /** A row of ingest_watermarks as ingest writes it after a batch (written_at: now). */
  const watermarkRow = (ms: number) =>
    client.insert({
      table: 'ingest_watermarks',
      values: [
        {
          topic: 'api-logs',
          partition: 0,
          max_event_time: Math.floor(ms / 1000),
          lag: 0,
          // JSONEachRow on 18.16 fills an omitted column with 0, not its DEFAULT now().
          written_at: Math.floor(Date.now() / 1000),
        },
      ],
      format: 'JSONEachRow',
    });

  it('state poisoned 23 h ahead resolves nothing, and a later attack is still detected', async () => {
    await client.command({ query: 'TRUNCATE TABLE ingest_watermarks' });
    const now = Date.now();
    const first = idEnumerationSequential({
      random: seededRandom(31),
      startMs: now - 10 * MINUTE,
      durationMs: 3 * MINUTE,
    });
    const later = idEnumerationSequential({
      random: seededRandom(32),
      startMs: now - 4 * MINUTE,
      durationMs: 3 * MINUTE,
    });
    const firstKey = first.expect[0]!.subject.key_id!;
    const laterKey = later.expect[0]!.subject.key_id!;
    expect(laterKey).not.toBe(firstKey);

    const { prefix, tick, firing } = detector();
    await load(first.events);
    await watermarkRow(now - 6 * MINUTE);
    await tick();
    expect((await firing('id-enumeration')).map((s) => s.subject.key_id)).toEqual([firstKey]);

    // What one event with ts = now + 23 h left behind: a watermark row and the saved watermark.
    const poisoned = now + 23 * 60 * MINUTE;
    await watermarkRow(poisoned);
    await redis.set(`${prefix}:detector:evaluated`, String(poisoned));
    await tick();
    expect((await firing('id-enumeration')).map((s) => s.subject.key_id)).toEqual([firstKey]);

    // The next attack, ingested as today's ingest writes it (the poisoned row still there).
    await load(later.events);
    await watermarkRow(Date.now());
    await tick();
    expect((await firing('id-enumeration')).map((s) => s.subject.key_id).sort()).toEqual(
      [firstKey, laterKey].sort(),
    );
    // And the partition is reported, as an operational alert naming it.
    expect(await firing('pipeline-health')).toMatchObject([
      { severity: 'low', subject: { component: 'partition:api-logs/0' } },
    ]);
  });

  it('a rule failing for three ticks has its windows evaluated again, and pipeline-health names it', async () => {
    await client.command({ query: 'TRUNCATE TABLE ingest_watermarks' });
    const now = Date.now();
    const t = now - 30 * MINUTE;
    // A 2xx on another account's resource: foreign-access-success (15-min window).
    const success = {
      ts: t,
      request_id: `req-${names.suffix}`,
      env: 'production',
      method: 'GET',
      path: '/v1/invoices/inv_000042',
      route: '/v1/invoices/{invoice_id}',
      status: 200,
      key_id: `key-fa-${names.suffix}`,
      account_id: 'acct_1',
      resource_id: 'inv_000042',
      resource_owner: 'acct_2',
    };
    await loadEvents(Readable.from([`${JSON.stringify(success)}\n`]), client, EVENTS);
    const { tick, firing, changes } = detector(() => now);

    await client.command({ query: 'TRUNCATE TABLE ingest_watermarks' });
    await watermarkRow(t - MINUTE);
    await tick();
    // Its query now fails (the table it reads is gone), for three ticks, while time moves on
    // past the 15-minute window that holds the event.
    await client.command({ query: 'RENAME TABLE foreign_access TO foreign_access_away' });
    try {
      for (const minutes of [5, 10, 20]) {
        await watermarkRow(t + minutes * MINUTE);
        await tick();
      }
      expect(await firing('foreign-access-success')).toEqual([]);
      expect(await firing('pipeline-health')).toMatchObject([
        { subject: { component: 'rule:foreign-access-success' }, evidence: { failures: 3 } },
      ]);
    } finally {
      await client.command({ query: 'RENAME TABLE foreign_access_away TO foreign_access' });
    }
    await tick();
    // Walked from its last success: the window holding the event is evaluated after all (and,
    // 20 minutes of event time later, the incident is already quiet again).
    expect(changes.filter((c) => c.startsWith('foreign-access-success'))).toEqual([
      `foreign-access-success opened ${success.key_id}`,
      `foreign-access-success resolved ${success.key_id}`,
    ]);
  });

  it("today's ingest keeps a +23 h event out of the watermark; pipeline-health reports the partition, and one far behind", async () => {
    await client.command({ query: 'TRUNCATE TABLE ingest_watermarks' });
    await client.command({ query: 'TRUNCATE TABLE partition_clock' });
    const now = Date.now();
    const event = (ts: number, id: string) =>
      Buffer.from(
        JSON.stringify({
          ts,
          request_id: `${id}-${names.suffix}`,
          env: 'production',
          method: 'GET',
          path: '/v1/invoices/inv_000042',
          status: 200,
          key_id: 'key_1',
          account_id: 'acct_1',
        }),
      );
    // As live ingest takes a Kafka batch of partition 1: one event from a clock 23 h ahead.
    const intake = new EventIntake({ ...EVENTS, futureToleranceMs: TOLERANCE });
    intake.setClock(now);
    const batch = new PendingBatch(100);
    const progress = batch.progressOf('api-logs', 1);
    intake.take(batch, progress, event(now - MINUTE, 'a'), null, '1', null);
    intake.take(batch, progress, event(now + 23 * 60 * MINUTE, 'b'), null, '2', null);
    await new ClickHouseWriter(client, () => undefined).storeBatch(batch);
    // Partition 2 is caught up but three hours behind: a gateway clock behind.
    await client.insert({
      table: 'ingest_watermarks',
      values: [
        {
          topic: 'api-logs',
          partition: 2,
          max_event_time: Math.floor((now - 180 * MINUTE) / 1000),
          lag: 0,
          written_at: Math.floor(now / 1000),
        },
      ],
      format: 'JSONEachRow',
    });

    const [stored] = await client
      .query({
        query: `SELECT toUnixTimestamp(max(max_event_time)) AS t FROM ingest_watermarks WHERE partition = 1`,
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ t: number | string }>());
    expect(Number(stored?.t)).toBe(Math.floor((now - MINUTE) / 1000));

    const { tick, firing } = detector();
    await tick();
    const health = (await firing('pipeline-health')).sort((a, b) =>
      a.subjectKey.localeCompare(b.subjectKey),
    );
    expect(health).toMatchObject([
      { subject: { component: 'partition:api-logs/1' }, evidence: { events_ahead: 1 } },
      { subject: { component: 'partition:api-logs/2' } },
    ]);
    expect(health[1]?.evidence.behind_seconds).toBeGreaterThan(170 * 60);
    expect(health[0]?.evidence.ahead_seconds).toBeGreaterThan(22 * 3600);
    // The alerts table keeps the component (migration 008), for `alerts list` and dashboards.
    const recorded = await listAlerts(client, { rule: 'pipeline-health', limit: 50 });
    expect(recorded.map((r) => r.component)).toEqual(
      expect.arrayContaining(['partition:api-logs/1', 'partition:api-logs/2']),
    );
  });
});
