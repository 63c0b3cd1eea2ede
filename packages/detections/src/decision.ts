import { z } from 'zod';

/**
 * How a finding explains itself (`evidence.decision`): each fact that crossed its threshold, and
 * why the finding has its severity — in particular why an info finding is not a page. On-call
 * reads this first; the rest of the evidence is the detail.
 */
export interface Crossed {
  /** The evidence field the value comes from, e.g. `guessed_ids`. */
  fact: string;
  value: number;
  /** e.g. `>= 50 in 5 min`. */
  threshold: string;
}

export interface Decision {
  crossed: Crossed[];
  severity_reason: string;
}

/**
 * A Decision as stored in an alert's evidence (JSON), for readers that parse it back; part of
 * every rule's evidence schema. Strict: a renamed or extra field is not a Decision.
 */
export const decisionSchema = z.strictObject({
  crossed: z.array(
    z.strictObject({ fact: z.string().min(1), value: z.number(), threshold: z.string().min(1) }),
  ),
  severity_reason: z.string().min(1),
}) satisfies z.ZodType<Decision>;

export function atLeast(fact: string, value: number, min: number, suffix = ''): Crossed {
  return { fact, value, threshold: `>= ${min}${suffix === '' ? '' : ` ${suffix}`}` };
}

export function decision(crossed: Crossed[], severityReason: string): Decision {
  return { crossed, severity_reason: severityReason };
}
