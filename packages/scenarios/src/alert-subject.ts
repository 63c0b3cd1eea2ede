import { clientNetwork } from '@denyscope/events';
import type { ScenarioSubject } from './types.js';

/**
 * The identity an alert of `rule` has for a scenario subject: the key for key rules; for
 * `distributed-enumeration`, whose subject is the network (rule catalog v1.1), the CIDR of the
 * scenario's address. An alert's own subject maps to itself (a CIDR stays a CIDR).
 */
export function alertSubjectId(
  rule: string,
  subject: { key_id?: string | undefined; client_ip?: string | undefined } | ScenarioSubject,
): string | undefined {
  if (rule !== 'distributed-enumeration') return subject.key_id;
  const ip = subject.client_ip;
  if (ip === undefined || ip.includes('/')) return ip;
  return clientNetwork(ip) || ip;
}
