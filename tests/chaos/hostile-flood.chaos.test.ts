import { INGEST_NODE_ARGS } from '@denyscope/ingest';
import { consumeAll, rows, waitFor } from '@denyscope/testkit';
import type { Message } from 'kafkajs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectNoLossNoDuplicate, messagesIn, storedCounts } from './support/checks.js';
import { badMessage, hostileButValid, hugeMessage, type BadMessage } from './support/hostile.js';
import { usePipeline } from './support/pipeline.js';
import { profile } from './support/profile.js';
import { chaosStream, isDenial } from './support/streams.js';

/**
 * Ingest's resident memory may not pass this, however many and however large the bad messages.
 * What it may hold by design: its heap, capped by INGEST_NODE_ARGS (as deployed); the messages
 * of the pending batch, which are Buffers outside that heap, capped by INGEST_MAX_BUFFER_BYTES
 * (64 MiB by default); one fetch (8 MiB per partition, two partitions here); and about 110 MB that
 * neither covers (code, the young generation, tsx, the clients' sockets and buffers: ingest rests
 * at about 130 MB, of which about 60 MB is heap). Messages over INGEST_MAX_MESSAGE_BYTES are
 * refused by size before they are decoded, so 5 MB strings add nothing beyond their bytes.
 */
const HEAP_MB = Number(/--max-old-space-size=(\d+)/.exec(INGEST_NODE_ARGS.join(' '))?.[1] ?? 0);
const RSS_LIMIT_MB = HEAP_MB + 64 + 16 + 110;

/**
 * Ingest must keep up with the flood: the good half is stored within this long after the last
 * message was produced (on a busy 2-core machine it takes well under half of it).
 */
const DRAIN_LIMIT_MS = 60_000;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const sha = (value: Buffer | null) =>
  value === null ? 'null' : createHash('sha256').update(value).digest('hex');

describe('chaos: a flood where half the messages are malformed or hostile', () => {
  const pipeline = usePipeline({ name: 'flood' });
  const stream = chaosStream(profile, 61);
  const good = stream.events;
  const bad: BadMessage[] = good.map((_, i) => badMessage(i));
  // Oversized strings replace some of the small bad messages, spread over the flood.
  const hugeEvery = Math.floor(bad.length / profile.floodHugeCount);
  for (let n = 0; n < profile.floodHugeCount; n += 1) {
    bad[n * hugeEvery + 7] = hugeMessage(n, profile.floodHugeBytes);
  }

  it('dead-letters every bad message, stores every good one, keeps memory bounded and the good half flowing', async () => {
    const ingest = pipeline.start('ingest');
    pipeline.start('detect');
    pipeline.start('notify');
    await waitFor(
      'ingest running',
      () => Promise.resolve(ingest.output()),
      (o) => o.includes('ingest running'),
    );
    const pid = ingest.child.pid ?? 0;
    const restMb = rssMb(pid);
    let peakMb = restMb;
    const sampler = setInterval(() => {
      if (ingest.child.exitCode === null) peakMb = Math.max(peakMb, rssMb(pid));
    }, 100);
    // How far apart the partitions' event times get while the flood is read (the detector's
    // watermark follows the newest one).
    let skewS = 0;
    const skewSampler = setInterval(() => {
      void rows<{ skew: string }>(
        pipeline.clickhouse(),
        `SELECT max(t) - min(t) AS skew FROM (SELECT partition, toUnixTimestamp(max(max_event_time)) AS t
         FROM ingest_watermarks GROUP BY partition) HAVING count() > 1`,
      )
        .then(([row]) => (skewS = Math.max(skewS, Number(row?.skew ?? 0))))
        .catch(() => undefined);
    }, 500);

    // Good and bad interleaved, sent as fast as the producer goes; at most ~4 MB per request.
    const started = Date.now();
    const producer = pipeline.producer();
    let chunk: Message[] = [];
    let chunkBytes = 0;
    for (const [i, event] of good.entries()) {
      const value = i % 50 === 0 ? hostileButValid(event, i / 50) : JSON.stringify(event);
      const letter = bad[i];
      for (const message of [
        { key: event.request_id, value },
        { key: `bad-${i}`, value: letter?.value ?? null },
      ]) {
        const size = message.value?.length ?? 0;
        if (chunk.length > 0 && (chunkBytes + size > 4_000_000 || chunk.length >= 2_000)) {
          await producer.send(chunk);
          chunk = [];
          chunkBytes = 0;
        }
        chunk.push(message);
        chunkBytes += size;
      }
    }
    await producer.send(chunk);
    const producedMs = Date.now() - started;

    const denials = good.filter(isDenial).length;
    await waitFor(
      'every good event stored',
      () => storedCounts(pipeline.clickhouse()),
      (n) => n.requests >= good.length && n.denials >= denials,
      { timeoutMs: profile.name === 'full' ? 300_000 : 120_000, everyMs: 200 },
    );
    const storedMs = Date.now() - started;
    const drainMs = storedMs - producedMs;
    clearInterval(sampler);
    clearInterval(skewSampler);
    const rate = Math.round(good.length / (storedMs / 1000));
    console.info(
      `chaos flood (${profile.name}): ${good.length} good + ${bad.length} bad messages ` +
        `(${profile.floodHugeCount} of ${profile.floodHugeBytes / 1024 / 1024} MB) produced in ${(producedMs / 1000).toFixed(1)} s; ` +
        `good half stored in ${(storedMs / 1000).toFixed(1)} s (${(drainMs / 1000).toFixed(1)} s after the last message) = ${rate} good events/s; ` +
        `ingest RSS ${restMb.toFixed(0)} MB at rest, ${peakMb.toFixed(0)} MB peak (limit ${RSS_LIMIT_MB}); ` +
        `partitions up to ${skewS} s of event time apart`,
    );
    expect(ingest.child.exitCode, 'ingest survives the flood').toBeNull();
    expect(peakMb, 'ingest peak RSS (MB)').toBeLessThan(RSS_LIMIT_MB);
    expect(drainMs, 'good half stored after the flood ended (ms)').toBeLessThan(DRAIN_LIMIT_MS);

    // Every bad message in the dead-letter topic, byte for byte, with the reason it deserves.
    const letters = await consumeAll(pipeline.kafka, pipeline.dlqTopic, bad.length, 120_000);
    expect(letters.length, 'dead letters read').toBe(bad.length);
    // Exactly one each: a flood without faults gives ingest no reason to read anything twice.
    expect(await messagesIn(pipeline, pipeline.dlqTopic), 'dead letters stored').toBe(bad.length);
    const wanted = new Map<string, BadMessage[]>();
    for (const letter of bad) {
      const key = sha(letter.value);
      wanted.set(key, [...(wanted.get(key) ?? []), letter]);
    }
    const wrong: string[] = [];
    for (const letter of letters) {
      const expected = wanted.get(sha(letter.value))?.pop();
      const reason = letter.headers['denyscope-reason'] ?? '';
      if (expected === undefined) wrong.push(`unexpected dead letter: ${reason}`);
      else if (!expected.reason.test(reason)) wrong.push(`${expected.kind}: reason "${reason}"`);
    }
    expect(wrong.slice(0, 10), `${wrong.length} dead letters wrong`).toEqual([]);

    await expectNoLossNoDuplicate(pipeline, stream, { topicMessages: good.length + bad.length });
  });
});
