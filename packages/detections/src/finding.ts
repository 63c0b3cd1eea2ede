import type { SqlCapabilities, SqlValues } from '@denyscope/clickhouse';
import type { RuleId, Severity } from '@denyscope/alerts';

/** Who a finding is about: only the fields that identify the rule's subject. */
export interface Subject {
  key_id?: string;
  account_id?: string;
  client_ip?: string;
  /**
   * Operational rules only (pipeline-health): the part of denyscope a finding is about, as
   * `<kind>:<name>`, e.g. `rule:cross-tenant` or `partition:api.responses/3`.
   */
  component?: string;
}

/** What one rule saw about one subject at one evaluation; the incident manager turns it into alerts. */
export interface Finding {
  rule: RuleId;
  /** The identity of the incident: (rule, subjectKey). */
  subjectKey: string;
  subject: Subject;
  env: string;
  severity: Severity;
  window: { start: Date; end: Date };
  /** Event times of the first and last event that counted. */
  firstSeen: Date;
  lastSeen: Date;
  summary: string;
  evidence: Record<string, unknown>;
}

/** A rule whose evaluation keeps failing, as the live detector counts it. */
export interface FailingRule {
  rule: RuleId;
  /** Ticks in a row whose evaluation of the rule failed. */
  failures: number;
  lastError: string;
  /** The last watermark the rule was evaluated at successfully; its windows since wait. */
  evaluatedUntil: Date | null;
}

/**
 * What the live detector knows about its own pipeline, for the pipeline-health rule. Absent in
 * replay: it runs on pure event time, where wall clocks and failing ticks mean nothing.
 */
export interface PipelineHealthInput {
  /** Wall time of the tick. */
  now: Date;
  /** DETECT_FUTURE_TOLERANCE_MS: how far ahead of wall time event time may run. */
  futureToleranceMs: number;
  /** DETECT_RULE_FAILURE_ALERT_AFTER: failures in a row that make a finding. */
  failureAlertAfter: number;
  /** Every rule that failed at least once in a row up to now. */
  failingRules: readonly FailingRule[];
}

/** Everything a rule may use: the watermark (windows end there) and a read-only query runner. */
export interface EvaluationContext {
  watermark: Date;
  /** Runs a read-only query; `params` are the query parameters its SqlValues made (`select`). */
  query: <T>(sql: string, params?: SqlValues['params']) => Promise<T[]>;
  /**
   * What the server can do: untrusted values (keys, IDs, routes) become query parameters where it
   * has them (sql.ts, `select`). Absent: quoted literals, 18.16's way, which every server reads.
   */
  capabilities?: SqlCapabilities;
  /** Live only (pipeline-health). */
  health?: PipelineHealthInput;
}

/** The canonical text form of a subject: the incident identity together with the rule. */
export function subjectKeyOf(subject: Subject): string {
  return Object.entries(subject)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, value]) => `${field}=${encodeURIComponent(String(value))}`)
    .join('&');
}
