export type { EvaluationContext, Finding, Subject } from './finding.js';
export { subjectKeyOf } from './finding.js';
export type { AnyRule, RuleDefinition } from './rule.js';
export { RULES } from './rules/index.js';
export { loadRuleSettings, RuleSettingsError, type RuleSettings } from './rule-settings.js';
export { looksSequential } from './sequential.js';
