import { loadConfig } from '@denyscope/config';
import { kafkajsSecurity } from '@denyscope/kafka';
import {
  createTopic,
  deleteTopics,
  freePort,
  startService,
  testKafka,
  testNames,
  waitFor,
  type ServiceProcess,
} from '@denyscope/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';

// The other commands that open their own connections, over the secured local stack
// (infra/stack/secure.sh) from the documented variables only: the API's readiness probe (Kafka
// admin over SASL_SSL, ClickHouse over HTTPS with a password, Redis over TLS with an ACL user)
// and the traffic simulator (a producer over SASL_SSL). secure-pipeline covers ingest, the
// detector and the notifier.

describe('the API and the simulator over TLS and authentication', () => {
  const secureEnv = inject('secureEnv');
  const config = loadConfig(secureEnv);
  const kafka = testKafka(config.kafka.brokers.join(','), kafkajsSecurity(config.kafka));
  const names = testNames('secure-edges');
  const processes: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await deleteTopics(kafka, [names.topic]).catch(() => undefined);
  });

  it('/readyz reports Kafka, ClickHouse and Redis up', async () => {
    const port = await freePort();
    const api = startService('api', {
      ...secureEnv,
      API_PORT: String(port),
      API_ADMIN_TOKENS: 'secure-edges-admin-token-0123456789',
    });
    processes.push(api);
    const ready = await waitFor(
      'the API to answer /readyz',
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        return response === null ? null : { status: response.status, body: await response.json() };
      },
      (answer) => answer?.status === 200,
      { timeoutMs: 60_000 },
    );
    expect(ready?.body, api.output().slice(-2_000)).toEqual({
      status: 'ready',
      checks: { kafka: 'up', clickhouse: 'up', redis: 'up' },
    });
  });

  it('denyscope simulate produces its traffic over SASL_SSL', async () => {
    await createTopic(kafka, names.topic, 1);
    const simulate = startService(
      'simulate',
      { ...secureEnv, KAFKA_TOPIC: names.topic },
      {
        args: ['--rate', '100', '--duration', '3s', '--seed', '7'],
      },
    );
    processes.push(simulate);
    const exit = await simulate.exited;
    expect(exit.code, simulate.output().slice(-2_000)).toBe(0);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [partition] = await admin.fetchTopicOffsets(names.topic);
      // 3 s at 100 events/s, whatever the start-up took.
      expect(Number(partition?.high)).toBeGreaterThanOrEqual(200);
    } finally {
      await admin.disconnect();
    }
  });
});
