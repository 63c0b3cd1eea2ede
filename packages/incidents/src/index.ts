export {
  alertIdOf,
  generationOf,
  toAlert,
  type IncidentState,
  type IncidentTransition,
} from './incident.js';
export { MemoryIncidentStore, type Mute, type IncidentStore } from './incident-store.js';
export { DEFAULT_RESOLVED_TTL_MS, RedisIncidentStore } from './redis-incident-store.js';
export {
  listAlerts,
  acknowledge,
  type AlertSummary,
  type AlertFilter,
  type AcknowledgedIncident,
} from './alert-history.js';
export { acknowledgeIncident, type AcknowledgeOutcome } from './acknowledge-page.js';
export { ALERT_JOB_OPTIONS, AlertsQueueOutput } from './alerts-queue-output.js';
export { type TransitionOutput } from './outputs.js';
export { AlertsTableOutput } from './alerts-table.js';
