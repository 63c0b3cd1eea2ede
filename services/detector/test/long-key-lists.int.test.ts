import { RULES, queryByChunks, type EvaluationContext } from '@denyscope/detections';
import { quoteString, serverCapabilities } from '@denyscope/clickhouse';
import { dropDatabase, migratedDatabase, testNames } from '@denyscope/testkit';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRunner } from '../src/clickhouse-query.js';
import { loadEvents } from '@denyscope/intake';

// Issue 11, item 3: rules put the keys they found into `key_id IN (…)` lists. An attacker who
// makes 20,000 keys with long IDs scan at once made that text megabytes long, beyond ClickHouse's
// max_query_size (262,144 bytes by default): the rule failed with "Max query size exceeded", so
// the flood hid every scan in it. The lists now go in chunks (packages/detections/src/sql.ts).

const KEYS = 20_000;
const T0 = Date.UTC(2026, 11, 7, 9, 0);
const keyOf = (i: number) => `key_live_${'k'.repeat(200)}_${String(i).padStart(5, '0')}`;

describe('rules with 20,000 long keys in one window (real ClickHouse)', () => {
  const names = testNames('longkeys');
  let client: ClickHouseClient;
  let ctx: EvaluationContext;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    const events = [];
    for (let i = 0; i < KEYS; i += 1) {
      for (let j = 0; j < 2; j += 1) {
        const id = `inv_${String(i * 2 + j).padStart(6, '0')}`;
        events.push({
          ts: new Date(T0 + (i % 60) * 1_000 + j).toISOString(),
          request_id: `req_${i}_${j}`,
          env: 'production',
          method: 'GET',
          path: `/v1/invoices/${id}`,
          status: 403,
          error: 'ownership_denied',
          key_id: keyOf(i),
          account_id: `acct_${i}`,
          resource_id: id,
          resource_owner: null,
        });
      }
    }
    await loadEvents(Readable.from([events.map((e) => JSON.stringify(e)).join('\n')]), client, {
      environments: ['production'],
      envMarkers: undefined,
      maxMessageBytes: 262_144,
    });
    // Query parameters on current servers (npm run test:clickhouse-current), literals on 18.16.
    ctx = {
      watermark: new Date(T0 + 5 * 60_000),
      query: queryRunner(client),
      capabilities: await serverCapabilities(client),
    };
  });

  afterAll(async () => {
    await client?.close();
    await dropDatabase(names.database);
  });

  it('id-enumeration judges every one of 20,000 scanning keys', async () => {
    const rule = RULES['id-enumeration'];
    const findings = await rule.evaluate(
      ctx,
      // Every key scans 2 IDs: a threshold of 2 makes all 20,000 of them candidates at once.
      rule.settings.parse({
        windows: [{ minutes: 10, minDistinctIds: 2 }],
        sequentialWindow: { minutes: 10, minDistinctIds: 1_000 },
      }),
    );
    expect(findings).toHaveLength(KEYS);
    expect(new Set(findings.map((f) => f.subject.key_id)).size).toBe(KEYS);
  });

  it('queryByChunks answers a query over 20,000 long keys with every key once', async () => {
    const keys = Array.from({ length: KEYS }, (_, i) => keyOf(i));
    const rows = await queryByChunks(keys, (chunk) =>
      ctx.query<{ key_id: string; denied: string }>(`
        SELECT key_id, uniqExact(request_id) AS denied FROM denials
        WHERE key_id IN (${chunk.map(quoteString).join(', ')}) GROUP BY key_id`),
    );
    expect(rows).toHaveLength(KEYS);
    expect(new Set(rows.map((r) => r.key_id)).size).toBe(KEYS);
    expect(rows.every((r) => Number(r.denied) === 2)).toBe(true);
  });
});
