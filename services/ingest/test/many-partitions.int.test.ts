import {
  clickHouseErrorCode,
  insertTabSeparated,
  isRetriableClickHouseError,
  type ClickHouseClient,
} from '@denyscope/clickhouse';
import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS } from '@denyscope/events';
import { dropDatabase, migratedDatabase, rows, testNames } from '@denyscope/testkit';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseWriter, EventIntake, PendingBatch } from '@denyscope/intake';

// Issue 11: a batch touching more than 100 daily partitions fails on current ClickHouse with code
// 252 ("Too many partitions for single INSERT block", max_partitions_per_insert_block = 100),
// and ingest retried it forever. The local server is 18.16, which has no such limit, so its
// client is wrapped to refuse such an INSERT exactly as 26.x would; everything else is the real
// server.

const DAY = 86_400_000;
const LIMIT = 100;
/** The column each day-partitioned table is partitioned by (PARTITION BY toDate(column)). */
const PARTITION_COLUMN: Record<string, string> = {
  denials: 'event_time',
  foreign_access: 'event_time',
  key_resources: 'minute',
  request_totals: 'minute',
};

interface Insert {
  table: string;
  days: number;
}

async function bodyOf(values: unknown): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of values as Readable) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The real client, but an INSERT into a day-partitioned table that touches more than LIMIT days
 * fails like current ClickHouse's; `failOn` makes one chosen INSERT fail like a dropped connection.
 */
function limitedClient(
  client: ClickHouseClient,
  inserts: Insert[],
  failOn?: (insert: Insert, index: number) => boolean,
): ClickHouseClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'insert') return Reflect.get(target, property, receiver) as unknown;
      return async (params: Parameters<ClickHouseClient['insert']>[0]) => {
        const body = await bodyOf(params.values);
        const column = PARTITION_COLUMN[params.table] ?? '';
        const index = (params.columns as string[] | undefined)?.indexOf(column) ?? -1;
        const days = new Set(
          index < 0
            ? []
            : body
                .split('\n')
                .filter(Boolean)
                .map((line) => Math.floor(Number(line.split('\t')[index]) / 86_400)),
        );
        const insert = { table: params.table, days: days.size };
        if (days.size > LIMIT) {
          throw new Error(
            `Code: 252. DB::Exception: Too many partitions for single INSERT block (more than ${LIMIT}). The limit is controlled by 'max_partitions_per_insert_block' setting. (TOO_MANY_PARTS)`,
          );
        }
        if (failOn?.(insert, inserts.length) === true) throw new Error('socket hang up');
        inserts.push(insert);
        return target.insert({
          ...params,
          values: Readable.from([Buffer.from(body, 'utf8')], { objectMode: false }),
        });
      };
    },
  });
}

/**
 * One batch of partition t/0 (offsets from 1000): per day over `days` days, one denial, one
 * foreign access and one successful read, as a replay of old logs would bring (no retention).
 */
function oldBatch(days: number, now: number): PendingBatch {
  const intake = new EventIntake({
    maxMessageBytes: EVENT_LIMITS.maxMessageBytes,
    environments: DEFAULT_ENVIRONMENTS,
    envMarkers: undefined,
  });
  intake.setClock(now);
  const batch = new PendingBatch(100);
  const progress = batch.progressOf('t', 0);
  let offset = 1000;
  for (let day = 0; day < days; day++) {
    const ts = now - (day + 1) * DAY;
    const base = { ts, env: 'production', method: 'GET', key_id: 'key_1', account_id: 'acct_1' };
    const events = [
      {
        ...base,
        path: `/v1/invoices/inv_${day}`,
        status: 403,
        error: 'ownership_denied',
        resource_owner: null,
      },
      { ...base, path: `/v1/invoices/inv_f${day}`, status: 200, resource_owner: 'acct_2' },
      { ...base, path: `/v1/invoices/inv_o${day}`, status: 200, resource_owner: 'acct_1' },
    ];
    for (const [i, event] of events.entries()) {
      const value = Buffer.from(JSON.stringify({ ...event, request_id: `r_${day}_${i}` }));
      intake.take(batch, progress, value, null, String(offset++), null);
    }
  }
  return batch;
}

describe('ingest: a batch that spans more than 100 daily partitions (current ClickHouse)', () => {
  const names = testNames('manyparts');
  const now = Date.now();
  let client: ClickHouseClient;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
  });
  afterAll(async () => {
    await client?.close();
    await dropDatabase(names.database);
  });

  it('is stored whole, in INSERTs of at most 100 days each', async () => {
    const inserts: Insert[] = [];
    const writer = new ClickHouseWriter(limitedClient(client, inserts), () => undefined);
    const batch = oldBatch(150, now);
    await writer.storeBatch(batch);

    expect(Math.max(...inserts.map((insert) => insert.days))).toBeLessThanOrEqual(LIMIT);
    for (const table of Object.keys(PARTITION_COLUMN)) {
      expect(inserts.filter((insert) => insert.table === table).length, table).toBeGreaterThan(1);
    }
    const [stored] = await rows<{ denials: string; foreign: string; reads: string }>(
      client,
      `SELECT
        (SELECT count() FROM denials) AS denials,
        (SELECT count() FROM foreign_access) AS foreign,
        (SELECT count() FROM key_resources) AS reads`,
    );
    expect(stored).toEqual({ denials: '150', foreign: '150', reads: '150' });
    const [totals] = await rows<{ requests: string; days: string }>(
      client,
      'SELECT sum(requests) AS requests, uniqExact(toDate(minute)) AS days FROM request_totals FINAL',
    );
    expect(totals).toEqual({ requests: '450', days: '150' });
    expect(await writer.countedThrough('t', 0)).toBe(1449n);
  });

  it('one INSERT of the same rows fails with 252, which is not retried', async () => {
    const batch = oldBatch(150, now);
    const error: unknown = await insertTabSeparated(
      limitedClient(client, []),
      'denials',
      batch.denials,
      ['event_time', 'request_id'],
    ).catch((caught: unknown) => caught);
    expect(clickHouseErrorCode(error)).toBe('252');
    expect(isRetriableClickHouseError(error)).toBe(false);
  });

  it('advances ingest_offsets only once every totals row of the partition is stored', async () => {
    const database = `${names.database}_crash`;
    const crashClient = await migratedDatabase(database);
    try {
      // The second request_totals INSERT fails, as if the process died between the two.
      let totalsSeen = 0;
      const writer = new ClickHouseWriter(
        limitedClient(crashClient, [], (insert) => {
          if (insert.table !== 'request_totals') return false;
          totalsSeen += 1;
          return totalsSeen === 2;
        }),
        () => undefined,
      );
      await expect(writer.storeBatch(oldBatch(150, now))).rejects.toThrow('socket hang up');
      // Only what was counted before this batch (offset 999): the next owner counts it all again.
      expect(await writer.countedThrough('t', 0)).toBe(999n);

      // Stored again whole (a retry or the next owner): right totals, offsets at the end.
      const retry = new ClickHouseWriter(limitedClient(crashClient, []), () => undefined);
      await retry.storeBatch(oldBatch(150, now));
      const [totals] = await rows<{ requests: string }>(
        crashClient,
        'SELECT sum(requests) AS requests FROM request_totals FINAL',
      );
      expect(totals).toEqual({ requests: '450' });
      expect(await retry.countedThrough('t', 0)).toBe(1449n);
    } finally {
      await crashClient.close();
      await dropDatabase(database);
    }
  });
});
