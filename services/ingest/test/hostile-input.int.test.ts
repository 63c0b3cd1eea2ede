import { quoteString } from '@denyscope/clickhouse';
import { consumeAll, produce, rows, waitFor, type ServiceProcess } from '@denyscope/testkit';
import { generateEvents } from '@denyscope/scenarios';
import { beforeAll, expect, it } from 'vitest';
import {
  missingDenials,
  storedRequestIds,
  totalRequests,
  useIngestTarget,
  describeEachKafkaClient,
} from './ingest-helpers.js';

const HOSTILE_IDS = [
  "inv_1' OR '1'='1",
  'inv_2"; DROP TABLE denials; --',
  "inv_3\\'; SELECT * FROM system.users; --",
  'inv_4\u0000nul\u0001ctl\u001b[31m',
  'inv_5\u202Eevil',
  'inv_6_😀',
  `inv_7_${'x'.repeat(1_000)}`,
];

function denial(requestId: string, resourceId: string) {
  return {
    ts: Date.now() - 60_000,
    request_id: requestId,
    env: 'production',
    method: 'GET',
    path: `/v1/invoices/${encodeURIComponent(resourceId)}`,
    status: 403,
    key_id: 'key_hostile',
    account_id: 'acct_hostile',
    error: 'ownership_denied',
    resource_id: resourceId,
    resource_owner: null,
  };
}

// Each bad message, with the start of the reason it must be dead-lettered with.
const BAD_MESSAGES: { name: string; value: string | Buffer; reason: RegExp }[] = [
  { name: 'invalid JSON', value: '{"ts": 1, "request_id": ', reason: /^invalid JSON/ },
  { name: 'not an object', value: '[1,2,3]', reason: /object/ },
  {
    name: 'wrong type',
    value: JSON.stringify({ ...denial('bad-type', 'x'), status: '403' }),
    reason: /^status/,
  },
  {
    name: 'missing field',
    value: JSON.stringify({ ...denial('bad-missing', 'x'), request_id: undefined }),
    reason: /request_id/,
  },
  {
    name: 'unknown env',
    value: JSON.stringify({ ...denial('bad-env', 'x'), env: 'mars' }),
    reason: /^env/,
  },
  {
    name: '1 MB message',
    value: JSON.stringify({ ...denial('bad-big', 'x'), padding: 'p'.repeat(1_000_000) }),
    reason: /too large/,
  },
  {
    name: 'binary garbage',
    value: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0xc3, 0x28]),
    reason: /UTF-8/,
  },
  { name: 'empty', value: '', reason: /empty/ },
  {
    name: 'prototype pollution',
    value: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
    reason: /missing required field/,
  },
];

describeEachKafkaClient('ingest: hostile input mixed into a stream', (kafkaClient) => {
  const target = useIngestTarget('hostile', 2, kafkaClient);
  const good = generateEvents({ count: 2_000, denialRatio: 0.1, seed: 3, requestIdPrefix: 'good' });
  const hostileDenials = HOSTILE_IDS.map((id, i) => denial(`hostile-${i}`, id));
  const client = () => target.clickhouse();
  let ingest: ServiceProcess;

  beforeAll(async () => {
    ingest = target.startIngest();
    // Bad messages interleaved with good ones, in one stream.
    const mixed: (object | string | Buffer)[] = [];
    good.forEach((event, i) => {
      mixed.push(event);
      const bad = BAD_MESSAGES[i % 50 === 0 ? (i / 50) % BAD_MESSAGES.length : -1];
      if (bad && i / 50 < BAD_MESSAGES.length) mixed.push(bad.value);
    });
    mixed.push(...hostileDenials);
    await produce(target.kafka, target.topic, mixed, 200);
  });

  it('dead-letters each bad message with its reason, original bytes and source', async () => {
    const letters = await consumeAll(target.kafka, target.dlqTopic, BAD_MESSAGES.length, 90_000);
    expect(letters).toHaveLength(BAD_MESSAGES.length);
    for (const bad of BAD_MESSAGES) {
      const original = Buffer.isBuffer(bad.value) ? bad.value : Buffer.from(bad.value);
      const letter = letters.find((l) => (l.value ?? Buffer.alloc(0)).equals(original));
      expect(letter, bad.name).toBeDefined();
      expect(letter?.headers['denyscope-reason'], bad.name).toMatch(bad.reason);
      expect(letter?.headers['denyscope-source-topic']).toBe(target.topic);
      expect(Number(letter?.headers['denyscope-source-offset'])).toBeGreaterThanOrEqual(0);
      expect(['0', '1']).toContain(letter?.headers['denyscope-source-partition']);
    }
  });

  it('stores every good message and keeps hostile IDs verbatim', async () => {
    const expectedRequests = good.length + hostileDenials.length;
    await waitFor(
      'all good requests counted',
      () => totalRequests(client()),
      (n) => n >= expectedRequests,
      {
        timeoutMs: 90_000,
      },
    );
    expect(await totalRequests(client())).toBe(expectedRequests);

    expect(await missingDenials(client(), [...good, ...hostileDenials])).toEqual([]);
    for (const [i, id] of HOSTILE_IDS.entries()) {
      const [row] = await rows<{ resource_id: string }>(
        client(),
        `SELECT resource_id FROM denials WHERE request_id = ${quoteString(`hostile-${i}`)}`,
      );
      expect(row?.resource_id).toBe(id);
    }
    // The DROP TABLE payload stayed data.
    expect(await rows(client(), 'EXISTS TABLE denials')).toEqual([{ result: 1 }]);
  });

  it('keeps consuming after the bad messages', async () => {
    expect(ingest.child.exitCode).toBeNull();
    const later = generateEvents({ count: 100, denialRatio: 1, seed: 9, requestIdPrefix: 'later' });
    await produce(target.kafka, target.topic, later);
    await waitFor(
      'messages produced after the hostile ones',
      () => storedRequestIds(client()),
      (ids) => later.every((e) => ids.has(e.request_id)),
      { timeoutMs: 60_000 },
    );
  });
});
