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
