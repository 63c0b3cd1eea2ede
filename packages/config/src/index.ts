export { loadConfig, configProblems, type Config } from './load-config.js';
export { ConfigError } from './errors.js';
export { redactUrlPassword, REDACTED_PASSWORD } from './redact-url.js';
export { API_LIMIT_DEFAULTS } from './sections/api.js';
export {
  DEFAULT_KEY_READS_PER_MINUTE,
  DEFAULT_MAX_NEW_INCIDENTS_PER_RULE,
  DEFAULT_QUERY_LIMITS,
  DEFAULT_RESOLVED_TTL_MS,
  envSchema,
} from './env-schema.js';
export {
  flushLandedChannel,
  redisConnectionOptions,
  type RedisConnectionOptions,
} from './redis-options.js';
export {
  SASL_MECHANISMS,
  type KafkaSasl,
  type KafkaSecurity,
  type KafkaTls,
  type SaslMechanism,
} from './sections/connections.js';
export {
  KAFKA_CLIENTS,
  PLATFORMATIC_MIN_NODE,
  kafkaClientProblem,
  type KafkaClientName,
} from './sections/kafka-client.js';
