export type {
  EvaluationContext,
  FailingRule,
  Finding,
  PipelineHealthInput,
  Subject,
} from './finding.js';
export { subjectKeyOf } from './finding.js';
export type { AnyRule, RuleDefinition } from './rule.js';
export { declarationProblems } from './rule-declaration.js';
export { RULES } from './rules/index.js';
export {
  distributedEnumerationEvidence,
  type DistributedEnumerationEvidence,
} from './rules/distributed-enumeration.js';
export { loadRuleSettings, RuleSettingsError, type RuleSettings } from './rule-settings.js';
export { looksSequential } from './sequential.js';
export { IN_LIST_MAX_BYTES, IN_LIST_MAX_VALUES, inListChunks, queryByChunks } from './sql.js';
