import { describe, expect, it } from 'vitest';
import type { EvaluationContext } from '../finding.js';
import { loadRuleSettings } from '../rule-settings.js';
import { RULES } from './index.js';

const settings = loadRuleSettings({ env: {} });
const watermark = new Date('2026-11-27T10:00:00Z');
const t = (isoMinute: string) => Date.parse(`2026-11-27T${isoMinute}:00Z`) / 1000;

/** A query runner that answers each query by which table and shape it asks for. */
function fakeQuery(answers: { match: RegExp; rows: object[] }[]): EvaluationContext['query'] {
  return <T>(sql: string) => {
    const answer = answers.find(({ match }) => match.test(sql));
    return Promise.resolve((answer?.rows ?? []) as T[]);
  };
}

describe('id-enumeration decisions', () => {
  const candidate = {
    key_id: 'key_1',
    account: 'acct_1',
    main_env: 'production',
    ids: 80,
    denied: 90,
    missing: 60,
    first_seen: t('09:56'),
    last_seen: t('09:59'),
  };

  it('fires high on a scan with a high deny ratio, critical when sequential', async () => {
    const details = {
      key_id: 'key_1',
      other_accounts: 2,
      samples: ['inv_1'],
      patterns: ['inv_{int}'],
      ips: [],
      uas: [],
    };
    for (const [nums, severity] of [
      [Array.from({ length: 80 }, (_, i) => 1000 + i), 'critical'],
      [Array.from({ length: 80 }, (_, i) => i * 104_729), 'high'],
    ] as const) {
      const findings = await RULES['id-enumeration'].evaluate(
        {
          watermark,
          query: fakeQuery([
            { match: /FROM denials_per_minute/, rows: [candidate] },
            { match: /FROM request_totals/, rows: [{ key_id: 'key_1', requests: 100 }] },
            { match: /FROM denials\s/, rows: [{ ...details, nums }] },
          ]),
        },
        settings['id-enumeration'],
      );
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        rule: 'id-enumeration',
        severity,
        subject: { key_id: 'key_1', account_id: 'acct_1' },
        evidence: { distinct_ids: 80, deny_ratio: 0.9, other_accounts: 2, missing_share: 0.75 },
      });
    }
  });

  it('stays silent for a busy key with a low deny ratio', async () => {
    const findings = await RULES['id-enumeration'].evaluate(
      {
        watermark,
        query: fakeQuery([
          { match: /FROM denials_per_minute/, rows: [candidate] },
          { match: /FROM request_totals/, rows: [{ key_id: 'key_1', requests: 5_000 }] },
        ]),
      },
      settings['id-enumeration'],
    );
    expect(findings).toEqual([]);
  });
});

describe('cross-tenant decisions', () => {
  const row = {
    key_id: 'key_1',
    account: 'acct_1',
    main_env: 'production',
    foreign_ids: 20,
    victims: 1,
    denied: 25,
    patterns: [],
    ips: [],
    first_seen: t('09:50'),
    last_seen: t('09:59'),
  };

  it('is critical when the resources belong to one victim, high when spread', async () => {
    const concentrated = await RULES['cross-tenant'].evaluate(
      {
        watermark,
        query: fakeQuery([
          { match: /max\(n\)/, rows: [{ key_id: 'key_1', top: 20 }] },
          { match: /HAVING foreign_ids/, rows: [row] },
        ]),
      },
      settings['cross-tenant'],
    );
    expect(concentrated[0]?.severity).toBe('critical');
    expect(concentrated[0]?.evidence).not.toHaveProperty('sample_ids');
    const spread = await RULES['cross-tenant'].evaluate(
      {
        watermark,
        query: fakeQuery([
          { match: /max\(n\)/, rows: [{ key_id: 'key_1', top: 5 }] },
          { match: /HAVING foreign_ids/, rows: [{ ...row, victims: 6 }] },
        ]),
      },
      settings['cross-tenant'],
    );
    expect(spread[0]?.severity).toBe('high');
    expect(spread[0]?.evidence).toMatchObject({ other_accounts: 6, top_account_share: 0.25 });
  });
});

describe('cross-environment decisions', () => {
  const base = {
    key_id: 'key_1',
    account: 'acct_1',
    requests: 5,
    by_key: 0,
    by_id: 5,
    ids: 5,
    samples: [],
    patterns: [],
    first_seen: t('09:50'),
    last_seen: t('09:59'),
  };

  it('rates production IDs in staging high and staging IDs in production medium', async () => {
    const run = (row: object) =>
      RULES['cross-environment'].evaluate(
        { watermark, query: fakeQuery([{ match: /FROM denials/, rows: [row] }]) },
        settings['cross-environment'],
      );
    expect(
      (await run({ ...base, env: 'staging', foreign_envs: ['production'] }))[0]?.severity,
    ).toBe('high');
    expect(
      (await run({ ...base, env: 'production', foreign_envs: ['staging'] }))[0]?.severity,
    ).toBe('medium');
  });
});

describe('routes setting', () => {
  it('restricts the raw queries, and id-enumeration reads raw denials when restricted', async () => {
    const seen: string[] = [];
    const query: EvaluationContext['query'] = <T>(sql: string) => {
      seen.push(sql);
      return Promise.resolve([] as T[]);
    };
    const routes = { include: ['/v1/invoices/{invoice_id}'], exclude: ["/v1/search/{q}'x"] };
    for (const id of ['id-enumeration', 'cross-tenant', 'stale-resource-ids'] as const) {
      await RULES[id].evaluate({ watermark, query }, { ...settings[id], routes });
    }
    expect(seen.every((sql) => sql.includes("route IN ('/v1/invoices/{invoice_id}')"))).toBe(true);
    expect(seen.every((sql) => sql.includes("route NOT IN ('/v1/search/{q}\\'x')"))).toBe(true);
    expect(seen.some((sql) => sql.includes('denials_per_minute'))).toBe(false);
  });
});
