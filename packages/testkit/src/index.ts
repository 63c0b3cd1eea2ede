export { testNames } from './random-names.js';
export { stackEnv, stackEndpoints, type StackEndpoints, type StackSettings } from './stack-env.js';
export { waitFor } from './wait-for.js';
export { configRejections } from './config-rejections.js';
export { freePort } from './free-port.js';
export {
  testKafka,
  createTopic,
  deleteTopics,
  produce,
  consumeAll,
  type ConsumedRecord,
} from './kafka.js';
export { connectionFor, migratedDatabase, dropDatabase, rows } from './clickhouse.js';
export { DENYSCOPE_BIN, startService, type ServiceProcess } from './ingest-process.js';
export { startReceiver, type Answer, type Delivery, type Receiver } from './http-receiver.js';
export { startOtlpCollector, type OtlpCollector, type ReceivedSpan } from './otlp-collector.js';
export { checkPagerDuty, checkSlack, checkWebhook } from './sink-checks.js';
export { PAGERDUTY_EVENTS_V2_SCHEMA, pagerDutyEventProblems } from './pagerduty-schema.js';
export {
  stack,
  privateStack,
  type PrivateStack,
  type StackOptions,
  type StackPart,
} from './stack-control.js';
export {
  secureStackUp,
  secureStackDown,
  secureStackIsUp,
  type SecureStackOptions,
} from './secure-stack.js';
export { deleteRedisPrefix } from './redis.js';
