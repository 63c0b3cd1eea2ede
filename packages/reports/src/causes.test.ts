import { IN_LIST_MAX_BYTES, sqlValues } from '@denyscope/clickhouse';
import { describe, expect, it } from 'vitest';
import { flagKeys } from './build-report.js';
import { CAUSE_TEXT, describeCause } from './cause-text.js';
import { CAUSE_PRECEDENCE, CAUSES, causeSql, classifyDenial, type DenialFacts } from './causes.js';
import { denialsWithFacts, scope } from './denial-facts.js';
import { keyParts } from './queries.js';

const plain: DenialFacts = {
  scanningKey: false,
  testTrafficKey: false,
  resourceEnv: '',
  keyEnv: '',
  ownerState: 0,
  ownedByAnotherAccount: false,
  knownToAccount: false,
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
    expect(classifyDenial({ ...plain, testTrafficKey: true, ownerState: 1 })).toBe('test-traffic');
    expect(classifyDenial(plain)).toBe('unexplained');
    // Owned by the key's own account and still denied: nothing the platform explains.
    expect(classifyDenial({ ...plain, ownerState: 2 })).toBe('unexplained');
  });

  it('calls an ID the account used before stale, whatever the platform says of its owner', () => {
    // A deleted invoice of the account: no such resource now, known to the account.
    expect(classifyDenial({ ...plain, ownerState: 1, knownToAccount: true })).toBe('stale-ids');
    // The log did not say who owns it, but the account used it: stale, no longer unexplained.
    expect(classifyDenial({ ...plain, knownToAccount: true })).toBe('stale-ids');
    // An existing resource of the account is not stale, known or not.
    expect(classifyDenial({ ...plain, ownerState: 2, knownToAccount: true })).toBe('unexplained');
  });

  it('applies the documented precedence', () => {
    const everything: DenialFacts = {
      scanningKey: true,
      testTrafficKey: true,
      resourceEnv: 'staging',
      keyEnv: 'staging',
      ownerState: 2,
      ownedByAnotherAccount: true,
      knownToAccount: true,
    };
    expect(classifyDenial(everything)).toBe('scanning');
    const notScanning = { ...everything, scanningKey: false };
    expect(classifyDenial(notScanning)).toBe('other-environment');
    const sameEnv = { ...notScanning, resourceEnv: '', keyEnv: '' };
    expect(classifyDenial(sameEnv)).toBe('another-account');
    // A really flagged key explains its known IDs too; test traffic does not.
    const known = { ...plain, ownerState: 1, knownToAccount: true };
    expect(classifyDenial({ ...known, scanningKey: true })).toBe('scanning');
    expect(classifyDenial({ ...known, testTrafficKey: true })).toBe('stale-ids');
    expect(classifyDenial({ ...known, resourceEnv: 'staging' })).toBe('other-environment');
    // Test traffic is the key's invented IDs, after environment and other accounts.
    const invented = { ...plain, testTrafficKey: true, ownerState: 1 };
    expect(classifyDenial(invented)).toBe('test-traffic');
    expect(classifyDenial({ ...invented, resourceEnv: 'production' })).toBe('other-environment');
    expect(classifyDenial({ ...invented, ownerState: 2, ownedByAnotherAccount: true })).toBe(
      'another-account',
    );
    expect(classifyDenial({ ...plain, ownerState: 1, resourceEnv: 'production' })).toBe(
      'other-environment',
    );
    expect(CAUSE_PRECEDENCE.map((rule) => rule.cause)).toEqual(CAUSES.slice(0, -1));
    expect(CAUSES.at(-1)).toBe('unexplained');
  });
});

const LITERALS = { queryParameters: false }; // 18.16
const PARAMETERS = { queryParameters: true }; // 20.3 and later

describe('causeSql', () => {
  it('tests the conditions in precedence order and quotes the flagged keys (18.16)', () => {
    const sql = causeSql(
      { scanning: ['key_live_a', "k'); DROP TABLE denials; --"], testTraffic: ['key_test_b'] },
      sqlValues(LITERALS),
    );
    expect(sql).toBe(
      "multiIf(key_id IN ('key_live_a', 'k\\'); DROP TABLE denials; --'), 'scanning', " +
        "(resource_env != '' OR key_env != ''), 'other-environment', " +
        "(owner_state = 2 AND resource_owner != account_id), 'another-account', " +
        "(key_id IN ('key_test_b') AND NOT (known_id = 1)), 'test-traffic', " +
        "(owner_state != 2 AND (known_id = 1 OR owner_state = 1)), 'stale-ids', 'unexplained')",
    );
    expect(causeSql({ scanning: [], testTraffic: [] }, sqlValues(LITERALS))).toMatch(
      /^multiIf\(0, 'scanning', .*\(0 AND NOT \(known_id = 1\)\), 'test-traffic', /,
    );
  });

  it('sends the flagged keys as query parameters where the server has them', () => {
    const v = sqlValues(PARAMETERS);
    const hostile = "k'); DROP TABLE denials; --";
    const sql = causeSql({ scanning: ['key_live_a', hostile], testTraffic: ['key_test_b'] }, v);
    expect(sql).toBe(
      "multiIf(key_id IN {v0:Array(String)}, 'scanning', " +
        "(resource_env != '' OR key_env != ''), 'other-environment', " +
        "(owner_state = 2 AND resource_owner != account_id), 'another-account', " +
        "(key_id IN {v1:Array(String)} AND NOT (known_id = 1)), 'test-traffic', " +
        "(owner_state != 2 AND (known_id = 1 OR owner_state = 1)), 'stale-ids', 'unexplained')",
    );
    expect(v.params).toEqual({ v0: ['key_live_a', hostile], v1: ['key_test_b'] });
    expect(causeSql({ scanning: [], testTraffic: [] }, sqlValues(PARAMETERS))).not.toContain('{');
  });
});

describe('report SQL on both capability sets', () => {
  const s = { accountId: "acct_'x", sinceSec: 86_400, untilSec: 172_800 };

  it('writes the account as a literal on 18.16 and as a parameter where parameters exist', () => {
    expect(scope(s, sqlValues(LITERALS))).toBe(
      "account_id = 'acct_\\'x' AND event_time >= toDateTime(86400) AND event_time < toDateTime(172800)",
    );
    const v = sqlValues(PARAMETERS);
    const facts = denialsWithFacts(s, v, ['key_a', 'key_b']);
    expect(facts).not.toContain('acct_');
    expect(facts).toContain('AND key_id IN {v0:Array(String)}) AS denied');
    expect(v.params).toEqual({
      v0: ['key_a', 'key_b'],
      v1: "acct_'x",
      v2: "acct_'x",
      v3: "acct_'x",
    });
  });
});

describe('keyParts', () => {
  const flagged = { scanning: ['k1', 'k3', 'k_gone'], testTraffic: ['k2'] };

  it('reads all keys at once when they fit one IN list, without listing them', () => {
    expect(keyParts(['k1', 'k2', 'k3', 'k4'], flagged)).toEqual([
      { flagged: { scanning: ['k1', 'k3'], testTraffic: ['k2'] } },
    ]);
  });

  it('splits many keys into bounded chunks, each listing only its own flagged keys', () => {
    const keys = Array.from({ length: 2_500 }, (_, i) => `key_${String(i).padStart(4, '0')}`);
    const parts = keyParts(keys, { scanning: ['key_0001', 'key_1500'], testTraffic: ['key_2499'] });
    expect(parts.map((p) => p.keys?.length)).toEqual([1_000, 1_000, 500]);
    expect(parts.flatMap((p) => p.keys)).toEqual(keys);
    expect(parts.map((p) => p.flagged)).toEqual([
      { scanning: ['key_0001'], testTraffic: [] },
      { scanning: ['key_1500'], testTraffic: [] },
      { scanning: [], testTraffic: ['key_2499'] },
    ]);
    for (const part of parts) {
      const v = sqlValues(LITERALS);
      expect(Buffer.byteLength(v.strings(part.keys ?? []))).toBeLessThanOrEqual(IN_LIST_MAX_BYTES);
    }
  });
});

describe('flagKeys', () => {
  it('scans: serious incidents and the shape heuristic; info-only incidents: test traffic', () => {
    expect(flagKeys(['k_serious'], ['k_info', 'k_serious'], ['k_shape', 'k_info'])).toEqual({
      scanning: ['k_serious', 'k_shape'],
      testTraffic: ['k_info'],
    });
    expect(flagKeys([], [], [])).toEqual({ scanning: [], testTraffic: [] });
  });
});

describe('cause text', () => {
  it('tells only scanners to rotate their key', () => {
    for (const cause of CAUSES) {
      expect(CAUSE_TEXT[cause].remediation.includes('rotate'), cause).toBe(cause === 'scanning');
    }
    expect(CAUSE_TEXT['test-traffic'].title).toBe('Invented IDs outside production');
    expect(CAUSE_TEXT['test-traffic'].remediation).toContain('created by the test');
  });

  it('counts the IDs the account deleted itself in the stale-ids text', () => {
    const stale = describeCause('stale-ids', { deletedIds: 1250 });
    expect(stale.meaning).toContain('These include resources this account deleted itself');
    expect(stale.meaning).toContain('1,250 IDs were asked for');
    expect(describeCause('stale-ids', { deletedIds: 1 }).meaning).toContain('1 ID was');
    expect(stale.remediation).toContain('re-read the list of resources');
    expect(describeCause('stale-ids', { deletedIds: 0 })).toEqual(CAUSE_TEXT['stale-ids']);
    expect(describeCause('scanning', { deletedIds: 5 })).toEqual(CAUSE_TEXT.scanning);
  });
});
