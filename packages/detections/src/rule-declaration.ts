import { SUBJECT_FIELDS, type RuleId, type SubjectKind } from '@denyscope/alerts';
import { isIP } from 'node:net';
import { z } from 'zod';
import { subjectKeyOf, type Subject } from './finding.js';
import { RULES } from './rules/index.js';

// Whether what a rule emitted is what its definition declares (rule.ts): a subject of the rule's
// kind, identified by that kind's field alone, and evidence its schema describes field for field.
// The rules' tests hold every finding to it, and the detector's scenario test every alert.

/** An IP address, or a network as a CIDR (`203.0.113.0/24`, `2001:db8:0:1::/64`). */
const addressOrNetwork = z.string().refine((text) => {
  const [address = '', prefix, extra] = text.split('/');
  return (
    extra === undefined && isIP(address) !== 0 && (prefix === undefined || /^\d{1,3}$/.test(prefix))
  );
}, 'an IP address or a CIDR network');

/**
 * The subject of a finding of each kind: strict, so a subject of another kind (a key where a
 * network belongs, a component where a key belongs) fails.
 */
const SUBJECT_SCHEMAS = {
  /** A key (foreign-access-success may see requests without one: `''`) and its account. */
  key: z.strictObject({ key_id: z.string(), account_id: z.string() }),
  network: z.strictObject({ client_ip: addressOrNetwork }),
  component: z.strictObject({
    component: z
      .string()
      .regex(/^(rule:.+|partition:.+\/\d+)$/, 'rule:<id> or partition:<topic>/<n>'),
  }),
} as const satisfies Record<SubjectKind, z.ZodType<Subject>>;

/** A finding, or a stored alert (no subject key), as far as its rule's declaration speaks of it. */
interface DeclaredParts {
  rule: RuleId;
  subject: object;
  subjectKey?: string;
  evidence: unknown;
}

/**
 * What in `found` its rule's declaration does not describe, one line per problem; empty when it
 * all fits. Evidence is checked in its JSON form, as alerts store it.
 */
export function declarationProblems(found: DeclaredParts): string[] {
  const rule = RULES[found.rule];
  const problems: string[] = [];
  const subject = SUBJECT_SCHEMAS[rule.subject].safeParse(found.subject);
  if (!subject.success) {
    problems.push(
      `subject ${JSON.stringify(found.subject)} is not a ${rule.subject} subject: ${z.prettifyError(subject.error)}`,
    );
  } else if (found.subjectKey !== undefined) {
    const field = SUBJECT_FIELDS[rule.subject];
    const identity = subjectKeyOf({ [field]: (subject.data as Subject)[field] });
    if (found.subjectKey !== identity) {
      problems.push(`subject key ${found.subjectKey} is not the ${rule.subject}'s, ${identity}`);
    }
  }
  const stored: unknown = JSON.parse(JSON.stringify(found.evidence ?? null));
  const evidence = rule.evidence.safeParse(stored);
  if (!evidence.success) {
    problems.push(`evidence is not what ${rule.id} declares: ${z.prettifyError(evidence.error)}`);
  }
  return problems;
}
