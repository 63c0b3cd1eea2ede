import type { ClickHouseClient } from '@denyscope/clickhouse';
import { rows, waitFor } from '@denyscope/testkit';

/** One recorded state change of a pipeline-health incident (operational, not a security page). */
export interface HealthChange {
  alert_id: string;
  version: number;
  transition: string;
  severity: string;
  component: string;
  evidence: Record<string, unknown>;
}

/** Every pipeline-health state change in the alerts table, by incident and version. */
export async function healthChanges(client: ClickHouseClient): Promise<HealthChange[]> {
  const found = await rows<{
    alert_id: string;
    version: string | number;
    transition: string;
    severity: string;
    component: string;
    evidence: string;
  }>(
    client,
    // Not ordered by recorded_at: the detector's JSONEachRow rows leave it to its DEFAULT, which
    // 18.16 fills with 0.
    `SELECT alert_id, version, transition, severity, component, evidence
     FROM alerts FINAL WHERE rule = 'pipeline-health' AND version > 0
     ORDER BY alert_id, version`,
  );
  return found.map((r) => ({
    alert_id: r.alert_id,
    version: Number(r.version),
    transition: r.transition,
    severity: r.severity,
    component: r.component,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  }));
}

/** Waits until a pipeline-health incident about `component` has a `transition`; returns that change. */
export async function waitHealth(
  client: ClickHouseClient,
  component: string,
  transition: 'opened' | 'resolved' = 'opened',
  timeoutMs = 120_000,
): Promise<HealthChange> {
  const changes = await waitFor(
    `pipeline-health ${transition} for ${component}`,
    () => healthChanges(client),
    (all) => all.some((c) => c.component === component && c.transition === transition),
    { timeoutMs, everyMs: 500 },
  );
  const found = changes.find((c) => c.component === component && c.transition === transition);
  if (found === undefined) throw new Error('unreachable');
  return found;
}
