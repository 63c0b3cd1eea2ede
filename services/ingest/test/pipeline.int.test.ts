import { quoteString } from '@denyscope/clickhouse';
import {
  expectedTotalsByKey,
  generateEvents,
  produce,
  rows,
  waitFor,
  type ServiceProcess,
} from '@denyscope/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  isDenial,
  storedRequestIds,
  totalRequests,
  totalsByKey,
  useIngestTarget,
} from './ingest-helpers.js';

describe('ingest: 20,000 mixed events from Kafka into ClickHouse', () => {
  const target = useIngestTarget('pipeline', 3);
  const events = generateEvents({ count: 20_000, denialRatio: 0.05, seed: 7 });
  const denialIds = new Set(events.filter(isDenial).map((e) => e.request_id));
  const client = () => target.clickhouse();
  let ingest: ServiceProcess;

  beforeAll(async () => {
    await produce(target.kafka, target.topic, events);
    ingest = target.startIngest();
  });

  it('stores every denial and counts every request exactly', async () => {
    expect(denialIds.size).toBeGreaterThan(800);
    expect(denialIds.size).toBeLessThan(1_200);

    await waitFor(
      'all requests counted',
      () => totalRequests(client()),
      (n) => n >= events.length,
      {
        timeoutMs: 90_000,
      },
    );
    const stored = await storedRequestIds(client());
    expect(stored.size).toBe(denialIds.size);
    for (const id of denialIds) expect(stored.has(id), id).toBe(true);

    const expected = expectedTotalsByKey(events);
    const actual = await totalsByKey(client());
    expect(actual).toEqual(expected);
    expect(await totalRequests(client())).toBe(events.length);
  });

  it('stores denial fields verbatim and classifies the resource ID', async () => {
    const sample = events.find((e) => denialIds.has(e.request_id) && e.resource_owner === null)!;
    const [row] = await rows<Record<string, string | number>>(
      client(),
      `SELECT * FROM denials WHERE request_id = ${quoteString(sample.request_id)}`,
    );
    expect(row).toMatchObject({
      request_id: sample.request_id,
      env: sample.env,
      key_id: sample.key_id,
      account_id: sample.account_id,
      resource_id: sample.path.split('/').pop(),
      resource_pattern: 'inv_{int}',
      owner_state: 1,
      status: 403,
    });
    expect(Number(row?.resource_num)).toBe(Number(sample.path.split('_').pop()));
  });

  it('rolls denials up per minute consistently with the raw rows', async () => {
    const fromRaw = await rows<Record<string, string>>(
      client(),
      `SELECT key_id, env, resource_pattern,
         uniqExact(request_id) AS denials, uniqExact(resource_id) AS ids,
         uniqExactIf(resource_owner, owner_state = 2) AS owners,
         uniqExactIf(resource_id, owner_state = 1) AS missing,
         minIf(resource_num, has_num = 1) AS min_num, maxIf(resource_num, has_num = 1) AS max_num
       FROM denials GROUP BY key_id, env, resource_pattern ORDER BY key_id, env, resource_pattern`,
    );
    const fromRollup = await rows<Record<string, string>>(
      client(),
      `SELECT key_id, env, resource_pattern,
         uniqExactMerge(denials) AS denials, uniqExactMerge(distinct_ids) AS ids,
         uniqExactIfMerge(owners) AS owners, uniqExactIfMerge(missing_ids) AS missing,
         minIfMerge(min_num) AS min_num, maxIfMerge(max_num) AS max_num
       FROM denials_per_minute GROUP BY key_id, env, resource_pattern ORDER BY key_id, env, resource_pattern`,
    );
    expect(fromRaw.length).toBeGreaterThan(10);
    expect(fromRollup).toEqual(fromRaw);

    const [perMinute] = await rows<{ minutes: string; denials: string }>(
      client(),
      `SELECT uniqExact(minute) AS minutes, sum(d) AS denials FROM
         (SELECT minute, uniqExactMerge(denials) AS d FROM denials_per_minute GROUP BY minute, key_id, env, resource_pattern)`,
    );
    expect(Number(perMinute?.minutes)).toBeGreaterThan(2);
    expect(Number(perMinute?.denials)).toBe(denialIds.size);
  });

  it('sends nothing to the dead-letter topic for valid events', () => {
    expect(ingest.output()).not.toMatch(/"level":(50|60)/);
  });
});
