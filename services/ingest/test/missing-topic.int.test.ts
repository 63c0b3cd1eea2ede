import {
  createTopic,
  deleteTopics,
  dropDatabase,
  migratedDatabase,
  produce,
  startService,
  testKafka,
  testNames,
  waitFor,
  type ServiceProcess,
} from '@denyscope/testkit';
import { generateEvents } from '@denyscope/scenarios';
import { afterAll, expect, it } from 'vitest';
import { describeEachKafkaClient, totalRequests } from './ingest-helpers.js';

describeEachKafkaClient('ingest: started before its topic exists', (kafkaClient) => {
  const names = testNames(`notopic.${kafkaClient}`);
  const kafka = testKafka();
  let ingest: ServiceProcess | undefined;

  afterAll(async () => {
    await ingest?.stop();
    await dropDatabase(names.database);
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
  });

  it('waits for the topic instead of crashing, then consumes it', async () => {
    const client = await migratedDatabase(names.database);
    ingest = startService('ingest', {
      KAFKA_TOPIC: names.topic,
      KAFKA_GROUP_ID: names.groupId,
      CLICKHOUSE_DATABASE: names.database,
      INGEST_FLUSH_INTERVAL_MS: '300',
      KAFKA_CLIENT: kafkaClient,
    });
    const service = ingest;
    await waitFor(
      'the wait to be logged',
      () => Promise.resolve(service.output()),
      (out) => out.includes('source topic does not exist yet'),
    );
    expect(service.child.exitCode).toBeNull();
    await createTopic(kafka, names.topic, 1);
    const events = generateEvents({ count: 500, seed: 4 });
    await produce(kafka, names.topic, events);
    await waitFor(
      'events counted',
      () => totalRequests(client),
      (n) => n >= events.length,
      {
        timeoutMs: 60_000,
      },
    );
    await client.close();
  });

  it('stops cleanly (exit 0) on SIGTERM while it still waits for the topic', async () => {
    const waiting = startService('ingest', {
      KAFKA_TOPIC: `${names.topic}.never`,
      KAFKA_GROUP_ID: `${names.groupId}.never`,
      CLICKHOUSE_DATABASE: names.database,
      KAFKA_CLIENT: kafkaClient,
    });
    await waitFor(
      'the wait to be logged',
      () => Promise.resolve(waiting.output()),
      (out) => out.includes('source topic does not exist yet'),
    );
    const { code, signal } = await waiting.stop('SIGTERM');
    expect({ code, signal }, waiting.output().slice(-2_000)).toEqual({ code: 0, signal: null });
    expect(waiting.output()).toContain('stopped before it started');
  });
});
