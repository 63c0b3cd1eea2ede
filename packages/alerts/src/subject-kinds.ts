import { RULE_IDS, type RuleId } from './rule-ids.js';

/**
 * What an incident is about, by kind, and the `subject` field that identifies it: an incident is
 * one (rule, subject of the rule's kind). Other subject fields are context (a key's `account_id`).
 *
 * - `key`: an API key, `key_id` (with its `account_id`);
 * - `network`: a client network, `client_ip` holding an IPv4 /24 or IPv6 /64 as a CIDR (the
 *   address itself for rows stored without a network);
 * - `component`: a part of denyscope's own pipeline, `component` (`rule:<id>`,
 *   `partition:<topic>/<n>`).
 */
export const SUBJECT_FIELDS = {
  key: 'key_id',
  network: 'client_ip',
  component: 'component',
} as const;

export type SubjectKind = keyof typeof SUBJECT_FIELDS;

/**
 * Each rule's subject kind, part of the alert contract (docs/contracts.md, "Subject kinds"). A
 * rule's definition (packages/detections) declares it by reference, and the compiler holds it to
 * this table; the scenario oracle (packages/scenarios, alertSubjectId) reads it to match alerts.
 */
export const RULE_SUBJECT_KINDS = {
  'id-enumeration': 'key',
  'distributed-enumeration': 'network',
  'cross-environment': 'key',
  'cross-tenant': 'key',
  'foreign-access-success': 'key',
  'stale-resource-ids': 'key',
  'pipeline-health': 'component',
} as const satisfies Record<RuleId, SubjectKind>;

export type RuleSubjectKind<Rule extends RuleId = RuleId> = (typeof RULE_SUBJECT_KINDS)[Rule];

/** The rules whose incidents are about a subject of `kind`, in RULE_IDS order. */
export function rulesOfKind(kind: SubjectKind): RuleId[] {
  return RULE_IDS.filter((rule) => RULE_SUBJECT_KINDS[rule] === kind);
}
