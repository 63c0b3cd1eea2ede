/**
 * What a real topic carries besides clean events, each at a small rate: the same line delivered
 * twice (producer retries), lines that are not v1 events at all (`malformed`: ingest must
 * dead-letter them and go on), and valid events with hostile content (`hostile`: lone UTF-16
 * surrogates, NUL, right-to-left marks, 1 kB IDs, huge user agents) that must be stored verbatim
 * and never break a query.
 */
import type { Line } from './gateways.js';
import { type Random, chance, int, pick } from './random.js';

export interface NoiseOptions {
  duplicate: number;
  malformed: number;
  hostile: number;
}

export const DEFAULT_NOISE: NoiseOptions = { duplicate: 0.004, malformed: 0.001, hostile: 0.001 };

type Fields = Record<string, unknown>;

/** Each turns a valid event into a line the contract rejects. */
const MALFORMED: readonly ((e: Fields, text: string, random: Random) => string)[] = [
  (_e, text, random) => text.slice(0, int(random, 1, text.length - 2)),
  () => '<html><body><h1>502 Bad Gateway</h1></body></html>',
  (e) => `${String(e.method)} ${String(e.path)} ${String(e.status)}`,
  (e) => JSON.stringify([e]),
  () => 'null',
  (e) => JSON.stringify({ ...e, request_id: undefined }),
  (e) => JSON.stringify({ ...e, env: undefined }),
  (e) => JSON.stringify({ ...e, status: String(e.status) }),
  (e) => JSON.stringify({ ...e, key_id: 12345 }),
  (e) => JSON.stringify({ ...e, env: 'prod' }),
  // Epoch seconds where milliseconds were meant.
  (e) => {
    const ms = typeof e.ts === 'number' ? e.ts : Date.parse(String(e.ts));
    return JSON.stringify({ ...e, ts: Math.floor(ms / 1000) });
  },
  (e) => JSON.stringify({ ...e, resource_id: `inv_${'9'.repeat(1100)}` }),
];

/** Resource IDs no platform issued: each stresses a different part of storage and display. */
const HOSTILE_IDS: readonly ((random: Random) => string)[] = [
  // A lone surrogate: valid JSON (`\ud800`), not encodable as UTF-8.
  () => 'inv_12\ud80034',
  () => 'doc_\u0000\u0000abc1',
  () => `cus_\u202e${'gnp.exe'}\u202c01`,
  // Up to the contract's 1,024 characters: long, yet a valid event.
  (random) => `file_${'a1'.repeat(int(random, 400, 509))}`,
  () => "inv_1' OR '1'='1\\",
  () => 'sub_\ud83d\ude00\u200b\ufeff',
];

export class Noise {
  constructor(
    private readonly random: Random,
    private readonly rates: NoiseOptions = DEFAULT_NOISE,
  ) {}

  /** Lines that follow `line` on the topic because of it (none most of the time). */
  after(line: Line): Line[] {
    const out: Line[] = [];
    const random = this.random;
    if (chance(random, this.rates.duplicate)) {
      out.push({ ...line, arrival: line.arrival + int(random, 1_000, 90_000), kind: 'duplicate' });
    }
    if (chance(random, this.rates.malformed)) {
      const event = JSON.parse(line.text) as Fields;
      const text = pick(random, MALFORMED)(event, line.text, random);
      out.push({ arrival: line.arrival + 1, text, kind: 'malformed', episode: null, ts: null });
    }
    // Hostile requests come from background keys only, so that no episode's label changes.
    if (line.episode === null && chance(random, this.rates.hostile)) {
      out.push(this.hostile(line));
    }
    return out;
  }

  private hostile(line: Line): Line {
    const random = this.random;
    const event = JSON.parse(line.text) as Fields;
    const hostile: Fields = { ...event, request_id: `${String(event.request_id)}h` };
    if (chance(random, 0.25)) {
      // A client that sends its whole environment as its user agent.
      hostile.user_agent = `acme-node/5.4.0 ${'x'.repeat(int(random, 4_000, 20_000))}`;
    } else {
      const id = pick(random, HOSTILE_IDS)(random);
      Object.assign(hostile, {
        method: 'GET',
        // Raw, not percent-encoded: some gateways log the path as received.
        path: `/v1/documents/${id}`,
        status: 403,
        error: 'ownership_denied',
        resource_owner: null,
      });
      delete hostile.resource_env;
      if ('route' in event) hostile.route = '/v1/documents/{document_id}';
      if ('resource_type' in event) hostile.resource_type = 'document';
      if ('resource_id' in event) hostile.resource_id = id;
    }
    return {
      ...line,
      arrival: line.arrival + 2,
      text: JSON.stringify(hostile),
      kind: 'hostile',
      episode: null,
    };
  }
}
