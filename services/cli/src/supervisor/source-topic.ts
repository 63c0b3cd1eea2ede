import type { SharedConfig } from '@denyscope/config';
import { kafkajsSecurity } from '@denyscope/kafka';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Creates the source topic when it is missing, so that a fresh `npm start` has something for
 * ingest to consume (ingest itself only waits for the topic: producers own it). Where creating is
 * not allowed (a managed Kafka with ACLs), the failure is reported and start-up goes on. Returns
 * what happened, for the console: "exists", "created" or "could not be created (…)".
 */
export async function ensureSourceTopic(config: SharedConfig): Promise<string> {
  const kafka = new Kafka({
    clientId: `${config.kafka.clientId}-start`,
    brokers: config.kafka.brokers,
    ...kafkajsSecurity(config.kafka),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    if ((await admin.listTopics()).includes(config.kafka.topic)) return 'exists';
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: config.kafka.topic, numPartitions: 3 }],
    });
    return 'created';
  } catch (error) {
    return `could not be created (${(error as Error).message})`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
