// @denyscope/scenarios: labelled traffic — attacks, benign bulk work and background — with the
// incidents each should (or must not) open. The simulator (`denyscope simulate`), the evaluation
// harness and the tests all generate their events here.
export type {
  LabelledScenario,
  RuleId,
  ScenarioContext,
  ScenarioExpectation,
  ScenarioSubject,
  Severity,
} from './types.js';
export {
  idEnumerationSequential,
  idEnumerationRandom,
  slowEnumeration,
  type IdEnumerationSequentialOptions,
  type IdEnumerationRandomOptions,
  type SlowEnumerationOptions,
} from './id-enumeration.js';
export {
  distributedEnumeration,
  type DistributedEnumerationOptions,
} from './distributed-enumeration.js';
export {
  crossEnvironmentStagingIdsInProduction,
  crossEnvironmentProductionIdsInStaging,
  type CrossEnvironmentOptions,
} from './cross-environment.js';
export { crossTenant, type CrossTenantOptions } from './cross-tenant.js';
export {
  foreignAccessSuccess,
  type ForeignAccessSuccessOptions,
} from './foreign-access-success.js';
export { staleResourceIds, type PollingOptions } from './stale-resource-ids.js';
export {
  retryOneId,
  fewStaleIdsPolledForHours,
  busyKeyLowDenyRatio,
  manyKeysRarelyDenied,
  corporateNat,
  stagingUsingStagingIds,
  type RetryOneIdOptions,
  type BusyKeyOptions,
  type ManyKeysOptions,
  type CorporateNatOptions,
  type StagingOptions,
} from './benign.js';
export { alertSubjectId } from './alert-subject.js';
export { backgroundTraffic, type BackgroundOptions } from './background.js';
export {
  composeStream,
  allScenarios,
  toNdjson,
  type ComposedStream,
  type AllScenariosOptions,
} from './compose.js';
export {
  generateEvents,
  expectedTotalsByKey,
  seededRandom,
  type GeneratedEvent,
} from './event-stream.js';
