// The chaos suite's own stack: same scripts as `npm run stack:up`, other ports and directory, so
// that stopping its ClickHouse, Redis or Kafka never touches the shared stack on the default
// ports, which other test runs and people use. Plain constants (no imports): vitest.config.ts
// reads them too.

/** stack.sh settings of the private stack (ClickHouse 18.16 opens only its HTTP and TCP ports). */
export const CHAOS_STACK_SETTINGS = {
  KAFKA_PORT: '29092',
  KAFKA_CONTROLLER_PORT: '29093',
  CLICKHOUSE_HTTP_PORT: '28123',
  CLICKHOUSE_TCP_PORT: '29000',
  REDIS_PORT: '26379',
  DENYSCOPE_STACK_DIR: '.stack-chaos',
  // Redis down for 30 s must delay alerts, not lose them: like a production Redis under BullMQ,
  // this one keeps its data (queues, incident state, delivery ledger) across a restart.
  REDIS_APPENDONLY: 'yes',
} as const;

/** What the services and the testkit read to find the private stack. */
export const CHAOS_ENDPOINTS = {
  KAFKA_BROKERS: `127.0.0.1:${CHAOS_STACK_SETTINGS.KAFKA_PORT}`,
  CLICKHOUSE_URL: `http://127.0.0.1:${CHAOS_STACK_SETTINGS.CLICKHOUSE_HTTP_PORT}`,
  REDIS_URL: `redis://127.0.0.1:${CHAOS_STACK_SETTINGS.REDIS_PORT}`,
} as const;
