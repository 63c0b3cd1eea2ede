export { loadConfig, configProblems, variablesOf, type ConfigOf } from './load-config.js';
export {
  defineSection,
  DuplicateVariableError,
  type Section,
  type SectionConfig,
  type SectionConfigs,
  type Sections,
  type Variables,
} from './define-section.js';
export {
  DEFAULT_QUERY_LIMITS,
  sharedSection,
  sharedVariables,
  type SharedConfig,
} from './shared-section.js';
export {
  ENV_DURATION_MESSAGE,
  IDENTIFIER,
  bool,
  commaSeparated,
  durationMs,
  httpUrl,
  int,
  list,
  ruleIds,
  severity,
  text,
  url,
  wholeUnits,
} from './variables.js';
export { ConfigError } from './errors.js';
export { redactUrlPassword, REDACTED_PASSWORD } from './redact-url.js';
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
