/**
 * Micro-benchmark of the lean fast path (`scanCountable`) against the full `parseEvent`, on
 * ingest-like traffic. Run from the repository root:
 * `npx tsx bench/scan-countable.ts [rounds]`.
 *
 * The events come from the testkit's generator, shaped the way bench/run.ts produces them: about
 * 3 % denials, a 70-char user agent, 200 accounts, ~400-byte Buffers. Each stream is run twice,
 * with `ts` as epoch ms (what the generator writes) and as an RFC 3339 string (what most
 * gateways write). Variants:
 * - all events: `parseEvent` on every event, against `scanCountable(b) ?? parseEvent(b)`, which
 *   is what ingest does;
 * - countable only: the events the scanner takes (the non-denial majority), through each path;
 * - countable only, with the resource: as above, and then reading `method` and `resourceId` of
 *   the 2xx events, which the scanner decodes lazily and ingest reads for key_resources (the
 *   generator's events carry no resource_id, so it is derived from path and route).
 *
 * Shared, noisy machines: the variants run interleaved for ROUNDS rounds, and the best round of
 * each counts. Both process CPU time and wall time are reported. CPU time includes GC threads
 * but not time lost to other processes, so it is the steadier of the two under load.
 */
import { generateEvents } from '@denyscope/scenarios';

import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS, parseEvent, scanCountable } from '@denyscope/events';
import type { CountableEvent } from '@denyscope/events';

const ROUND_MS = 500;
const ROUNDS = Number(process.argv[2] ?? 10);
const COUNT = 20_000;
const USER_AGENT = 'Mozilla/5.0 (bench) denyscope-bench/1.0 (+https://example.invalid)';

const nowMs = Date.now();
const scanOptions = {
  maxBytes: EVENT_LIMITS.maxMessageBytes,
  environments: DEFAULT_ENVIRONMENTS,
  nowMs,
};
const parseOptions = {
  maxBytes: scanOptions.maxBytes,
  environments: scanOptions.environments,
  now: () => nowMs,
};

function messages(tsAsString: boolean): Buffer[] {
  const events = generateEvents({
    count: COUNT,
    denialRatio: 0.03,
    seed: 7,
    startMs: nowMs - 60 * 60_000,
    stepMs: 3,
    accounts: 200,
  });
  return events.map((event) =>
    Buffer.from(
      JSON.stringify({
        ...event,
        ts: tsAsString ? new Date(event.ts).toISOString() : event.ts,
        user_agent: USER_AGENT,
      }),
    ),
  );
}

interface Timing {
  cpuUs: number;
  wallUs: number;
}

/** µs per event of `run` over `input`, in CPU and wall time, for one round of about ROUND_MS. */
function measure(input: readonly Buffer[], run: (bytes: Buffer) => unknown): Timing {
  let count = 0;
  let sink = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    for (const message of input) {
      if (run(message) !== undefined) sink++;
    }
    count += input.length;
    elapsed = performance.now() - start;
  }
  const used = process.cpuUsage(cpu);
  if (sink !== count) throw new Error('a variant returned nothing');
  return { cpuUs: (used.user + used.system) / count, wallUs: (elapsed * 1000) / count };
}

const full = (b: Buffer): unknown => parseEvent(b, parseOptions);
const lean = (b: Buffer): unknown => scanCountable(b, scanOptions);
const leanThenFull = (b: Buffer): unknown =>
  scanCountable(b, scanOptions) ?? parseEvent(b, parseOptions);
/** What ingest reads of a 2xx event for key_resources; the result keeps the reads alive. */
function withResource(event: CountableEvent | undefined): unknown {
  if (event === undefined || event.status < 200 || event.status > 299) return event;
  return event.resourceId === null ? event.method : event.resourceId.length + event.method.length;
}
const leanWithResource = (b: Buffer): unknown => withResource(scanCountable(b, scanOptions));
const fullWithResource = (b: Buffer): unknown => {
  const parsed = parseEvent(b, parseOptions);
  return parsed.ok ? withResource(parsed.event) : parsed;
};

interface Variant {
  name: string;
  input: Buffer[];
  run: (bytes: Buffer) => unknown;
}
const variants: Variant[] = [];
const pairs: [string, string, string][] = [];
for (const tsAsString of [false, true]) {
  const all = messages(tsAsString);
  const countable = all.filter((m) => lean(m) !== undefined);
  const ts = tsAsString ? 'ts string' : 'ts number';
  const bytes = all.reduce((sum, m) => sum + m.length, 0) / all.length;
  const share = ((countable.length / all.length) * 100).toFixed(1);
  console.log(
    `${ts}: ${all.length} events of ${bytes.toFixed(0)} bytes, the scanner takes ${share} %`,
  );
  for (const [set, input, fullRun, leanRun, leanName] of [
    ['all events', all, full, leanThenFull, 'scanCountable ?? parseEvent'],
    ['countable only', countable, full, lean, 'scanCountable'],
    ['countable, resource', countable, fullWithResource, leanWithResource, 'scanCountable'],
  ] as const) {
    const a = `${ts}, ${set}: parseEvent`;
    const b = `${ts}, ${set}: ${leanName}`;
    variants.push({ name: a, input, run: fullRun }, { name: b, input, run: leanRun });
    pairs.push([`${ts}, ${set}`, a, b]);
  }
}

const best = new Map<string, Timing>();
for (let round = 0; round < ROUNDS; round++) {
  for (const { name, input, run } of variants) {
    const t = measure(input, run);
    const b = best.get(name) ?? { cpuUs: Infinity, wallUs: Infinity };
    best.set(name, { cpuUs: Math.min(b.cpuUs, t.cpuUs), wallUs: Math.min(b.wallUs, t.wallUs) });
  }
}

console.log(`node ${process.version}, best of ${ROUNDS} rounds of ${ROUND_MS} ms, µs/event`);
console.log(`${''.padEnd(52)}      CPU     wall`);
for (const [name, t] of best) {
  console.log(
    `${name.padEnd(52)} ${t.cpuUs.toFixed(3).padStart(8)} ${t.wallUs.toFixed(3).padStart(8)}`,
  );
}
for (const [label, a, b] of pairs) {
  const ta = best.get(a);
  const tb = best.get(b);
  if (ta === undefined || tb === undefined) continue;
  const cpu = (ta.cpuUs / tb.cpuUs).toFixed(2);
  const wall = (ta.wallUs / tb.wallUs).toFixed(2);
  console.log(`${label.padEnd(28)} lean is ${cpu}× faster (CPU), ${wall}× (wall)`);
}
