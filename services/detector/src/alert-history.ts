import { quoteString, quoteUInt, type ClickHouseClient } from '@denyscope/clickhouse';

export interface AlertSummary {
  alert_id: string;
  rule: string;
  severity: string;
  status: string;
  key_id: string;
  account_id: string;
  client_ip: string;
  env: string;
  summary: string;
  version: number;
  muted: number;
  acknowledged: number;
  first_seen: string;
  last_seen: string;
}

/**
 * The latest state of each incident, from the alerts table. Acknowledgements are rows of
 * version 0, outside the detector's own version sequence, so they never replace a state change.
 */
export async function listAlerts(
  client: ClickHouseClient,
  filter: { status?: string; rule?: string; alertId?: string; limit: number },
): Promise<AlertSummary[]> {
  const having = [
    filter.status ? `status = ${quoteString(filter.status)}` : '',
    filter.rule ? `rule = ${quoteString(filter.rule)}` : '',
    filter.alertId ? `alert_id = ${quoteString(filter.alertId)}` : '',
  ].filter(Boolean);
  const result = await client.query({
    query: `
      SELECT alert_id,
        argMaxIf(rule, version, version > 0) AS rule,
        argMaxIf(severity, version, version > 0) AS severity,
        argMaxIf(status, version, version > 0) AS status,
        any(key_id) AS key_id, any(account_id) AS account_id, any(client_ip) AS client_ip,
        any(env) AS env,
        argMaxIf(summary, version, version > 0) AS summary,
        max(version) AS version,
        argMaxIf(muted, version, version > 0) AS muted,
        max(transition = 'acknowledged') AS acknowledged,
        toString(min(first_seen)) AS first_seen,
        toString(max(last_seen)) AS last_seen
      FROM alerts FINAL
      GROUP BY alert_id
      ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
      ORDER BY last_seen DESC
      LIMIT ${quoteUInt(filter.limit)}`,
    format: 'JSONEachRow',
  });
  return result.json<AlertSummary>();
}

/** Records an acknowledgement (who, why) as a version-0 row of the alerts table. */
export async function acknowledge(
  client: ClickHouseClient,
  alertId: string,
  by: string,
  note: string,
): Promise<boolean> {
  const result = await client.query({
    query: `SELECT * FROM alerts FINAL WHERE alert_id = ${quoteString(alertId)} AND version > 0 ORDER BY version DESC LIMIT 1`,
    format: 'JSONEachRow',
  });
  const [latest] = await result.json<Record<string, unknown>>();
  if (latest === undefined) return false;
  // recorded_at is left to its default (now) for the new row.
  const row = Object.fromEntries(Object.entries(latest).filter(([name]) => name !== 'recorded_at'));
  await client.insert({
    table: 'alerts',
    format: 'JSONEachRow',
    values: [{ ...row, version: 0, transition: 'acknowledged', note: `${by}: ${note}` }],
  });
  return true;
}
