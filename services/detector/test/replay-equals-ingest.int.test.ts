import {
  createClickHouseClient,
  quoteIdentifier,
  quoteString,
  type ClickHouseClient,
} from '@denyscope/clickhouse';
import {
  connectionFor,
  createTopic,
  deleteTopics,
  dropDatabase,
  migratedDatabase,
  produce,
  rows,
  startService,
  testKafka,
  testNames,
  waitFor,
  type ServiceProcess,
} from '@denyscope/testkit';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Replay = live: the same hostile stream, once produced to Kafka and consumed by a real ingest,
// once replayed from a file by `denyscope replay`, must give the same stored rows. Offsets and
// insertion times differ by design (a replay's offsets are line numbers).

const MINUTE = 60_000;
const T0 = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE;

interface Line {
  /** The message's bytes: what Kafka carries and what the file's line holds. */
  bytes: Buffer;
  /** Whether ingest accepts it (else it is dead-lettered live and counted malformed in replay). */
  valid: boolean;
}

let sequence = 0;

/** A v1 event as JSON text; `raw` members are spliced in as written (escapes stay escapes). */
function event(fields: Record<string, unknown>, raw: Record<string, string> = {}): string {
  sequence += 1;
  const value = {
    ts: T0 + sequence * 1_000,
    request_id: `req_${sequence}`,
    env: 'production',
    method: 'GET',
    path: `/v1/invoices/inv_${String(sequence).padStart(6, '0')}`,
    status: 200,
    key_id: 'key_a',
    account_id: 'acct_a',
    ...fields,
  };
  const json = JSON.stringify(value);
  const extra = Object.entries(raw).map(([key, text]) => `"${key}":${text}`);
  return extra.length === 0 ? json : `${json.slice(0, -1)},${extra.join(',')}}`;
}

const valid = (text: string | Buffer): Line => ({ bytes: Buffer.from(text), valid: true });
const invalid = (text: string | Buffer): Line => ({ bytes: Buffer.from(text), valid: false });

/** RFC 3339 with a numeric offset, for the instant `ms`. */
function withOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * MINUTE).toISOString().replace('Z', '');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

function hostileCorpus(): Line[] {
  const own = { resource_owner: 'acct_a' };
  const denial = { status: 403, error: 'ownership_denied', resource_owner: null };
  const duplicateRead = event({ request_id: 'dup_read', route: '/v1/invoices/{id}', ...own });
  const duplicateDenial = event({ request_id: 'dup_denial', ...denial });
  return [
    // Successful reads, writes and deletes, on the lean path (plain ASCII) and with a route.
    valid(event({ route: '/v1/invoices/{invoice_id}', ...own })),
    valid(event({ method: 'POST', status: 201, path: '/v1/invoices', resource_id: 'inv_new' })),
    valid(event({ method: 'put', path: '/v1/invoices/inv_7', route: '/v1/invoices/:id' })),
    valid(event({ method: 'PATCH', status: 204, resource_id: 'inv_8', ...own })),
    valid(event({ method: 'DELETE', status: 204, path: '/v1/invoices/inv_9' })),
    valid(event({ method: 'delete', status: 200, path: '/v1/invoices/inv_9' })),
    valid(event({ method: 'HEAD', path: '/v1/files/doc_9f86d081884c.json' })),
    valid(event({ method: 'OPTIONS', status: 299, path: '/v1/x/inv_10' })),
    // Legacy events: no route, no resource_id; the ID comes from the path.
    valid(event({ path: '/v1/invoices/inv_11?expand=lines' })),
    valid(event({ path: '/api/v2024-01/customers/cus_AbCdEfGhIj/' })),
    valid(event({ path: '/v1/orders/ord_12/items', key_id: 'key_b', account_id: 'acct_b' })),
    // Timestamps: epoch ms (above), RFC 3339 with Z, fractions and offsets.
    valid(event({ ts: new Date(T0 + 61_500).toISOString() })),
    valid(event({ ts: withOffset(T0 + 122_250, 330), path: '/v1/invoices/inv_13' })),
    valid(event({ ts: withOffset(T0 + 183_000, -420), ...denial })),
    valid(event({ ts: `${new Date(T0 + 244_000).toISOString().slice(0, -1)}123456+00:00` })),
    // Lone surrogates (high and low) as JSON escapes: valid JSON, valid events; stored as U+FFFD.
    valid(event({}, { resource_id: '"inv_\\ud800"' })),
    valid(event({ ...denial }, { resource_id: '"inv_\\udc00x"' })),
    valid(event({ resource_owner: 'acct_b' }, { resource_id: '"inv_\\udbff\\u0041"' })),
    valid(event({}, { path: '"/v1/invoices/inv_\\ud800_14"' })),
    valid(event({ method: 'DELETE', status: 204 }, { resource_id: '"\\udfff"' })),
    // NUL and other control characters, escaped.
    valid(event({}, { resource_id: '"inv_\\u0000nul"' })),
    valid(event({ ...denial }, { resource_id: '"inv_\\u0000\\u0001\\u001b[31m"' })),
    valid(event({ path: '/v1/invoices/inv_%00_15' })),
    // Right-to-left and bidi marks, raw UTF-8 and escaped.
    valid(event({ resource_id: 'inv_\u202eevil', ...own })),
    valid(event({ ...denial, resource_id: 'inv_\u200f\u2066x\u2069' })),
    valid(event({}, { resource_id: '"inv_\\u202e16"' })),
    valid(event({ path: '/v1/invoices/inv_17\u2028' })),
    // Unicode in paths: raw, and percent-encoded (decoded when derived).
    valid(event({ path: '/v1/files/résumé_18' })),
    valid(event({ path: '/v1/files/%E2%82%AC_19' })),
    valid(event({ path: '/v1/files/%E0%A4%A_20' })),
    valid(event({ ...denial, path: '/v1/files/😀_21' })),
    // 1 kB IDs (the limit), an over-limit given ID (invalid), an over-limit derived one (cut).
    valid(event({ resource_id: `id_${'k'.repeat(1021)}` })),
    valid(event({ ...denial, resource_id: `id_${'d'.repeat(1021)}` })),
    invalid(event({ resource_id: `id_${'x'.repeat(1022)}` })),
    valid(event({ path: `/v1/blobs/${'7'.repeat(2_000)}` })),
    valid(event({ path: `/v1/blobs/${'é'.repeat(1_500)}9` })),
    // Duplicates of the same request ID (a producer's retry: the same bytes).
    valid(duplicateRead),
    valid(duplicateRead),
    valid(duplicateDenial),
    valid(duplicateDenial),
    // Denials: no such resource, another tenant's, another environment's, hostile extras.
    valid(event({ ...denial, route: '/v1/invoices/{id}' })),
    valid(event({ ...denial, resource_owner: 'acct_b', path: '/v1/invoices/inv_22' })),
    valid(event({ ...denial, resource_env: 'staging', path: '/v1/invoices/inv_test_23' })),
    valid(event({ ...denial, key_id: 'key_live_c', account_id: 'acct_c', env: 'staging' })),
    valid(event({ ...denial, user_agent: 'u'.repeat(2_000), client_ip: '2001:db8::7' })),
    valid(event({ ...denial, latency_ms: 12.25, resource_type: 'invoice' })),
    valid(event({ ...denial, key_id: null, account_id: null })),
    // Foreign access: a 2xx on another account's resource (a read and a delete).
    valid(event({ resource_owner: 'acct_b', path: '/v1/invoices/inv_24' })),
    valid(event({ method: 'DELETE', status: 204, resource_owner: 'acct_b', resource_id: 'x' })),
    // Counted only: owner null (no such resource), 404, 5xx, unauthenticated, no ID at all.
    valid(event({ resource_owner: null })),
    valid(event({ status: 404, error: 'not_found' })),
    valid(event({ status: 503 })),
    valid(event({ key_id: null, account_id: null })),
    valid(event({ path: '/v1/invoices' })),
    valid(event({ account_id: null })),
    // Invalid lines.
    invalid('{"ts":'),
    invalid('[1,2,3]'),
    invalid('{}'),
    invalid('null'),
    invalid(event({ request_id: '' })),
    invalid(event({ env: 'mars' })),
    invalid(event({ status: '200' })),
    invalid(event({ ts: T0 + 3 * 86_400_000 + 30 * MINUTE })),
    invalid(Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x81, 0x7d])),
    invalid(event({ padding: 'p'.repeat(300_000) })),
    // Something after the invalid ones, last.
    valid(event({ path: '/v1/invoices/inv_last', ...own })),
  ];
}

/** The file `denyscope replay` reads: the same bytes, with CRLFs, blank lines, no final LF. */
function asFile(lines: readonly Line[]): Buffer {
  const parts: Buffer[] = [];
  lines.forEach((line, i) => {
    parts.push(line.bytes);
    if (i === lines.length - 1) return;
    parts.push(Buffer.from(i % 3 === 0 ? '\r\n' : '\n'));
    if (i % 10 === 5) parts.push(Buffer.from('\n  \t\r\n'));
  });
  return Buffer.concat(parts);
}

/** Every column of `table` but the given ones, for a comparison of stored rows. */
async function columnsOf(
  client: ClickHouseClient,
  database: string,
  table: string,
  except: readonly string[],
): Promise<string[]> {
  const found = await rows<{ name: string }>(
    client,
    `SELECT name FROM system.columns WHERE database = ${quoteString(database)}
       AND table = ${quoteString(table)} ORDER BY name`,
  );
  return found.map((c) => c.name).filter((name) => !except.includes(name));
}

/** The distinct rows of a table (duplicates fold at merge time, so their count is not compared). */
async function distinctRows(
  client: ClickHouseClient,
  database: string,
  table: string,
  except: readonly string[] = [],
): Promise<Record<string, unknown>[]> {
  const columns = (await columnsOf(client, database, table, except)).map(quoteIdentifier);
  const list = columns.join(', ');
  return rows(client, `SELECT DISTINCT ${list} FROM ${table} ORDER BY ${list}`);
}

/** Everything the two databases are compared on. */
async function storedFacts(client: ClickHouseClient, database: string) {
  return {
    denials: await distinctRows(client, database, 'denials', ['ingested_at']),
    foreignAccess: await distinctRows(client, database, 'foreign_access', ['ingested_at']),
    keyResources: await distinctRows(client, database, 'key_resources'),
    requestTotals: await rows(
      client,
      `SELECT minute, env, key_id, account_id, status_class,
         sum(requests) AS requests, sum(denials) AS denials
       FROM request_totals FINAL
       GROUP BY minute, env, key_id, account_id, status_class
       ORDER BY minute, env, key_id, account_id, status_class`,
    ),
    accountResources: await rows(
      client,
      `SELECT day, account_id, resource_id, minMerge(first_seen) AS first_seen,
         maxMerge(last_seen) AS last_seen, maxIfMerge(deleted_at) AS deleted_at
       FROM account_resources
       GROUP BY day, account_id, resource_id
       ORDER BY day, account_id, resource_id`,
    ),
  };
}

describe('replay stores what live ingest stores, from the same bytes', () => {
  const names = testNames('replay_live');
  const kafka = testKafka();
  const corpus = hostileCorpus();
  const validCount = corpus.filter((line) => line.valid).length;
  let live: ClickHouseClient;
  let replayed: ClickHouseClient | undefined;
  let replayDatabase: string | undefined;
  let ingest: ServiceProcess | undefined;
  let dir: string | undefined;
  let replayExit: { code: number | null; signal: NodeJS.Signals | null };
  let replayOutput = '';

  beforeAll(async () => {
    live = await migratedDatabase(names.database);
    await createTopic(kafka, names.topic, 1);
    await produce(
      kafka,
      names.topic,
      corpus.map((line) => line.bytes),
    );
    ingest = startService('ingest', {
      KAFKA_TOPIC: names.topic,
      KAFKA_GROUP_ID: names.groupId,
      CLICKHOUSE_DATABASE: names.database,
      INGEST_FLUSH_INTERVAL_MS: '300',
    });

    dir = await mkdtemp(join(tmpdir(), 'denyscope-replay-live-'));
    const file = join(dir, 'events.ndjson');
    await writeFile(file, asFile(corpus));
    const replay = startService('replay', {}, { args: [file, '--keep-database', '--step', '5m'] });
    replayExit = await replay.exited;
    replayOutput = replay.output();
    replayDatabase = /replay database kept: (\S+)/.exec(replayOutput)?.[1];
    if (replayDatabase !== undefined) {
      replayed = createClickHouseClient(connectionFor(replayDatabase));
    }

    await waitFor(
      'live ingest counted every valid message',
      async () => {
        const [row] = await rows<{ n: string }>(
          live,
          'SELECT sum(requests) AS n FROM request_totals FINAL',
        );
        return Number(row?.n ?? 0);
      },
      (n) => n >= validCount,
      { timeoutMs: 90_000 },
    );
  }, 240_000);

  afterAll(async () => {
    await ingest?.stop();
    await live?.close();
    await replayed?.close();
    await dropDatabase(names.database);
    if (replayDatabase !== undefined) await dropDatabase(replayDatabase);
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('replay exits 0 and counts what ingest dead-letters as malformed', () => {
    expect(replayExit, replayOutput).toEqual({ code: 0, signal: null });
    expect(replayDatabase, replayOutput).toBeDefined();
    const summary = /replay: (\d+) lines, (\d+) events, (\d+) denials, (\d+) malformed/.exec(
      replayOutput,
    );
    expect(summary, replayOutput).not.toBeNull();
    const [, , events, , malformed] = summary!.map(Number);
    expect(events).toBe(validCount);
    expect(malformed).toBe(corpus.length - validCount);
  });

  it('stores the same denials, foreign accesses, key resources, totals and known IDs', async () => {
    const fromLive = await storedFacts(live, names.database);
    const fromReplay = await storedFacts(replayed!, replayDatabase!);
    // Not vacuous: every table holds the hostile cases.
    expect(fromLive.denials.length).toBeGreaterThan(10);
    expect(fromLive.foreignAccess.length).toBeGreaterThanOrEqual(3);
    expect(new Set(fromLive.keyResources.map((row) => row.action))).toEqual(new Set([0, 1, 2]));
    expect(fromLive.keyResources.map((row) => row.resource_id)).toEqual(
      expect.arrayContaining(['inv_\ufffd', 'inv_\u0000nul', 'inv_\u202eevil', '€_19']),
    );
    expect(fromLive.denials.map((row) => row.resource_id)).toContain('inv_\ufffdx');
    expect(fromLive.denials.map((row) => row.client_net)).toContain('2001:db8::/64');

    expect(fromReplay.denials).toEqual(fromLive.denials);
    expect(fromReplay.foreignAccess).toEqual(fromLive.foreignAccess);
    expect(fromReplay.keyResources).toEqual(fromLive.keyResources);
    expect(fromReplay.requestTotals).toEqual(fromLive.requestTotals);
    expect(fromReplay.accountResources).toEqual(fromLive.accountResources);
  });

  it('stores lone surrogates as U+FFFD, as ingest does, instead of failing the insert', async () => {
    const stored = await rows<{ resource_id: string }>(
      replayed!,
      `SELECT resource_id FROM key_resources UNION ALL SELECT resource_id FROM denials`,
    );
    expect(stored.map((row) => row.resource_id)).toEqual(
      expect.arrayContaining(['inv_\ufffd', 'inv_\ufffdx', 'inv_\ufffd_14', '\ufffd']),
    );
  });
});
