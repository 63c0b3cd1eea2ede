import { describe, expect, it } from 'vitest';
import { CAUSE_PRECEDENCE, CAUSES, causeSql, classifyDenial, type DenialFacts } from './causes.js';

const plain: DenialFacts = {
  scanningKey: false,
  resourceEnv: '',
  keyEnv: '',
  ownerState: 0,
  ownedByAnotherAccount: false,
};

describe('classifyDenial', () => {
  it('gives each shape its cause', () => {
    expect(classifyDenial({ ...plain, ownerState: 1 })).toBe('stale-ids');
    expect(classifyDenial({ ...plain, ownerState: 2, ownedByAnotherAccount: true })).toBe(
      'another-account',
    );
    expect(classifyDenial({ ...plain, resourceEnv: 'staging' })).toBe('other-environment');
    expect(classifyDenial({ ...plain, keyEnv: 'staging' })).toBe('other-environment');
    expect(classifyDenial({ ...plain, scanningKey: true })).toBe('scanning');
    expect(classifyDenial(plain)).toBe('unexplained');
    // Owned by the key's own account and still denied: nothing the platform explains.
    expect(classifyDenial({ ...plain, ownerState: 2 })).toBe('unexplained');
  });

  it('applies the documented precedence: scanning > environment > account > stale', () => {
    const everything: DenialFacts = {
      scanningKey: true,
      resourceEnv: 'staging',
      keyEnv: 'staging',
      ownerState: 2,
      ownedByAnotherAccount: true,
    };
    expect(classifyDenial(everything)).toBe('scanning');
    expect(classifyDenial({ ...everything, scanningKey: false })).toBe('other-environment');
    expect(classifyDenial({ ...everything, scanningKey: false, resourceEnv: '', keyEnv: '' })).toBe(
      'another-account',
    );
    expect(classifyDenial({ ...plain, ownerState: 1, resourceEnv: 'production' })).toBe(
      'other-environment',
    );
    expect(CAUSE_PRECEDENCE.map((rule) => rule.cause)).toEqual(CAUSES.slice(0, 4));
  });
});

describe('causeSql', () => {
  it('tests the conditions in precedence order and quotes the scanning keys', () => {
    const sql = causeSql(['key_live_a', "k'); DROP TABLE denials; --"]);
    expect(sql).toBe(
      "multiIf(key_id IN ('key_live_a', 'k\\'); DROP TABLE denials; --'), 'scanning', " +
        "(resource_env != '' OR key_env != ''), 'other-environment', " +
        "(owner_state = 2 AND resource_owner != account_id), 'another-account', " +
        "owner_state = 1, 'stale-ids', 'unexplained')",
    );
    expect(causeSql([])).toMatch(/^multiIf\(0, 'scanning', /);
  });
});
