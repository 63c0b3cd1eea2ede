import { loadConfig } from '@denyscope/config';
import { createLogger } from '@denyscope/telemetry';
import { deleteTopics, stackEnv, testKafka, testNames } from '@denyscope/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, createKafkaClient } from '../src/index.js';

// A quiet start (issue 14, item 6): `npm start` showed kafkajs warnings a user cannot act on
// ("switched default partitioner", "Limiting retries for the idempotent producer…"). The producer
// is configured so they do not arise; nothing hides them (no KAFKAJS_NO_PARTITIONER_WARNING).

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: 'quiet-producer-test',
    level: 'warn',
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
  return { log, lines };
}

describe('the kafkajs producer starts quietly', () => {
  const { topic } = testNames('quiet');
  afterAll(() => deleteTopics(testKafka(), [topic]));

  it('logs no kafkajs warning while it connects, sends and disconnects', async () => {
    expect(process.env.KAFKAJS_NO_PARTITIONER_WARNING).toBeUndefined();
    const { log, lines } = capturedLogger();
    const config = loadConfig({ ...stackEnv, KAFKA_CLIENT: 'kafkajs' });
    const kafka = await createKafkaClient(config, log);
    await kafka.createTopic({ topic, partitions: 2 });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send(topic, [{ key: null, value: Buffer.from('{}'), headers: {} }]);
    } finally {
      await producer.disconnect();
    }
    expect(lines).toEqual([]);
  });

  it('the same logger does catch both warnings with the options used before', () => {
    const { log, lines } = capturedLogger();
    const config = loadConfig({ ...stackEnv, KAFKA_CLIENT: 'kafkajs' });
    // Creating the producer is enough: kafkajs warns in its constructor.
    createKafka(config, log).producer({ idempotent: true, maxInFlightRequests: 1 });
    const messages = lines.map((line) => String(line.msg));
    expect(messages.some((m) => m.includes('switched default partitioner'))).toBe(true);
    expect(messages.some((m) => m.includes('Limiting retries for the idempotent producer'))).toBe(
      true,
    );
    expect(lines.every((line) => line.component === 'kafkajs')).toBe(true);
  });
});
