import { RULE_SUBJECT_KINDS, type RuleId, type SubjectKind } from '@denyscope/alerts';
import { clientNetwork } from '@denyscope/events';

/** The subject fields an identity is read from: an alert's subject or a scenario's. */
interface SubjectFields {
  key_id?: string | undefined;
  client_ip?: string | undefined;
  component?: string | undefined;
}

/** How each subject kind names its subject; a new kind must say (the compiler asks). */
const IDENTITY: Record<SubjectKind, (subject: SubjectFields) => string | undefined> = {
  key: (subject) => subject.key_id,
  // A scenario names an address; the alert names its network (an IPv4 /24, an IPv6 /64).
  network: ({ client_ip: ip }) =>
    ip === undefined || ip.includes('/') ? ip : clientNetwork(ip) || ip,
  component: (subject) => subject.component,
};

/**
 * The identity an alert of `rule` has for a scenario subject, from the rule's subject kind
 * (RULE_SUBJECT_KINDS): the key for a key rule; for a network rule (`distributed-enumeration`,
 * rule catalog v1.1) the CIDR of the scenario's address; the component for a component rule. An
 * alert's own subject maps to itself (a CIDR stays a CIDR). Undefined for a rule this denyscope
 * does not know, or a subject without the kind's field.
 */
export function alertSubjectId(rule: string, subject: SubjectFields): string | undefined {
  if (!Object.hasOwn(RULE_SUBJECT_KINDS, rule)) return undefined;
  return IDENTITY[RULE_SUBJECT_KINDS[rule as RuleId]](subject);
}
