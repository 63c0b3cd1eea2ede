import {
  COUNTABLE_FIELDS,
  DEFAULT_ENVIRONMENTS,
  EVENT_LIMITS,
  parseEvent,
  scanCountable,
  type ApiEvent,
} from '@denyscope/events';
import { describe, expect, it } from 'vitest';
import { allScenarios, generateEvents } from '../src/index.js';

// The fast scanner of @denyscope/events on the traffic this package generates: every event it
// takes must be one parseEvent accepts as countable, with the same fields, and it must take
// nearly all of them (ingest's throughput rests on that). The scanner's exhaustive contract
// tests (fixtures, mutations, hostile input) are in packages/events/test/scan-countable.test.ts,
// which also writes the field list out rather than take COUNTABLE_FIELDS from the code.

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const USER_AGENT = 'Mozilla/5.0 (bench) denyscope-bench/1.0 (+https://example.invalid)';
const OPTIONS = {
  maxBytes: EVENT_LIMITS.maxMessageBytes,
  environments: DEFAULT_ENVIRONMENTS,
  nowMs: NOW,
};

/** Neither a denial nor a foreign access (a known owner that is not the caller's account). */
function isCountable(event: ApiEvent): boolean {
  const denial = event.status === 403 && event.error === 'ownership_denied';
  const foreign =
    typeof event.resourceOwner === 'string' &&
    event.accountId !== null &&
    event.resourceOwner !== event.accountId;
  return !denial && !foreign;
}

/** The generator's traffic as bench/run.ts sends it, with `ts` as epoch ms or RFC 3339. */
function generatedJson(seed: number, tsAsString: boolean): string[] {
  return generateEvents({
    count: 3000,
    seed,
    denialRatio: 0.03,
    accounts: 50,
    startMs: NOW - 30 * MINUTE,
    stepMs: 7,
  }).map((event) =>
    JSON.stringify({
      ...event,
      ts: tsAsString ? new Date(event.ts).toISOString() : event.ts,
      user_agent: USER_AGENT,
    }),
  );
}

function scenarioJson(seed: number): string[] {
  return allScenarios(seed, NOW - 3 * HOUR).events.map((event) => JSON.stringify(event));
}

/** Scans every text; lists disagreements with parseEvent; counts countable and scanned events. */
function scan(texts: readonly string[]) {
  const problems: string[] = [];
  let countable = 0;
  let scanned = 0;
  for (const [index, text] of texts.entries()) {
    const bytes = Buffer.from(text, 'utf8');
    const full = parseEvent(bytes, { ...OPTIONS, now: () => NOW });
    const fullCountable = full.ok && isCountable(full.event);
    if (fullCountable) countable++;
    const lean = scanCountable(bytes, OPTIONS);
    if (lean === undefined) continue;
    scanned++;
    if (!full.ok || !fullCountable) {
      problems.push(`#${index}: scanned, but parseEvent does not count it: ${text}`);
      continue;
    }
    const differ = COUNTABLE_FIELDS.filter((field) => !Object.is(lean[field], full.event[field]));
    if (differ.length > 0) problems.push(`#${index}: ${differ.join(', ')} differ: ${text}`);
  }
  return { problems: problems.slice(0, 10), countable, scanned };
}

describe('scanCountable on generated traffic', () => {
  it.each([false, true])(
    'agrees with parseEvent and takes ≥ 99 % of the generator’s countable events (ts as string: %s)',
    (tsAsString) => {
      const texts = [1, 2, 3, 4, 5].flatMap((seed) => generatedJson(seed, tsAsString));
      const { problems, countable, scanned } = scan(texts);
      expect(problems).toEqual([]);
      expect(countable).toBeGreaterThan(texts.length * 0.9);
      expect(scanned / countable).toBeGreaterThanOrEqual(0.99);
    },
  );

  it('agrees with parseEvent and takes ≥ 99 % of the countable events of allScenarios', () => {
    for (const seed of [11, 12, 31]) {
      const { problems, countable, scanned } = scan(scenarioJson(seed));
      expect(problems).toEqual([]);
      expect(countable).toBeGreaterThan(1000);
      expect(scanned / countable).toBeGreaterThanOrEqual(0.99);
    }
  });
});
