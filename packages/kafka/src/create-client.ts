import type { SharedConfig } from '@denyscope/config';
import type { Logger } from '@denyscope/telemetry';
import type { KafkaClient } from './client.js';
import { KafkajsClient } from './kafkajs/client.js';

/**
 * The Kafka client KAFKA_CLIENT names (config.kafka.client). loadConfig has already refused
 * `platformatic` on a Node.js older than the library supports; its module is loaded only here,
 * so nothing of it runs unless it was chosen.
 */
export async function createKafkaClient(
  config: SharedConfig,
  log: Logger,
  role?: string,
): Promise<KafkaClient> {
  if (config.kafka.client === 'platformatic') {
    const { PlatformaticClient } = await import('./platformatic/client.js');
    return new PlatformaticClient(config, log, role);
  }
  return new KafkajsClient(config, log, role);
}
