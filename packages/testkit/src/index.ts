export { testNames } from './random-names.js';
export { stackEnv, stackEndpoints, type StackEndpoints, type StackSettings } from './stack-env.js';
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
export { startReceiver, type Answer, type Delivery, type Receiver } from './http-receiver.js';
export {
  stack,
  privateStack,
  type PrivateStack,
  type StackOptions,
  type StackPart,
} from './stack-control.js';
export {
  idEnumerationSequential,
  idEnumerationRandom,
  slowEnumeration,
  distributedEnumeration,
  crossEnvironmentStagingIdsInProduction,
  crossEnvironmentProductionIdsInStaging,
  crossTenant,
  foreignAccessSuccess,
  staleResourceIds,
  retryOneId,
  fewStaleIdsPolledForHours,
  busyKeyLowDenyRatio,
  manyKeysRarelyDenied,
  corporateNat,
  stagingUsingStagingIds,
  alertSubjectId,
  backgroundTraffic,
  composeStream,
  allScenarios,
  toNdjson,
  type LabelledScenario,
  type ScenarioContext,
  type ScenarioExpectation,
  type ScenarioSubject,
  type ComposedStream,
  type AllScenariosOptions,
  type BackgroundOptions,
} from './scenarios/index.js';
export {
  secureStackUp,
  secureStackDown,
  secureStackIsUp,
  type SecureStackOptions,
} from './secure-stack.js';
export { deleteRedisPrefix } from './redis.js';
