import type { ClickHouseClient } from '@denyscope/clickhouse';
import { createLogger } from '@denyscope/telemetry';
import { dropDatabase, migratedDatabase, testNames } from '@denyscope/testkit';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePeriodReports } from '../src/index.js';
import { accountDirName } from '@denyscope/reports';

// Issue 11: one blank account_id (" ") among the denials of a day threw UnrecoverableError out of
// the scheduled job, so no account got its report for that period. Ingest now dead-letters blank
// IDs, but rows stored by an older version (or another writer) stay until retention drops them.

const DAY = 86_400_000;

describe('scheduled reports with an account no report can be built for', () => {
  const names = testNames('blankacct');
  const since = new Date(Math.floor(Date.now() / DAY) * DAY - 2 * DAY);
  const until = new Date(since.getTime() + DAY);
  let client: ClickHouseClient;
  let dir: string;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    // Written as an older ingest stored them: straight into denials.
    const at = Math.floor(since.getTime() / 1000) + 3_600;
    await client.insert({
      table: 'denials',
      format: 'JSONEachRow',
      values: ['acct_a', ' ', 'acct_b', '\t'].map((account, i) => ({
        event_time: at + i,
        request_id: `r${i}`,
        env: 'production',
        method: 'GET',
        path: `/v1/invoices/inv_00000${i}`,
        status: 403,
        key_id: `key_${i}`,
        account_id: account,
        resource_id: `inv_00000${i}`,
        resource_pattern: 'inv_{int}',
      })),
    });
    dir = await mkdtemp(join(tmpdir(), 'denyscope-blank-account-'));
  });

  afterAll(async () => {
    await client?.close();
    await dropDatabase(names.database);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('skips and logs the blank accounts, and writes every other report of the period', async () => {
    const lines: string[] = [];
    const log = createLogger({
      service: 'reporter-test',
      level: 'warn',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    });
    const result = await writePeriodReports(
      client,
      { dir, schedule: 'daily', accounts: undefined, formats: ['json'], scanMinIdsPerHour: 150 },
      'daily',
      { since, until },
      log,
    );
    // Sorted as the query returns them: '\t' < ' ' < 'acct_…'.
    expect(result).toMatchObject({ accounts: 4, failed: [], skipped: ['\t', ' '] });
    expect(result.files).toHaveLength(2);
    for (const account of ['acct_a', 'acct_b']) {
      expect(await readdir(join(dir, accountDirName(account)))).toHaveLength(1);
    }
    const skipped = lines.map((line) => JSON.parse(line) as { msg: string; report?: object });
    expect(skipped.filter((entry) => entry.msg === 'report skipped')).toHaveLength(2);
  });
});
