import type { RuleId } from '@denyscope/alerts';
import type { AnyRule } from '../rule.js';
import { crossEnvironment } from './cross-environment.js';
import { crossTenant } from './cross-tenant.js';
import { distributedEnumeration } from './distributed-enumeration.js';
import { foreignAccessSuccess } from './foreign-access-success.js';
import { idEnumeration } from './id-enumeration.js';
import { pipelineHealth } from './pipeline-health.js';
import { staleResourceIds } from './stale-resource-ids.js';

/**
 * Every rule, by its public ID. A new rule is a new module plus one line here. The `satisfies`
 * holds each entry to its key: the rule's `id`, and the subject kind and runbook of that ID.
 */
export const RULES: Record<RuleId, AnyRule> = {
  'id-enumeration': idEnumeration,
  'distributed-enumeration': distributedEnumeration,
  'cross-environment': crossEnvironment,
  'cross-tenant': crossTenant,
  'foreign-access-success': foreignAccessSuccess,
  'stale-resource-ids': staleResourceIds,
  'pipeline-health': pipelineHealth,
} satisfies { [Id in RuleId]: AnyRule<Id> };
