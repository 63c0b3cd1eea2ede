import { alertSchema, type Alert } from '@denyscope/alerts';
import { createClickHouseClient } from '@denyscope/clickhouse';
import {
  KAFKA_CLIENTS,
  kafkaClientProblem,
  loadConfig,
  type KafkaClientName,
} from '@denyscope/config';
import { kafkajsSecurity } from '@denyscope/kafka';
import {
  createTopic,
  deleteTopics,
  produce,
  startReceiver,
  startService,
  testKafka,
  testNames,
  waitFor,
  type Receiver,
  type ServiceProcess,
} from '@denyscope/testkit';
import { idEnumerationSequential, seededRandom } from '@denyscope/scenarios';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// The whole path over the secured local stack (infra/stack/secure.sh): events produced over
// SASL_SSL (SCRAM-SHA-512, private CA) → ingest → ClickHouse over HTTPS with a password user →
// detector and notifier over TLS Redis with an ACL user → an alert at a local webhook. Every
// connection is made by the real services from the documented variables only. Ingest runs once
// with each Kafka client (KAFKA_CLIENT); platformatic needs Node.js 22.22+ (npm test runs on 24).

const MINUTE = 60_000;
const SECRET = 'secure-webhook-secret-0123456789';

for (const client of KAFKA_CLIENTS) {
  const problem = kafkaClientProblem(client, process.versions.node);
  if (problem === null)
    describe(`denyscope over TLS and authentication [${client}]`, () => pipeline(client));
  else {
    console.warn(`skipped: secure pipeline [${client}]: ${problem}`);
    describe.skip(`denyscope over TLS and authentication [${client}: skipped, ${problem}]`, () =>
      pipeline(client));
  }
}

function pipeline(kafkaClient: KafkaClientName): void {
  const secureEnv = inject('secureEnv');
  const config = loadConfig(secureEnv);
  const kafka = testKafka(config.kafka.brokers.join(','), kafkajsSecurity(config.kafka));
  const names = testNames(`secure-${kafkaClient}`);
  const processes: ServiceProcess[] = [];
  let webhook: Receiver;

  const env = (): Record<string, string> => ({
    ...secureEnv,
    KAFKA_TOPIC: names.topic,
    KAFKA_GROUP_ID: names.groupId,
    KAFKA_CLIENT: kafkaClient,
    CLICKHOUSE_DATABASE: names.database,
    BULLMQ_PREFIX: `secure-${names.suffix}`,
    INGEST_FLUSH_INTERVAL_MS: '500',
    WEBHOOK_URL: webhook.url,
    WEBHOOK_SECRET: SECRET,
    NOTIFY_BACKOFF_MS: '200',
  });

  beforeAll(async () => {
    webhook = await startReceiver(({ body }) => {
      alertSchema.parse(body);
    });
    const migrate = startService('migrate', env());
    const migrated = await migrate.exited;
    expect(migrated.code, migrate.output()).toBe(0);
    await createTopic(kafka, names.topic, 2);
    for (const command of ['ingest', 'detect', 'notify']) {
      processes.push(startService(command, env()));
    }
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await webhook?.close();
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]).catch(() => undefined);
    const clickhouse = createClickHouseClient(config.clickhouse, { database: null });
    await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${names.database}` });
    await clickhouse.close();
  });

  it('stores the events and delivers the scan as an alert', async () => {
    const scan = idEnumerationSequential({
      random: seededRandom(7),
      startMs: Date.now() - 10 * MINUTE,
      durationMs: 5 * MINUTE,
    });
    await produce(kafka, names.topic, scan.events);

    const clickhouse = createClickHouseClient({ ...config.clickhouse, database: names.database });
    try {
      const denials = scan.events.filter((event) => event.status === 403).length;
      await waitFor(
        'denials stored over HTTPS',
        async () => {
          const result = await clickhouse.query({
            query: 'SELECT count() AS n FROM denials',
            format: 'JSONEachRow',
          });
          return Number((await result.json<{ n: string }>())[0]?.n ?? 0);
        },
        (n) => n === denials,
        { timeoutMs: 60_000 },
      );
    } finally {
      await clickhouse.close();
    }

    const expected = scan.expect[0]!;
    const alert = await waitFor(
      'the id-enumeration alert at the webhook',
      () =>
        Promise.resolve(
          webhook.accepted
            .map((delivery) => delivery.body as Alert)
            .find((body) => body.rule === expected.rule),
        ),
      (found) => found !== undefined,
      { timeoutMs: 90_000 },
    );
    expect(alert?.subject.key_id).toBe(expected.subject.key_id);
    expect(webhook.problems).toEqual([]);
    for (const service of processes) {
      expect(service.child.exitCode, service.output().slice(-2_000)).toBeNull();
    }
  });
}
