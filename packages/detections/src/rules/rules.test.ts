import { RULE_IDS, RULE_SUBJECT_KINDS, runbookPath, type RuleId } from '@denyscope/alerts';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EvaluationContext, Finding } from '../finding.js';
import { declarationProblems } from '../rule-declaration.js';
import { loadRuleSettings, type RuleSettings } from '../rule-settings.js';
import { distributedEnumerationEvidence } from './distributed-enumeration.js';
import { RULES } from './index.js';

const settings = loadRuleSettings({ env: {} });
const watermark = new Date('2026-11-27T10:00:00Z');
const t = (isoMinute: string) => Date.parse(`2026-11-27T${isoMinute}:00Z`) / 1000;

/**
 * Runs a rule as RULES does, and holds every finding to the rule's declaration: a subject of its
 * kind identified by that kind's field, and evidence its schema describes field for field.
 */
async function evaluate(
  id: RuleId,
  ctx: EvaluationContext,
  ruleSettings: RuleSettings[RuleId],
): Promise<Finding[]> {
  const findings = await RULES[id].evaluate(ctx, ruleSettings);
  for (const finding of findings) {
    expect(declarationProblems(finding), `${id} ${finding.subjectKey}`).toEqual([]);
  }
  return findings;
}

/** A query runner that answers each query by which table and shape it asks for. */
function fakeQuery(answers: { match: RegExp; rows: object[] }[]): EvaluationContext['query'] {
  return <T>(sql: string) => {
    const answer = answers.find(({ match }) => match.test(sql));
    return Promise.resolve((answer?.rows ?? []) as T[]);
  };
}

describe('id-enumeration decisions', () => {
  /** As the rollup gives it: `ids` counts every denied ID of the key, never fewer than guesses. */
  const candidate = { key_id: 'key_1', account: 'acct_1', main_env: 'production', ids: 80 };
  const facts = {
    key_id: 'key_1',
    ids: 80,
    denied: 90,
    guessed: 80,
    known_ids: 0,
    missing: 60,
    foreign_ids: 20,
    other_accounts: 2,
    in_production: 90,
    envs: ['production'],
    first_seen: t('09:56'),
    last_seen: t('09:59'),
    nums: Array.from({ length: 80 }, (_, i) => i * 104_729),
    samples: ['inv_1'],
    patterns: ['inv_{int}'],
    ips: [],
    uas: [],
  };

  /** Runs the rule on one key whose facts, successful IDs and request count are given. */
  async function run(keyFacts: Partial<typeof facts>, used: number, requests = 100) {
    return evaluate(
      'id-enumeration',
      {
        watermark,
        query: fakeQuery([
          { match: /FROM denials_per_minute/, rows: [{ ...candidate, ids: keyFacts.ids ?? 80 }] },
          { match: /FROM request_totals/, rows: [{ key_id: 'key_1', requests }] },
          { match: /FROM key_resources/, rows: [{ key_id: 'key_1', used }] },
          { match: /AS guessed/, rows: [{ ...facts, ...keyFacts }] },
        ]),
      },
      settings['id-enumeration'],
    );
  }

  it('fires high on guessed IDs, critical when the guesses are sequential', async () => {
    const [random] = await run({}, 5);
    expect(random).toMatchObject({
      rule: 'id-enumeration',
      severity: 'high',
      subject: { key_id: 'key_1', account_id: 'acct_1' },
      evidence: { guessed_ids: 80, successful_ids: 5, guess_share: 0.941, other_accounts: 2 },
    });
    const [walk] = await run({ nums: Array.from({ length: 80 }, (_, i) => 1000 + i) }, 5);
    expect(walk?.severity).toBe('critical');
    expect(walk?.evidence.decision).toMatchObject({
      severity_reason: expect.stringMatching(/sequential/) as unknown,
    });
  });

  it('fires on a slow sequential walk below the counts, never on as few random guesses', async () => {
    const few = { guessed: 35, ids: 35, missing: 35, foreign_ids: 0 };
    const [walk] = await run({ ...few, nums: Array.from({ length: 35 }, (_, i) => 500 + i) }, 3);
    expect(walk).toMatchObject({ severity: 'critical', evidence: { window_minutes: 60 } });
    expect(walk?.evidence.decision).toMatchObject({
      crossed: [{ fact: 'guessed_ids', threshold: '>= 30 in 60 min, sequential' }, {}],
    });
    expect(await run({ ...few, nums: Array.from({ length: 35 }, (_, i) => i * 7_919) }, 3)).toEqual(
      [],
    );
  });

  it('is not hidden by padding: repeated successful reads of a few IDs keep the guess share high', async () => {
    // 90 denials in 1,000 requests (deny ratio 0.09), but the key only ever read 4 IDs.
    const [padded] = await run({}, 4, 1_000);
    expect(padded?.evidence).toMatchObject({ deny_ratio: 0.09, guess_share: 0.952 });
  });

  it('stays silent for a busy key whose guesses are few next to the IDs it uses', async () => {
    expect(await run({}, 5_000)).toEqual([]);
  });

  it('skips the facts of a key whose denied IDs could not reach the guess share', async () => {
    // 80 denied IDs next to 5,000 used: even if every one were a guess, 2 % < 50 %.
    const seen: string[] = [];
    const answers = fakeQuery([
      { match: /FROM denials_per_minute/, rows: [candidate] },
      { match: /FROM key_resources/, rows: [{ key_id: 'key_1', used: 5_000 }] },
      { match: /AS guessed/, rows: [facts] },
    ]);
    const query: EvaluationContext['query'] = (sql, params) => {
      seen.push(sql);
      return answers(sql, params);
    };
    expect(
      await evaluate('id-enumeration', { watermark, query }, settings['id-enumeration']),
    ).toEqual([]);
    expect(seen.some((sql) => sql.includes('FROM key_resources'))).toBe(true);
    expect(seen.some((sql) => /AS guessed|FROM request_totals/.test(sql))).toBe(false);
    // At the share's edge (80 denied IDs, 80 used: 50 %) the facts are read and decide.
    seen.length = 0;
    const edge = fakeQuery([
      { match: /FROM denials_per_minute/, rows: [candidate] },
      { match: /FROM key_resources/, rows: [{ key_id: 'key_1', used: 80 }] },
      { match: /AS guessed/, rows: [facts] },
    ]);
    const [found] = await evaluate(
      'id-enumeration',
      {
        watermark,
        query: (sql, params) => {
          seen.push(sql);
          return edge(sql, params);
        },
      },
      settings['id-enumeration'],
    );
    expect(seen.some((sql) => sql.includes('AS guessed'))).toBe(true);
    expect(found?.evidence).toMatchObject({ guessed_ids: 80, guess_share: 0.5 });
  });

  it('does not count IDs the account used before (stale or deleted) as guesses', async () => {
    expect(await run({ guessed: 12, known_ids: 68, missing: 12, foreign_ids: 0 }, 0)).toEqual([]);
  });

  it('is info, not a page, outside production when no other tenant was addressed', async () => {
    const outside = { in_production: 0, envs: ['sandbox'] };
    const [loadTest] = await run({ ...outside, foreign_ids: 0, other_accounts: 0 }, 0);
    expect(loadTest?.severity).toBe('info');
    expect(loadTest?.evidence.decision).toMatchObject({
      severity_reason: expect.stringMatching(/not a page.*sandbox/) as unknown,
    });
    // Another tenant's existing resource keeps the severity, in any environment.
    const [probe] = await run({ ...outside, foreign_ids: 3 }, 0);
    expect(probe?.severity).toBe('high');
  });

  it("never samples an ID that any stored row shows as another account's", async () => {
    const findings = await evaluate(
      'id-enumeration',
      {
        watermark,
        query: fakeQuery([
          { match: /FROM denials_per_minute/, rows: [candidate] },
          { match: /FROM key_resources/, rows: [] },
          { match: /AS guessed/, rows: [{ ...facts, samples: ['inv_1', 'inv_2'] }] },
          // inv_2 was denied to this key as missing, but another row names its owner.
          {
            match: /groupUniqArray\(owner\)/,
            rows: [
              { resource_id: 'inv_1', owners: ['acct_1'] },
              { resource_id: 'inv_2', owners: ['acct_victim'] },
            ],
          },
        ]),
      },
      settings['id-enumeration'],
    );
    expect(findings[0]?.evidence.sample_ids).toEqual(['inv_1']);
  });

  it('explains which facts crossed which thresholds', async () => {
    const [finding] = await run({}, 5);
    expect(finding?.evidence.decision).toEqual({
      crossed: [
        { fact: 'guessed_ids', value: 80, threshold: '>= 50 in 5 min' },
        { fact: 'guess_share', value: 0.941, threshold: '>= 0.5' },
      ],
      severity_reason: expect.any(String) as unknown,
    });
  });
});

describe('distributed-enumeration decisions', () => {
  const network = '203.0.113.0/24';
  const scanners = Array.from({ length: 12 }, (_, i) => `key_atk_${i}`);
  const customers = Array.from({ length: 12 }, (_, i) => `key_ci_${i}`);
  const networkFacts = {
    network,
    main_env: 'production',
    guessed: 60,
    foreign_ids: 0,
    other_accounts: 0,
    in_production: 60,
    denied: 64,
    accounts: 3,
    addresses: 30,
    envs: ['production'],
    ips: ['203.0.113.7'],
    key_ids: scanners,
    patterns: ['inv_{int}'],
    uas: [],
    first_seen: t('09:50'),
    last_seen: t('09:59'),
  };

  async function run(perKey: object[], used: object[], facts: object = networkFacts) {
    const seen: string[] = [];
    const query: EvaluationContext['query'] = <T>(sql: string) => {
      seen.push(sql);
      // Denied IDs per key (before the known-ID lookup): here, every denied ID was a guess.
      if (/HAVING ids >=/.test(sql)) {
        const rows = perKey as { guessed: number }[];
        return Promise.resolve(rows.map((row) => ({ ...row, ids: row.guessed })) as T[]);
      }
      if (/HAVING guessed >=/.test(sql)) return Promise.resolve(perKey as T[]);
      if (/FROM key_resources/.test(sql)) return Promise.resolve(used as T[]);
      if (/\(network, key_id\) IN/.test(sql)) return Promise.resolve([facts] as T[]);
      return Promise.resolve([] as T[]);
    };
    const findings = await evaluate(
      'distributed-enumeration',
      { watermark, query },
      settings['distributed-enumeration'],
    );
    return { findings, seen };
  }

  it('names the network when keys that each guess a little add up', async () => {
    const { findings, seen } = await run(
      scanners.map((key_id) => ({ network, key_id, guessed: 5 })),
      [],
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'high',
      subject: { client_ip: network },
      evidence: { scanning_keys: 12, guessed_ids: 60, addresses: 30 },
    });
    // Only the scanning keys of the network are counted together.
    expect(seen.at(-1)).toContain(`('${network}', 'key_atk_0')`);
  });

  it('does not let mostly successful keys (shared NAT, CI egress) make a network suspicious', async () => {
    const { findings, seen } = await run(
      customers.map((key_id) => ({ network, key_id, guessed: 3 })),
      customers.map((key_id) => ({ key_id, used: 40 })),
    );
    expect(findings).toEqual([]);
    // 3 denied IDs next to 40 used cannot reach the guess share: no known-ID lookup is run.
    expect(seen.some((sql) => sql.includes('FROM key_resources'))).toBe(true);
    expect(seen.some((sql) => sql.includes('HAVING guessed'))).toBe(false);
  });

  it('looks up guesses only for the keys of networks that could still fire', async () => {
    // 12 scanners and 12 customers in one network: only the scanners' pairs are looked up.
    const { findings, seen } = await run(
      [...scanners, ...customers].map((key_id) => ({ network, key_id, guessed: 5 })),
      customers.map((key_id) => ({ key_id, used: 40 })),
    );
    expect(findings).toHaveLength(1);
    const lookup = seen.find((sql) => sql.includes('HAVING guessed')) ?? '';
    expect(lookup).toContain(`'key_atk_0')`);
    expect(lookup).not.toContain('key_ci_0');
  });

  it('is info outside production when no other tenant was addressed', async () => {
    const { findings } = await run(
      scanners.map((key_id) => ({ network, key_id, guessed: 5 })),
      [],
      { ...networkFacts, in_production: 0, envs: ['sandbox'] },
    );
    expect(findings[0]?.severity).toBe('info');
  });

  it('writes evidence that its schema reads back, field for field', async () => {
    const { findings } = await run(
      scanners.map((key_id) => ({ network, key_id, guessed: 5 })),
      [],
    );
    // Stored as JSON: what readers (the reporter) parse is the JSON form of the finding's evidence.
    const stored: unknown = JSON.parse(JSON.stringify(findings[0]?.evidence));
    const parsed = distributedEnumerationEvidence.strict().safeParse(stored);
    expect(parsed.error).toBeUndefined();
    expect(parsed.data?.key_ids).toEqual(scanners);
  });
});

describe('stale-resource-ids decisions', () => {
  const row = {
    key_id: 'key_1',
    account: 'acct_1',
    main_env: 'production',
    ids: 120,
    denied: 130,
    not_existing: 120,
    known_ids: 110,
    samples: [],
    first_seen: t('09:10'),
    last_seen: t('09:20'),
  };

  it('reports a key reading back many IDs its own account deleted as stale, at info', async () => {
    const findings = await evaluate(
      'stale-resource-ids',
      { watermark, query: fakeQuery([{ match: /FROM denials/, rows: [row] }]) },
      settings['stale-resource-ids'],
    );
    expect(findings[0]).toMatchObject({ severity: 'info', evidence: { known_ids: 110 } });
    expect(findings[0]?.summary).toMatch(/own account used or deleted before/);
  });

  it('stays silent when the known IDs are a minority of what the key was denied on', async () => {
    const findings = await evaluate(
      'stale-resource-ids',
      {
        watermark,
        query: fakeQuery([{ match: /FROM denials/, rows: [{ ...row, ids: 400, known_ids: 12 }] }]),
      },
      settings['stale-resource-ids'],
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
    const concentrated = await evaluate(
      'cross-tenant',
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
    const spread = await evaluate(
      'cross-tenant',
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
      evaluate(
        'cross-environment',
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

  it('is info, not a page, between two lower environments', async () => {
    const [sideways] = await evaluate(
      'cross-environment',
      {
        watermark,
        query: fakeQuery([
          { match: /FROM denials/, rows: [{ ...base, env: 'sandbox', foreign_envs: ['staging'] }] },
        ]),
      },
      settings['cross-environment'],
    );
    expect(sideways?.severity).toBe('info');
    expect(sideways?.evidence.decision).toMatchObject({
      severity_reason: expect.stringMatching(/not a page/) as unknown,
    });
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
      await evaluate(id, { watermark, query }, { ...settings[id], routes });
    }
    expect(seen.every((sql) => sql.includes("route IN ('/v1/invoices/{invoice_id}')"))).toBe(true);
    expect(seen.every((sql) => sql.includes("route NOT IN ('/v1/search/{q}\\'x')"))).toBe(true);
    expect(seen.some((sql) => sql.includes('denials_per_minute'))).toBe(false);
  });
});

describe('foreign-access-success decisions', () => {
  const row = {
    key_id: 'key_1',
    account: 'acct_1',
    main_env: 'production',
    successes: 2,
    resources: 2,
    owners: 1,
    statuses: ['200', '204'],
    routes: ['/v1/invoices/{invoice_id}'],
    methods: ['GET', 'DELETE'],
    first_seen: t('09:58'),
    last_seen: t('09:59'),
  };

  it("fires critical on any 2xx on another account's resource, counting the victims only", async () => {
    const [finding] = await evaluate(
      'foreign-access-success',
      { watermark, query: fakeQuery([{ match: /FROM foreign_access/, rows: [row] }]) },
      settings['foreign-access-success'],
    );
    expect(finding).toMatchObject({
      severity: 'critical',
      subject: { key_id: 'key_1', account_id: 'acct_1' },
      evidence: { successes: 2, other_accounts: 1, statuses: [200, 204] },
    });
  });
});

describe('rule declarations', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));

  it('every rule declares its ID, the subject kind and runbook of that ID, and an evidence schema', () => {
    for (const id of RULE_IDS) {
      const rule = RULES[id];
      expect(rule.id).toBe(id);
      expect(rule.subject).toBe(RULE_SUBJECT_KINDS[id]);
      expect(rule.runbook).toBe(runbookPath(id));
      expect(existsSync(`${root}${rule.runbook}`), rule.runbook).toBe(true);
      // A schema of the evidence object, not an open record: an empty object is not evidence.
      expect(rule.evidence.safeParse({}).success, id).toBe(false);
    }
  });

  /** The fields of an evidence schema: of its object, or of each object of its union. */
  function schemaFields(schema: z.core.$ZodType): string[] {
    if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
    if (schema instanceof z.ZodUnion) return schema.options.flatMap(schemaFields);
    throw new Error('an evidence schema is an object, or a union of objects');
  }

  it("docs/rules.md lists each rule's evidence fields as its schema has them", () => {
    const doc = readFileSync(`${root}docs/rules.md`, 'utf8');
    for (const id of RULE_IDS) {
      const section = doc.split(/^## /m).find((text) => text.startsWith(`${id}\n`)) ?? '';
      const evidence = section.split('\n\n').find((text) => text.startsWith('**Evidence.**'));
      const listed = [...(evidence ?? '').matchAll(/`([a-z_]+)`/g)].map(([, field]) => field);
      expect(new Set(listed), id).toEqual(new Set(schemaFields(RULES[id].evidence)));
    }
  });

  /** A cross-tenant finding, as the rule writes it. */
  async function crossTenantFinding(): Promise<Finding> {
    const [finding] = await evaluate(
      'cross-tenant',
      {
        watermark,
        query: fakeQuery([
          { match: /max\(n\)/, rows: [{ key_id: 'key_1', top: 20 }] },
          {
            match: /HAVING foreign_ids/,
            rows: [
              {
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
              },
            ],
          },
        ]),
      },
      settings['cross-tenant'],
    );
    if (finding === undefined) throw new Error('cross-tenant found nothing');
    return finding;
  }

  it('catches evidence its schema does not describe: a renamed, missing, extra or mistyped field', async () => {
    const finding = await crossTenantFinding();
    const { other_accounts: victims, ...rest } = finding.evidence;
    const problems = (evidence: Record<string, unknown>) =>
      declarationProblems({ ...finding, evidence }).join('\n');
    expect(problems({ ...rest, victim_accounts: victims })).toMatch(
      /other_accounts[\s\S]*victim_accounts|victim_accounts[\s\S]*other_accounts/,
    );
    expect(problems(rest)).toMatch(/other_accounts/);
    expect(problems({ ...finding.evidence, trace: 'x' })).toMatch(/trace/);
    expect(problems({ ...finding.evidence, denials: '25' })).toMatch(/denials/);
    expect(problems({ ...finding.evidence, top_account_share: 1.5 })).toMatch(/top_account_share/);
    const { decision } = finding.evidence as { decision: { crossed: object[] } };
    expect(problems({ ...finding.evidence, decision: { ...decision, reason: 'renamed' } })).toMatch(
      /decision/,
    );
  });

  it('catches a subject of another kind, and an identity that is not the kind field alone', async () => {
    const finding = await crossTenantFinding();
    expect(declarationProblems({ ...finding, subject: { client_ip: '203.0.113.0/24' } })).toEqual([
      expect.stringMatching(/not a key subject/) as unknown,
    ]);
    expect(
      declarationProblems({
        ...finding,
        subjectKey: 'account_id=acct_1&key_id=key_1',
      }),
    ).toEqual([expect.stringMatching(/not the key's, key_id=key_1/) as unknown]);
    // A network rule with a key for subject, and a component rule with a network.
    const network = { subject: { key_id: 'key_1', account_id: 'acct_1' }, evidence: {} };
    expect(declarationProblems({ ...network, rule: 'distributed-enumeration' })[0]).toMatch(
      /not a network subject/,
    );
    expect(
      declarationProblems({
        rule: 'pipeline-health',
        subject: { client_ip: '203.0.113.7' },
        evidence: {},
      })[0],
    ).toMatch(/not a component subject/);
  });
});
