import type { RuleId, RuleSubjectKind, RunbookPath, Severity } from '@denyscope/alerts';
import type { z } from 'zod';
import type { RuleEvidence } from './evidence.js';
import type { EvaluationContext, Finding } from './finding.js';

/**
 * A detection rule: its settings schema (with the defaults of the rule catalog), how it turns the
 * aggregates into findings, and what those findings are: the kind of subject an incident is about,
 * the runbook on-call follows, and the schema of the evidence object. Adding a rule is one module
 * like this plus one line in rules/index.ts (docs/rules.md, "Adding a rule").
 *
 * `Id` ties the declaration to the contract: `subject` must be the rule's kind in
 * RULE_SUBJECT_KINDS and `runbook` its runbookPath (@denyscope/alerts), or the module does not
 * compile.
 */
export interface RuleDefinition<
  Settings extends { enabled: boolean; severity: Severity },
  Id extends RuleId = RuleId,
> {
  id: Id;
  description: string;
  /** Which Subject field identifies an incident: `RULE_SUBJECT_KINDS[id]`. */
  subject: RuleSubjectKind<Id>;
  /** Repo-relative path of the rule's runbook, `runbookPath(id)`; alerts link it. */
  runbook: RunbookPath<Id>;
  /** Parses the rule's section of the rules file; `parse({})` gives the defaults. */
  settings: z.ZodType<Settings, unknown>;
  /**
   * The evidence object of the rule's findings (Finding.evidence), field for field: strict, so a
   * renamed, missing or extra field fails it. Readers of stored alerts pick what they read from it
   * and let other keys pass (the detector adds `trace_id`/`span_id`; later versions add fields).
   */
  evidence: z.ZodType<RuleEvidence>;
  evaluate(ctx: EvaluationContext, settings: Settings): Promise<Finding[]>;
}

/** Any rule, for the registry; each module keeps its precise settings type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds rules of different settings types; each is only ever called with the output of its own schema.
export type AnyRule<Id extends RuleId = RuleId> = RuleDefinition<any, Id>;
