import type { RuleId, Severity } from '@denyscope/alerts';
import type { z } from 'zod';
import type { EvaluationContext, Finding } from './finding.js';

/**
 * A detection rule: its settings schema (with the defaults of the rule catalog) and how it turns
 * the aggregates into findings. Adding a rule is one module like this plus one line in
 * rules/index.ts.
 */
export interface RuleDefinition<Settings extends { enabled: boolean; severity: Severity }> {
  id: RuleId;
  description: string;
  /** Parses the rule's section of the rules file; `parse({})` gives the defaults. */
  settings: z.ZodType<Settings, unknown>;
  evaluate(ctx: EvaluationContext, settings: Settings): Promise<Finding[]>;
}

/** Any rule, for the registry; each module keeps its precise settings type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds rules of different settings types; each is only ever called with the output of its own schema.
export type AnyRule = RuleDefinition<any>;
