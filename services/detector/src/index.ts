export {
  runReplay,
  replayReport,
  type ReplayOptions,
  type ReplayResult,
} from './replay/run-replay.js';
export { evaluateAt, findAll } from './evaluation.js';
export { IncidentManager } from './incident-manager.js';
export { MemoryIncidentStore, type IncidentStore, type Mute } from './incident-store.js';
export { toAlert, alertIdOf, type IncidentState, type IncidentTransition } from './incident.js';
export { runDetector, type RunningDetector } from './run-detector.js';
export { RedisIncidentStore } from './redis-incident-store.js';
export {
  listAlerts,
  acknowledge,
  type AcknowledgedIncident,
  type AlertFilter,
  type AlertSummary,
} from './alert-history.js';
export { acknowledgeIncident, type AcknowledgeOutcome } from './acknowledge-page.js';
export { loadEvents, type LoadSummary } from './replay/load-events.js';
