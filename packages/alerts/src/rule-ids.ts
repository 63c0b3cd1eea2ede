/** Rule IDs are part of the public contract: alerts, dashboards, runbooks and mute scopes use them. */
export const RULE_IDS = [
  'id-enumeration',
  'distributed-enumeration',
  'cross-environment',
  'cross-tenant',
  'foreign-access-success',
  'stale-resource-ids',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export function runbookPath(rule: RuleId): string {
  return `docs/runbooks/${rule}.md`;
}
