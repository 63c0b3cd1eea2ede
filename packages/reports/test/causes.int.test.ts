import { serverCapabilities, sqlValues, type ClickHouseClient } from '@denyscope/clickhouse';
import { dropDatabase, migratedDatabase, testNames } from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAUSES, classifyDenial, type DenialFacts } from '../src/index.js';
import { causeSql } from '../src/causes.js';

// The twins agree: causeSql, evaluated by the real ClickHouse on rows with every combination of
// the facts, gives each row the cause classifyDenial gives the same facts.

const names = testNames('causesql');
let client: ClickHouseClient;

const ACCOUNT = 'acct_self';
const KEYS = {
  plain: { key: 'k_plain', scanning: false, test: false },
  scanning: { key: 'k_scan', scanning: true, test: false },
  test: { key: 'k_test', scanning: false, test: true },
  both: { key: 'k_both', scanning: true, test: true },
};

interface Combination {
  n: number;
  facts: DenialFacts;
  row: Record<string, string | number>;
}

const combinations: Combination[] = [];
for (const k of Object.values(KEYS)) {
  for (const resourceEnv of ['', 'staging']) {
    for (const keyEnv of ['', 'staging']) {
      for (const ownerState of [0, 1, 2]) {
        for (const foreign of [false, true]) {
          for (const known of [false, true]) {
            const n = combinations.length;
            combinations.push({
              n,
              facts: {
                scanningKey: k.scanning,
                testTrafficKey: k.test,
                resourceEnv,
                keyEnv,
                ownerState,
                ownedByAnotherAccount: foreign,
                knownToAccount: known,
              },
              row: {
                n,
                key_id: k.key,
                account_id: ACCOUNT,
                resource_env: resourceEnv,
                key_env: keyEnv,
                owner_state: ownerState,
                resource_owner: foreign ? 'acct_other' : ACCOUNT,
                known_id: known ? 1 : 0,
              },
            });
          }
        }
      }
    }
  }
}

beforeAll(async () => {
  client = await migratedDatabase(names.database);
  await client.command({
    query: `CREATE TABLE facts (n UInt32, key_id String, account_id String, resource_env String,
      key_env String, owner_state UInt8, resource_owner String, known_id UInt8) ENGINE = Memory`,
  });
  await client.insert({
    table: 'facts',
    format: 'JSONEachRow',
    values: combinations.map((c) => c.row),
  });
});

afterAll(async () => {
  await client?.close();
  await dropDatabase(names.database);
});

describe('causeSql and classifyDenial', () => {
  it('give every combination of facts the same cause', async () => {
    const flagged = Object.values(KEYS);
    // Query parameters on current servers, quoted literals on 18.16.
    const v = sqlValues(await serverCapabilities(client));
    const sql = causeSql(
      {
        scanning: flagged.filter((k) => k.scanning).map((k) => k.key),
        testTraffic: flagged.filter((k) => k.test).map((k) => k.key),
      },
      v,
    );
    const result = await client.query({
      query: `SELECT n, ${sql} AS cause_id FROM facts ORDER BY n`,
      query_params: v.params,
      format: 'JSONEachRow',
    });
    const found = await result.json<{ n: number; cause_id: string }>();
    expect(found.map((row) => row.cause_id)).toEqual(
      combinations.map((c) => classifyDenial(c.facts)),
    );
    // Every cause was reached: the comparison covered each branch.
    expect(new Set(found.map((row) => row.cause_id))).toEqual(new Set(CAUSES));
  });
});
