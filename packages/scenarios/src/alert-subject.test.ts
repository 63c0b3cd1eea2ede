import { RULE_IDS, RULE_SUBJECT_KINDS, SUBJECT_FIELDS } from '@denyscope/alerts';
import { describe, expect, it } from 'vitest';
import { alertSubjectId } from './alert-subject.js';

const subject = {
  key_id: 'key_1',
  account_id: 'acct_1',
  client_ip: '203.0.113.7',
  component: 'rule:cross-tenant',
};

describe('alertSubjectId: the test oracle of an expectation, by the rule subject kind', () => {
  it("takes every rule's identity from the field of its subject kind", () => {
    for (const rule of RULE_IDS) {
      const field = SUBJECT_FIELDS[RULE_SUBJECT_KINDS[rule]];
      const expected = field === 'client_ip' ? '203.0.113.0/24' : subject[field];
      expect(alertSubjectId(rule, subject), rule).toBe(expected);
    }
  });

  it('maps a scenario address to the network an alert names, and a network to itself', () => {
    const network = 'distributed-enumeration';
    expect(alertSubjectId(network, { client_ip: '2001:db8:1:2:3:4:5:6' })).toBe(
      '2001:db8:1:2::/64',
    );
    expect(alertSubjectId(network, { client_ip: '198.51.100.0/24' })).toBe('198.51.100.0/24');
    expect(alertSubjectId(network, { key_id: 'key_1' })).toBeUndefined();
    expect(alertSubjectId('id-enumeration', { client_ip: '203.0.113.7' })).toBeUndefined();
  });

  it('gives no identity for a rule it does not know', () => {
    expect(alertSubjectId('made-up', subject)).toBeUndefined();
  });
});
