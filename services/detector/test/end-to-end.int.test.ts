import { isAtLeast, type Alert } from '@denyscope/alerts';
import {
  createTopic,
  deleteTopics,
  dropDatabase,
  migratedDatabase,
  produce,
  stackEnv,
  startService,
  testKafka,
  testNames,
  waitFor,
  type ServiceProcess,
  deleteRedisPrefix,
  checkPagerDuty,
  checkSlack,
  checkWebhook,
  startReceiver,
  type Receiver,
} from '@denyscope/testkit';
import {
  alertSubjectId,
  backgroundTraffic,
  busyKeyLowDenyRatio,
  composeStream,
  corporateNat,
  crossEnvironmentProductionIdsInStaging,
  crossEnvironmentStagingIdsInProduction,
  crossTenant,
  distributedEnumeration,
  foreignAccessSuccess,
  idEnumerationRandom,
  idEnumerationSequential,
  retryOneId,
  seededRandom,
  stagingUsingStagingIds,
  type GeneratedEvent,
  type ScenarioExpectation,
} from '@denyscope/scenarios';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The notifier's own test receivers: local Slack/PagerDuty/webhook stand-ins that check shapes
// and signatures.

const MINUTE = 60_000;
const SECRET = 'e2e-webhook-secret-0123456789';
const ROUTING_KEY = 'e2e-routing-key-0123456789abcdef';

const subjectId = alertSubjectId;

function matches(alert: Alert, expected: ScenarioExpectation): boolean {
  return (
    alert.rule === expected.rule &&
    subjectId(alert.rule, alert.subject) === subjectId(expected.rule, expected.subject)
  );
}

// Kafka → ingest → two detectors → notifier (restarted mid-way) → local receivers. Event time
// runs 20 minutes, produced at about 40× speed in event-time order, as a live stream would arrive.
describe('end to end: attacks in background traffic reach the receivers once each', () => {
  const names = testNames('e2e');
  const kafka = testKafka();
  const prefix = `test-e2e-${names.suffix}`;
  const startMs = Date.now() - 30 * MINUTE;
  const ctx = { random: seededRandom(99), startMs, durationMs: 20 * MINUTE };
  const stream = composeStream([
    idEnumerationSequential(ctx),
    idEnumerationRandom(ctx),
    distributedEnumeration(ctx),
    crossEnvironmentStagingIdsInProduction(ctx),
    crossEnvironmentProductionIdsInStaging(ctx),
    crossTenant(ctx, { concentrated: true }),
    foreignAccessSuccess(ctx),
    retryOneId(ctx),
    busyKeyLowDenyRatio(ctx),
    corporateNat(ctx, { spanMs: 15 * MINUTE }),
    stagingUsingStagingIds(ctx),
    backgroundTraffic(ctx, { accounts: 40, keysPerAccount: 3, eventsPerSecond: 5 }),
  ]);
  const attacks = stream.scenarios.filter((s) => s.kind === 'attack');
  const benign = stream.scenarios.filter((s) => s.kind === 'benign');
  const processes: ServiceProcess[] = [];
  let webhook: Receiver;
  let pagerduty: Receiver;
  let slack: Receiver;
  /** Wall time at which each event-time second was produced, for the latency log. */
  const producedAt = new Map<number, number>();

  const common = () => ({
    KAFKA_TOPIC: names.topic,
    KAFKA_GROUP_ID: names.groupId,
    CLICKHOUSE_DATABASE: names.database,
    BULLMQ_PREFIX: prefix,
    INGEST_FLUSH_INTERVAL_MS: '500',
    WEBHOOK_URL: webhook.url,
    WEBHOOK_SECRET: SECRET,
    PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    PAGERDUTY_EVENTS_URL: `${pagerduty.url}/v2/enqueue`,
    SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/XXXX`,
    NOTIFY_BACKOFF_MS: '200',
  });
  const start = (command: string) => {
    const service = startService(command, common());
    processes.push(service);
    return service;
  };

  beforeAll(async () => {
    webhook = await startReceiver(checkWebhook(SECRET));
    pagerduty = await startReceiver(checkPagerDuty(ROUTING_KEY));
    slack = await startReceiver(checkSlack);
    await (await migratedDatabase(names.database)).close();
    await createTopic(kafka, names.topic, 2);
    start('ingest');
    start('detect');
    start('detect'); // a second instance: ticks must still run once
    start('notify');
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all([webhook?.close(), pagerduty?.close(), slack?.close()]);
    await dropDatabase(names.database);
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
    const redis = new Redis(stackEnv.REDIS_URL);
    await deleteRedisPrefix(redis, prefix);
    redis.disconnect();
  });

  it('notifies every attack once per state change, pages no benign subject, survives a notifier restart', async () => {
    // Produce in event-time order, 30 s of event time at a time.
    let chunk: GeneratedEvent[] = [];
    let chunkEnd = startMs + 30_000;
    let restarted = false;
    for (const event of [...stream.events, null]) {
      if (event === null || event.ts >= chunkEnd) {
        await produce(kafka, names.topic, chunk, 5_000);
        const now = Date.now();
        for (const e of chunk) producedAt.set(Math.floor(e.ts / 1000), now);
        chunk = [];
        chunkEnd += 30_000;
        await sleep(700);
        // Restart the notifier once deliveries have begun.
        if (!restarted && webhook.accepted.length > 0) {
          restarted = true;
          const notifier = processes.find((p) => p.child.spawnargs.includes('notify'));
          expect((await notifier?.stop())?.code).toBe(0);
          start('notify');
        }
      }
      if (event !== null) chunk.push(event);
    }
    expect(restarted, 'the notifier was restarted while alerts flowed').toBe(true);

    const delivered = () => webhook.accepted.map((d) => d.body as Alert);
    await waitFor(
      'every attack notified',
      () => Promise.resolve(delivered()),
      (alerts) => attacks.every((s) => s.expect.every((e) => alerts.some((a) => matches(a, e)))),
      { timeoutMs: 90_000, everyMs: 500 },
    );
    await sleep(5_000); // let anything late or duplicated arrive before counting

    const alerts = delivered();
    // Exactly once per state change: (alert_id, version) never repeats.
    const changes = webhook.accepted.map((d) => String(d.headers['x-denyscope-delivery']));
    expect(changes.length).toBe(new Set(changes).size);
    for (const scenario of attacks) {
      for (const expected of scenario.expect) {
        const raised = alerts.filter((a) => matches(a, expected));
        expect(new Set(raised.map((a) => a.alert_id)).size, `${scenario.name}: one incident`).toBe(
          1,
        );
      }
    }
    for (const scenario of benign) {
      for (const quiet of scenario.expect) {
        expect(
          alerts.filter((a) => matches(a, quiet) && isAtLeast(a.severity, 'medium')),
          `${scenario.name}`,
        ).toEqual([]);
      }
    }
    // PagerDuty got only high and critical, Slack medium and above; every payload had the right shape.
    for (const receiver of [webhook, pagerduty, slack]) expect(receiver.problems).toEqual([]);
    expect(pagerduty.accepted.length).toBeGreaterThan(0);
    expect(slack.accepted.length).toBeGreaterThanOrEqual(pagerduty.accepted.length);

    // The latency target is the benchmark's; here it is logged so a slow pipeline is visible.
    for (const d of webhook.accepted) {
      const alert = d.body as Alert;
      const sent = producedAt.get(Math.floor(Date.parse(alert.last_seen) / 1000));
      if (sent !== undefined) {
        console.info(
          `alert ${alert.rule} ${alert.severity}: ${((d.at - sent) / 1000).toFixed(1)} s after its last event was produced`,
        );
      }
    }
  });
});
