import { redactUrlPassword } from '@denyscope/config';
import type { Config } from '../config.js';

export type StackPart = 'kafka' | 'clickhouse' | 'redis';

const ENDPOINT_VARIABLES: Record<StackPart, string> = {
  kafka: 'KAFKA_BROKERS',
  clickhouse: 'CLICKHOUSE_URL',
  redis: 'REDIS_URL',
};

/**
 * Parts of the local stack `denyscope start` brings up: each whose endpoint variable is unset
 * (empty counts as unset, as everywhere in the configuration). A configured endpoint is used as
 * it is and never started or second-guessed.
 */
export function localStackParts(env: NodeJS.ProcessEnv): StackPart[] {
  return (Object.keys(ENDPOINT_VARIABLES) as StackPart[]).filter((part) => {
    const value = env[ENDPOINT_VARIABLES[part]];
    return value === undefined || value === '';
  });
}

/** Where things are, for the console once everything was started. */
export function endpointsBanner(
  config: Config,
  running: { api: boolean; reporter: boolean; simulator: boolean },
): string[] {
  const lines = [
    // Either URL may embed a password: printed masked.
    `ClickHouse  ${redactUrlPassword(config.clickhouse.url)}  database ${config.clickhouse.database}`,
    `Kafka       ${config.kafka.brokers.join(',')}  topic ${config.kafka.topic}`,
    `Redis       ${redactUrlPassword(config.redis.url)}  prefix ${config.redis.bullmqPrefix}`,
  ];
  if (running.api) lines.push(`API         http://${config.api.host}:${config.api.port}`);
  if (running.reporter) lines.push(`Reports     ${config.reporter.dir}`);
  if (running.simulator) {
    lines.push(`Simulator   ${config.simulator.rate} events/s; first attack round ~5 s in`);
  }
  return lines;
}
