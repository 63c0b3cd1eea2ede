import type { IncidentTransition } from './incident.js';

/**
 * Where incident state changes go: the alerts table, the notification queue, or stdout (replay).
 * Each must be idempotent per (alert_id, version): a crashed tick repeats its transitions.
 */
export interface TransitionOutput {
  readonly name: string;
  write(change: IncidentTransition, muted: boolean): Promise<void>;
}
