import type { SharedConfig } from '@denyscope/config';
import type { Logger } from '@denyscope/telemetry';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { kafkajsSecurity } from './security.js';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose own logs go through our pino logger (object first, as JSON), secured as
 * configured (KAFKA_SSL*, KAFKA_SASL_*). `role` suffixes the client id (e.g. `simulator`) so
 * brokers can tell the programs apart.
 */
export function createKafka(config: SharedConfig, log: Logger, role?: string): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: role === undefined ? config.kafka.clientId : `${config.kafka.clientId}-${role}`,
    brokers: config.kafka.brokers,
    ...kafkajsSecurity(config.kafka),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        kafkaLog[LEVEL_NAMES[level] ?? 'info'](fields, message);
      },
    retry: { initialRetryTime: 300, retries: 8 },
  });
}
