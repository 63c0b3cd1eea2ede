import type { RuleId, Severity } from '@denyscope/alerts';

/** Who a finding is about: only the fields that identify the rule's subject. */
export interface Subject {
  key_id?: string;
  account_id?: string;
  client_ip?: string;
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

/** Everything a rule may use: the watermark (windows end there) and a read-only query runner. */
export interface EvaluationContext {
  watermark: Date;
  query: <T>(sql: string) => Promise<T[]>;
}

/** The canonical text form of a subject: the incident identity together with the rule. */
export function subjectKeyOf(subject: Subject): string {
  return Object.entries(subject)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, value]) => `${field}=${encodeURIComponent(String(value))}`)
    .join('&');
}
