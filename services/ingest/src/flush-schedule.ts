/**
 * How far past each whole INGEST_FLUSH_INTERVAL_MS of wall time the time-based flush runs. Event
 * time is stored to the second, and the detector's windows end at whole seconds: the flush at
 * second S + 0.3 s holds every event stamped before S that the consumer had fetched by then.
 * 300 ms covers the consumer's fetch wait (a fetch answers within at most 200 ms, run-ingest.ts)
 * and the trip through Kafka; a later phase would only add to the paging latency.
 */
export const FLUSH_PHASE_MS = 300;

/**
 * Milliseconds from `nowMs` to the next time-based flush: the next instant k × interval + phase
 * (epoch ms) after now, the phase capped at half the interval. Boundaries on the wall clock
 * rather than "interval after the last flush" make every ingest instance (NTP keeps their clocks
 * within milliseconds) flush each second's rows together, so the detector does not evaluate a
 * second that one instance has stored and another has not (docs/rules.md, "When rules run").
 */
export function nextFlushDelay(nowMs: number, intervalMs: number): number {
  const phase = Math.min(FLUSH_PHASE_MS, Math.floor(intervalMs / 2));
  const sinceBoundary = (((nowMs - phase) % intervalMs) + intervalMs) % intervalMs;
  return intervalMs - sinceBoundary;
}
