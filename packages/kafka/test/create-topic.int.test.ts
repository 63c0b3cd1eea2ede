import { KAFKA_CLIENTS, kafkaClientProblem, loadConfig } from '@denyscope/config';
import { createLogger } from '@denyscope/telemetry';
import { stackEnv, testNames } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { createKafkaClient } from '../src/index.js';

// Replicas of ingest start together and each makes sure the dead-letter topic exists: the one
// that creates it second must carry on, not crash (seen with @platformatic/kafka, which throws
// TOPIC_ALREADY_EXISTS where kafkajs answers false).
for (const name of KAFKA_CLIENTS) {
  const problem = kafkaClientProblem(name, process.versions.node);
  describe.skipIf(problem !== null)(`createTopic [${name}]`, () => {
    it('succeeds for every caller when several create one topic at once', async () => {
      const config = loadConfig({ ...stackEnv, KAFKA_CLIENT: name });
      const log = createLogger({ service: 'test', level: 'silent' });
      const kafka = await createKafkaClient(config, log);
      const { topic } = testNames(`create.${name}`);
      const attempts = await Promise.allSettled(
        [1, 2, 3].map(() => kafka.createTopic({ topic, partitions: 2 })),
      );
      expect(attempts.map((attempt) => attempt.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      await expect(kafka.createTopic({ topic, partitions: 2 })).resolves.toBeUndefined();
      expect(await kafka.listTopics()).toContain(topic);
    });
  });
}
