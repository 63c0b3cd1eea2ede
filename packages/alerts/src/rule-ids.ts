/** Rule IDs are part of the public contract: alerts, dashboards, runbooks and mute scopes use them. */
export const RULE_IDS = [
  'id-enumeration',
  'distributed-enumeration',
  'cross-environment',
  'cross-tenant',
  'foreign-access-success',
  'stale-resource-ids',
  // Operational, not a security page: the pipeline itself (a rule failing, a clock off).
  'pipeline-health',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * Rules about denyscope's own pipeline rather than about callers. Their alerts go to chat and
 * logs, never to PagerDuty unless a person lists them in NOTIFY_PAGERDUTY_RULES.
 */
export const OPERATIONAL_RULE_IDS = ['pipeline-health'] as const satisfies readonly RuleId[];

/** The rules whose alerts page by default: every rule except the operational ones. */
export const PAGING_RULE_IDS: readonly RuleId[] = RULE_IDS.filter(
  (id) => !(OPERATIONAL_RULE_IDS as readonly RuleId[]).includes(id),
);

/** A rule's runbook, repo-relative: `docs/runbooks/<rule>.md` (alert contract, `runbook`). */
export type RunbookPath<Rule extends RuleId = RuleId> = `docs/runbooks/${Rule}.md`;

export function runbookPath<Rule extends RuleId>(rule: Rule): RunbookPath<Rule> {
  return `docs/runbooks/${rule}.md`;
}
