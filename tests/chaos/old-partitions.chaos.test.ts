import { consumeAll, rows } from '@denyscope/testkit';
import { type GeneratedEvent } from '@denyscope/scenarios';
import { describe, expect, it } from 'vitest';
import { expectNoLossNoDuplicate } from './support/checks.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed, eventMessage } from './support/producer.js';
import { profile } from './support/profile.js';
import { chaosStream } from './support/streams.js';

const DAY = 86_400_000;
const RETENTION_DAYS = 200;
/** Days back of the batch's events: 150 daily partitions kept, 30 older than retention. */
const KEPT_DAYS = Array.from({ length: 150 }, (_, i) => i + 1);
const EXPIRED_DAYS = Array.from({ length: 30 }, (_, i) => RETENTION_DAYS + 10 + i);

/** One denial and one successful read of a key on the day `days` back (old logs replayed late). */
function dayOfLogs(days: number, now: number): GeneratedEvent[] {
  const base = {
    ts: now - days * DAY,
    env: 'production',
    method: 'GET',
    key_id: 'key_live_oldlogs0000000000001',
    account_id: 'acct_oldlogs',
    client_ip: '10.20.30.40',
  };
  return [
    {
      ...base,
      request_id: `old-${days}-denied`,
      path: `/v1/invoices/inv_${String(days).padStart(6, '0')}`,
      status: 403,
      error: 'ownership_denied',
      resource_owner: null,
    },
    {
      ...base,
      request_id: `old-${days}-read`,
      path: '/v1/invoices/inv_000001',
      status: 200,
      resource_owner: 'acct_oldlogs',
    },
  ];
}

/**
 * Issue 11, finding 5: a batch touching more than 100 daily partitions fails on current
 * ClickHouse with code 252 (max_partitions_per_insert_block), which ingest used to retry forever.
 * One batch of old logs on one partition: 150 days inside RETENTION_DAYS, 30 days older. The
 * kept days land (ingest writes them in INSERTs of at most 90 days), the older ones go to the
 * dead-letter topic with their reason, and ingest goes on to the live stream after them.
 *
 * The suite's ClickHouse is 18.16, which has no per-INSERT partition limit: there, only the
 * dead letters and the progress show the defence. The 252 itself is reproduced against a client
 * that refuses such an INSERT as current servers do (services/ingest/test/many-partitions.int.test.ts).
 */
describe('chaos: one batch of old logs over 180 daily partitions', () => {
  const pipeline = usePipeline({
    name: 'oldparts',
    env: { RETENTION_DAYS: String(RETENTION_DAYS) },
  });
  const stream = chaosStream(profile, 111);
  const now = Date.now();
  const kept = KEPT_DAYS.flatMap((days) => dayOfLogs(days, now));
  const expired = EXPIRED_DAYS.flatMap((days) => dayOfLogs(days, now));

  it('stores the days within retention, dead-letters the older ones, and keeps consuming', async () => {
    const producer = pipeline.producer();
    // Produced before ingest starts, in one request to one partition: its first fetch.
    await producer.send([...kept, ...expired].map((e) => ({ ...eventMessage(e), partition: 0 })));
    pipeline.start('ingest');
    pipeline.start('detect');
    pipeline.start('notify');
    await new EventFeed(producer, stream.events).produce({ durationMs: profile.produceMs });

    // The live stream after the old batch: stored exactly and notified once, as in every scenario.
    await expectNoLossNoDuplicate(pipeline, stream, {
      events: [...stream.events, ...kept],
      topicMessages: stream.events.length + kept.length + expired.length,
    });
    const [old] = await rows<{ days: string; denials: string }>(
      pipeline.clickhouse(),
      `SELECT uniqExact(toDate(event_time)) AS days, count() AS denials FROM denials
       WHERE request_id LIKE 'old-%'`,
    );
    const letters = await consumeAll(pipeline.kafka, pipeline.dlqTopic, expired.length, 60_000);
    const reasons = letters.map((l) => l.headers['denyscope-reason'] ?? '');
    const ingestLog = pipeline.output('ingest');
    console.info(
      `chaos old partitions (${profile.name}): ${old?.days} old days stored, ` +
        `${letters.length} dead letters (${reasons[0]})`,
    );
    expect(Number(old?.days), 'daily partitions of the batch stored').toBe(KEPT_DAYS.length);
    expect(Number(old?.denials), 'old denials stored').toBe(KEPT_DAYS.length);
    expect(letters.map((l) => l.value?.toString()).sort()).toEqual(
      expired.map((e) => JSON.stringify(e)).sort(),
    );
    expect(reasons.filter((r) => !r.startsWith('older than retention'))).toEqual([]);
    // Never stalled on the batch: no INSERT refused and retried, ingest still running.
    expect(ingestLog).not.toContain('storing batch failed');
    expect(ingestLog).toContain('ingest running');
  });
});
