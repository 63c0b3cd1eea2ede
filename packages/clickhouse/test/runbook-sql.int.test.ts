import { quoteString, type ClickHouseClient } from '@denyscope/clickhouse';
import { dropDatabase, migratedDatabase, testNames } from '@denyscope/testkit';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs every ```sql block of every runbook (docs/runbooks/*.md) against a freshly migrated
// database on the local ClickHouse (18.16), with the placeholders replaced by harmless literals,
// so that runbook SQL cannot rot when the schema or the rules change. A few rows are stored first
// so that the queries also run their expressions on data; a block may still return no rows, but
// it must run without an error.

const runbooksDir = fileURLToPath(new URL('../../../docs/runbooks/', import.meta.url));

// The alert's window: the last full hour but one, so that the rows stored below are within any
// retention (a current server applies the tables' TTL on insert).
const HOUR = 3_600_000;
const windowStart = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR);
const rfc3339 = (date: Date) => date.toISOString().replace('.000Z', 'Z');
const start = rfc3339(windowStart);
const end = rfc3339(new Date(windowStart.getTime() + HOUR));

/** The runbooks' placeholders (docs/rules.md, "Investigating") and what stands in for them. */
const PLACEHOLDERS: Record<string, string> = {
  "'<key_id>'": "'key_x'",
  "'<alert_id>'": "'alert_x'",
  "'<client_ip>'": "'203.0.113.0/24'",
  "'<window_start>'": `'${start}'`,
  "'<window_end>'": `'${end}'`,
};

interface Block {
  /** `file:line` of the opening fence, to find a failing block. */
  where: string;
  sql: string;
}

/** The ```sql blocks of one Markdown file. */
function sqlBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let open: { line: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const fence = line.trim();
    if (open === undefined) {
      if (/^```sql\s*$/i.test(fence)) open = { line: index + 1, body: [] };
    } else if (fence === '```') {
      blocks.push({ where: `${file}:${open.line}`, sql: open.body.join('\n') });
      open = undefined;
    } else {
      open.body.push(line);
    }
  });
  if (open !== undefined) throw new Error(`${file}:${open.line}: unterminated sql block`);
  return blocks;
}

function substitute(sql: string): string {
  let out = sql;
  for (const [placeholder, value] of Object.entries(PLACEHOLDERS)) {
    out = out.split(placeholder).join(value);
  }
  return out;
}

const blocks = readdirSync(runbooksDir)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .flatMap((file) => sqlBlocks(file, readFileSync(`${runbooksDir}${file}`, 'utf8')));

// Rows in the placeholders' window: a key scanning from 203.0.113.0/24 (some IDs missing, some
// another account's, some its account used and deleted before; the later rows stored without a
// network, as before migration 007), a second key there without any success, the first key's
// successful uses (which the account_resources view rolls up), a 2xx on another account's
// resource and an alert.
const SEED = [
  `INSERT INTO denials (event_time, request_id, env, method, path, route, status, key_id,
     account_id, resource_type, resource_id, resource_pattern, resource_num, has_num, resource_env,
     key_env, resource_owner, owner_state, client_ip, client_net, user_agent)
   SELECT parseDateTimeBestEffort('${start}') + 1800 + number, concat('req_', toString(number)),
     if(number % 4 = 0, 'staging', 'production'), 'GET', concat('/v1/invoices/inv_', toString(number)),
     '/v1/invoices/{invoice_id}', 403, 'key_x', 'acct_x', 'invoice', concat('inv_', toString(number)),
     'inv_{num}', number, 1, if(number % 4 = 0, 'staging', ''), '',
     if(number % 3 = 0, 'acct_other', ''), multiIf(number % 3 = 0, 2, number % 3 = 1, 1, 0),
     concat('203.0.113.', toString(number % 5 + 1)), if(number < 20, '203.0.113.0/24', ''),
     'scanner/1.0'
   FROM system.numbers LIMIT 30`,
  `INSERT INTO denials (event_time, request_id, env, key_id, account_id, resource_id,
     resource_pattern, owner_state, client_ip, client_net, user_agent)
   SELECT parseDateTimeBestEffort('${start}') + 1900 + number, concat('req_y', toString(number)),
     'production', 'key_y', 'acct_y', concat('ord_', hex(number)), 'ord_{hex}', 1, '203.0.113.9',
     '203.0.113.0/24', 'other/2.0'
   FROM system.numbers LIMIT 5`,
  `INSERT INTO key_resources (minute, env, key_id, account_id, resource_id, action)
   SELECT toStartOfMinute(parseDateTimeBestEffort('${start}') + number * 60),
     'production', 'key_x', 'acct_x', concat('inv_', toString(number)), toUInt8(number % 3)
   FROM system.numbers LIMIT 12`,
  `INSERT INTO foreign_access (event_time, request_id, env, method, path, route, status, key_id,
     account_id, resource_type, resource_id, resource_pattern, resource_owner, owner_state,
     client_ip, user_agent)
   SELECT parseDateTimeBestEffort('${start}') + 2400, 'req_fa', 'production', 'GET',
     '/v1/invoices/inv_3', '/v1/invoices/{invoice_id}', 200, 'key_x', 'acct_x', 'invoice', 'inv_3',
     'inv_{num}', 'acct_other', 2, '203.0.113.4', 'scanner/1.0'`,
  `INSERT INTO request_totals (minute, env, key_id, account_id, status_class, requests, denials,
     topic, partition, start_offset, end_offset)
   SELECT toStartOfMinute(parseDateTimeBestEffort('${start}') + 1800), 'production', 'key_x',
     'acct_x', 4, 30, 30, 'api.responses', 0, 0, 29`,
  `INSERT INTO alerts (alert_id, version, transition, rule, severity, status, key_id, account_id,
     client_ip, env, window_start, window_end, first_seen, last_seen, summary, evidence, runbook,
     muted, note)
   SELECT 'alert_x', 1, 'opened', 'id-enumeration', 'high', 'firing', 'key_x', 'acct_x', '',
     'production', parseDateTimeBestEffort('${start}'), parseDateTimeBestEffort('${end}'),
     parseDateTimeBestEffort('${start}') + 1800, parseDateTimeBestEffort('${start}') + 1829,
     'key key_x was denied on 22 IDs',
     '{"decision":{"crossed":[{"fact":"guessed_ids","value":22,"threshold":">= 10 in 60 min"}],"severity_reason":"a scan"},"window_minutes":60}',
     'docs/runbooks/id-enumeration.md', 0, ''`,
];

/** Runs one statement exactly as written (its own FORMAT included) and returns the body. */
async function run(client: ClickHouseClient, query: string): Promise<string> {
  const { stream } = await client.exec({ query });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

describe('runbook SQL (docs/runbooks/*.md)', () => {
  const { database } = testNames('runbook_sql');
  let client: ClickHouseClient;

  beforeAll(async () => {
    client = await migratedDatabase(database);
    for (const statement of SEED) await client.command({ query: statement });
  });

  afterAll(async () => {
    await client?.close();
    await dropDatabase(database);
  });

  it('finds the runbooks’ queries, with only known placeholders', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(20);
    for (const block of blocks) {
      const left = /'?<[a-z][a-z_]*>'?/i.exec(substitute(block.sql));
      expect(left?.[0], `${block.where}: unknown placeholder`).toBeUndefined();
    }
  });

  it('every runbook with placeholders says how to quote a value, and its example parses back', async () => {
    let examples = 0;
    for (const file of readdirSync(runbooksDir).filter((name) => name.endsWith('.md'))) {
      const text = readFileSync(`${runbooksDir}${file}`, 'utf8');
      if (!/'<[a-z_]+>'/.test(text)) continue;
      // The rule as the runbooks state it: a backslash as `\\`, a single quote as `\'`.
      expect(text, file).toMatch(/backslash\s+as\s+`\\\\`/);
      expect(text, file).toMatch(/single\s+quote\s+as\s+`\\'`/);
      const example = /`([^`]+)`\s+becomes\s+`('[^`]+')`/.exec(text);
      expect(example, `${file}: no quoting example`).not.toBeNull();
      const [, value = '', literal = ''] = example ?? [];
      // The example follows the rule (the project's own quoting agrees) and ClickHouse reads it
      // back as the value.
      expect(quoteString(value), file).toBe(literal);
      const body = await run(client, `SELECT ${literal} AS v FORMAT JSONEachRow`);
      expect((JSON.parse(body) as { v: string }).v, file).toBe(value);
      expect(value, `${file}: the example should need both escapes`).toMatch(/'.*\\|\\.*'/);
      examples += 1;
    }
    expect(examples).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks.map((block) => [block.where, block] as const))('%s runs', async (_, block) => {
    const body = await run(client, substitute(block.sql));
    // An exception after the first rows arrives in the body of an HTTP 200 answer.
    expect(body).not.toMatch(/^Code: \d+.*DB::Exception/m);
  });
});
