export { testNames } from './random-names.js';
export { stackEnv } from './stack-env.js';
export { waitFor } from './wait-for.js';
export {
  generateEvents,
  expectedTotalsByKey,
  seededRandom,
  type GeneratedEvent,
} from './event-stream.js';
export {
  testKafka,
  createTopic,
  deleteTopics,
  produce,
  consumeAll,
  type ConsumedRecord,
} from './kafka.js';
export { connectionFor, migratedDatabase, dropDatabase, rows } from './clickhouse.js';
export { startService, type ServiceProcess } from './ingest-process.js';
export { stack } from './stack-control.js';
