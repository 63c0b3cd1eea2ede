import { RULE_IDS, type RuleId, type Severity } from '@denyscope/alerts';

/** Which alerts one notifier sink receives (NOTIFY_<SINK>_MIN_SEVERITY, NOTIFY_<SINK>_RULES). */
export interface NotifierRoute {
  /** Alerts below this severity are not sent to the sink. */
  minSeverity: Severity;
  /** Only alerts of these rules are sent (default: every rule). */
  rules: RuleId[];
}

/** A sink's route from its two variables; `defaults`: the rules when none are listed. */
export function sinkRoute(
  minSeverity: Severity,
  rules: RuleId[] | undefined,
  defaults: readonly RuleId[] = RULE_IDS,
): NotifierRoute {
  return { minSeverity, rules: rules ?? [...defaults] };
}
