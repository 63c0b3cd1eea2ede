import {
  createClickHouseClient,
  readServerCapabilities,
  serverCapabilities,
  sqlValues,
  type ClickHouseClient,
} from '@denyscope/clickhouse';
import { connectionFor } from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// sqlValues on the real server: on 18.16 (npm run test:int) the quoted path, on 26.x (npm run
// test:clickhouse-current runs this file too) query parameters. Either way the server must read
// back exactly the characters sent.

const HOSTILE = [
  '',
  "quote ' and \\' and \\\\",
  "'; DROP TABLE x; --",
  'tab\tnew\nline\rreturn\b\f',
  'nul\0byte \x01\x1b',
  '{v0:String} $1 ? %s',
  'emoji 😀 RTL \u202E',
  'x'.repeat(5_000),
];

let client: ClickHouseClient;
let parameters = false;

beforeAll(async () => {
  client = createClickHouseClient(connectionFor('default'), { database: null });
  parameters = (await readServerCapabilities(client)).queryParameters;
});

afterAll(async () => {
  await client?.close();
});

async function select<T>(build: (v: ReturnType<typeof sqlValues>) => string): Promise<T[]> {
  const v = sqlValues({ queryParameters: parameters });
  const query = build(v);
  if (parameters) for (const value of HOSTILE.slice(1)) expect(query).not.toContain(value);
  const result = await client.query({ query, query_params: v.params, format: 'JSONEachRow' });
  return result.json<T>();
}

describe('sqlValues against the real server', () => {
  it('reads back every hostile string exactly', async () => {
    const found = await select<Record<string, string>>(
      (v) => `SELECT ${HOSTILE.map((s, i) => `${v.string(s)} AS s${i}`).join(', ')}`,
    );
    expect(HOSTILE.map((_, i) => found[0]?.[`s${i}`])).toEqual(HOSTILE);
  });

  it('matches IN lists of hostile strings', async () => {
    const found = await select<{ s: string }>(
      (v) =>
        `SELECT s FROM (SELECT arrayJoin([${HOSTILE.map((s) => v.string(s)).join(', ')}, 'other']) AS s)
         WHERE s IN ${v.strings(HOSTILE)} ORDER BY s`,
    );
    expect(found.map((r) => r.s)).toEqual([...HOSTILE].sort());
  });
});

describe('sqlValues pairs against the real server', () => {
  it('matches (a, b) IN lists of hostile string pairs', async () => {
    const pairs = HOSTILE.map((s, i): [string, string] => [
      s,
      HOSTILE[(i + 1) % HOSTILE.length] ?? '',
    ]);
    const found = await select<{ a: string; b: string }>(
      (v) =>
        // Two different arrays (identical expressions would be one column): every pair of them.
        `SELECT a, b FROM (
           SELECT arrayJoin([${HOSTILE.map((s) => v.string(s)).join(', ')}]) AS a,
                  arrayJoin([${HOSTILE.map((s) => v.string(s)).join(', ')}, 'other']) AS b)
         WHERE (a, b) IN ${v.pairs(pairs)} ORDER BY a, b`,
    );
    const sorted = (rows: [string, string][]) => rows.map((p) => JSON.stringify(p)).sort();
    expect(sorted(found.map((r) => [r.a, r.b]))).toEqual(sorted(pairs));
  });
});

describe('serverCapabilities', () => {
  it('asks the server once per client and agrees with readServerCapabilities', async () => {
    const first = serverCapabilities(client);
    expect(serverCapabilities(client)).toBe(first);
    expect(await first).toEqual(await readServerCapabilities(client));
  });
});
