import { quoteString } from '@denyscope/clickhouse';
import { produce, rows, type ServiceProcess } from '@denyscope/testkit';
import { expectedTotalsByKey, generateEvents } from '@denyscope/scenarios';
import { beforeAll, expect, it } from 'vitest';
import {
  isDenial,
  storedRequestIds,
  totalRequests,
  totalsByKey,
  useIngestTarget,
  describeEachKafkaClient,
  waitForRequestsCounted,
} from './ingest-helpers.js';

describeEachKafkaClient('ingest: 20,000 mixed events from Kafka into ClickHouse', (kafkaClient) => {
  const target = useIngestTarget('pipeline', 3, kafkaClient);
  const events = generateEvents({ count: 20_000, denialRatio: 0.05, seed: 7 });
  const denialIds = new Set(events.filter(isDenial).map((e) => e.request_id));
  const client = () => target.clickhouse();
  let ingest: ServiceProcess;

  beforeAll(async () => {
    await produce(target.kafka, target.topic, events);
    // No cap on reads here, so that every successful read is a row this test can expect.
    ingest = target.startIngest({ INGEST_KEY_READS_PER_MINUTE: '10000' });
  });

  it('stores every denial and counts every request exactly', async () => {
    expect(denialIds.size).toBeGreaterThan(800);
    expect(denialIds.size).toBeLessThan(1_200);

    await waitForRequestsCounted('all requests counted', client(), events.length);
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

  it('records the resources each key used successfully, and what each account owns', async () => {
    await waitForRequestsCounted('all requests counted', client(), events.length);
    // The generator's successes are GETs of the caller's own invoices, the ID the path's last
    // segment.
    const expected = new Set<string>();
    const owned = new Set<string>();
    for (const e of events) {
      if (e.status !== 200) continue;
      const id = e.path.split('/').pop() ?? '';
      expected.add(JSON.stringify([e.key_id, Math.floor(e.ts / 60_000) * 60, id, e.account_id]));
      owned.add(JSON.stringify([e.account_id, id]));
    }
    const stored = await rows<{
      key_id: string;
      minute: number;
      resource_id: string;
      account_id: string;
      action: number;
    }>(
      client(),
      `SELECT DISTINCT key_id, toUInt32(minute) AS minute, resource_id, account_id, action FROM key_resources`,
    );
    expect(stored.every((row) => row.action === 0)).toBe(true);
    expect(
      new Set(stored.map((r) => JSON.stringify([r.key_id, r.minute, r.resource_id, r.account_id]))),
    ).toEqual(expected);
    const [accounts] = await rows<{ n: string }>(
      client(),
      'SELECT uniqExact(account_id, resource_id) AS n FROM account_resources',
    );
    expect(Number(accounts?.n)).toBe(owned.size);
  });

  it('sends nothing to the dead-letter topic for valid events', () => {
    expect(ingest.output()).not.toMatch(/"level":(50|60)/);
  });
});
