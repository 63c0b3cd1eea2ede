import {
  quoteUInt,
  serverCapabilities,
  sqlValues,
  type ClickHouseClient,
} from '@denyscope/clickhouse';
import type { RuleId } from '@denyscope/alerts';

export interface AlertSummary {
  alert_id: string;
  rule: string;
  severity: string;
  status: string;
  key_id: string;
  account_id: string;
  client_ip: string;
  /** pipeline-health's subject (`rule:<id>`, `partition:<topic>/<n>`); '' for the other rules. */
  component: string;
  env: string;
  summary: string;
  version: number;
  muted: number;
  acknowledged: number;
  first_seen: string;
  last_seen: string;
  /** The same two times as Unix seconds (the strings above are in the server's time zone). */
  first_seen_unix: number;
  last_seen_unix: number;
}

export interface AlertFilter {
  status?: string | undefined;
  rule?: string | undefined;
  severity?: string | undefined;
  keyId?: string | undefined;
  accountId?: string | undefined;
  alertId?: string | undefined;
  /** Only incidents whose last event is at or after this time (Unix seconds). */
  sinceUnix?: number | undefined;
  /** Only incidents whose first event is at or before this time (Unix seconds). */
  untilUnix?: number | undefined;
  limit: number;
}

/**
 * The latest state of each incident, from the alerts table. Acknowledgements are rows of
 * version 0, outside the detector's own version sequence, so they never replace a state change.
 * The filter's strings come from API and CLI requests: query parameters where the server has
 * them, quoted literals on 18.16 (sqlValues).
 */
export async function listAlerts(
  client: ClickHouseClient,
  filter: AlertFilter,
): Promise<AlertSummary[]> {
  const v = sqlValues(await serverCapabilities(client));
  const filters = [
    filter.status ? `a_status = ${v.string(filter.status)}` : '',
    filter.rule ? `a_rule = ${v.string(filter.rule)}` : '',
    filter.severity ? `a_severity = ${v.string(filter.severity)}` : '',
    filter.keyId ? `a_key = ${v.string(filter.keyId)}` : '',
    filter.accountId ? `a_account = ${v.string(filter.accountId)}` : '',
    filter.alertId ? `alert_id = ${v.string(filter.alertId)}` : '',
    filter.sinceUnix === undefined ? '' : `a_last_unix >= ${quoteUInt(filter.sinceUnix)}`,
    filter.untilUnix === undefined ? '' : `a_first_unix <= ${quoteUInt(filter.untilUnix)}`,
  ].filter(Boolean);
  // Inner names differ from the columns: on 18.16 an alias named like a column replaces that
  // column inside the other aggregates of the query.
  const result = await client.query({
    query: `
      SELECT alert_id, a_rule AS rule, a_severity AS severity, a_status AS status,
        a_key AS key_id, a_account AS account_id, a_ip AS client_ip, a_component AS component,
        a_env AS env,
        a_summary AS summary, a_version AS version, a_muted AS muted, a_acked AS acknowledged,
        a_first AS first_seen, a_last AS last_seen,
        a_first_unix AS first_seen_unix, a_last_unix AS last_seen_unix
      FROM (
        SELECT alert_id,
          argMaxIf(rule, version, version > 0) AS a_rule,
          argMaxIf(severity, version, version > 0) AS a_severity,
          argMaxIf(status, version, version > 0) AS a_status,
          any(key_id) AS a_key, any(account_id) AS a_account, any(client_ip) AS a_ip,
          any(component) AS a_component,
          any(env) AS a_env,
          argMaxIf(summary, version, version > 0) AS a_summary,
          max(version) AS a_version,
          argMaxIf(muted, version, version > 0) AS a_muted,
          max(transition = 'acknowledged') AS a_acked,
          toString(min(first_seen)) AS a_first,
          toString(max(last_seen)) AS a_last,
          toUInt32(min(first_seen)) AS a_first_unix,
          toUInt32(max(last_seen)) AS a_last_unix
        FROM alerts FINAL
        GROUP BY alert_id
      )
      ${filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : ''}
      ORDER BY last_seen DESC
      LIMIT ${quoteUInt(filter.limit)}`,
    query_params: v.params,
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
): Promise<AcknowledgedIncident | null> {
  const v = sqlValues(await serverCapabilities(client));
  const result = await client.query({
    query: `SELECT * FROM alerts FINAL WHERE alert_id = ${v.string(alertId)} AND version > 0 ORDER BY version DESC LIMIT 1`,
    query_params: v.params,
    format: 'JSONEachRow',
  });
  const [latest] = await result.json<Record<string, unknown>>();
  if (latest === undefined) return null;
  // recorded_at is now, set explicitly: 18.16 fills an omitted JSONEachRow column with 0 (1970).
  await client.insert({
    table: 'alerts',
    format: 'JSONEachRow',
    values: [
      {
        ...latest,
        version: 0,
        transition: 'acknowledged',
        note: `${by}: ${note}`,
        recorded_at: Math.floor(Date.now() / 1000),
      },
    ],
  });
  return { alertId, rule: latest.rule as RuleId, status: String(latest.status) };
}

/** Which incident an acknowledgement was recorded for. */
export interface AcknowledgedIncident {
  alertId: string;
  rule: RuleId;
  /** The incident's status as last recorded: `firing` or `resolved`. */
  status: string;
}
