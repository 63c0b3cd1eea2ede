import {
  crossTenant,
  idEnumerationSequential,
  seededRandom,
  type GeneratedEvent,
} from '@denyscope/scenarios';
import { describe, expect, it } from 'vitest';
import { expectNoLossNoDuplicate } from './support/checks.js';
import { healthChanges } from './support/health.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed } from './support/producer.js';
import { profile } from './support/profile.js';
import { chaosStreamOf } from './support/streams.js';

const MINUTE = 60_000;
const RULE = 'distributed-enumeration';
/** DETECT_MAX_NEW_INCIDENTS_PER_RULE for this scenario: small, so the flood is far over it. */
const CAP = 3;
const ADDRESSES = profile.name === 'full' ? 500 : 120;
/** distributed-enumeration's defaults: 10 keys guessing from one network, 50 distinct IDs. */
const KEYS = 10;
const IDS_PER_KEY = 5;

/**
 * A distributed scan from `count` addresses, each in its own /24 (each its own subject of
 * distributed-enumeration), all within one minute of event time: the same 10 throw-away keys
 * guess 5 missing invoice IDs each from every address (each key the same 5, so no key crosses
 * id-enumeration's thresholds on its own).
 */
function addressFlood(startMs: number, count: number): GeneratedEvent[] {
  const random = seededRandom(102);
  const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  // Key IDs as the platform issues them (key_live_ and 20 characters): the attacker cannot
  // choose them short.
  const token = () => Array.from({ length: 20 }, () => B62[Math.floor(random() * 62)]).join('');
  const keys = Array.from({ length: KEYS }, (_, k) => ({
    key_id: `key_live_${token()}`,
    account_id: `acct_flood${String(k).padStart(2, '0')}`,
  }));
  const events: GeneratedEvent[] = [];
  for (let a = 0; a < count; a += 1) {
    const client_ip = `10.${100 + Math.floor(a / 250)}.${a % 250}.7`;
    keys.forEach((key, k) => {
      for (let j = 0; j < IDS_PER_KEY; j += 1) {
        const id = `inv_${String(900_000 + k * IDS_PER_KEY + j).padStart(6, '0')}`;
        events.push({
          ts: startMs + Math.floor((MINUTE * events.length) / (count * KEYS * IDS_PER_KEY)),
          request_id: `flood-${a}-${k}-${j}`,
          env: 'production',
          method: 'GET',
          path: `/v1/invoices/${id}`,
          route: '/v1/invoices/{invoice_id}',
          status: 403,
          error: 'ownership_denied',
          resource_type: 'invoice',
          resource_owner: null,
          ...key,
          client_ip,
          user_agent: 'python-requests/2.31.0',
        });
      }
    });
  }
  return events.sort((x, y) => x.ts - y.ts);
}

/**
 * Issue 11, finding 2 ("page flood"): every distinct address could open its own high incident and
 * page. With DETECT_MAX_NEW_INCIDENTS_PER_RULE = 3, at most 3 incidents of the rule open and one
 * digest takes the rest: 4 pages, not hundreds. The labelled attacks of other rules in the same
 * stream are found as usual (the cap is per rule).
 */
describe(`chaos: ${ADDRESSES} distinct client addresses in one minute`, () => {
  const pipeline = usePipeline({
    name: 'addrflood',
    env: { DETECT_MAX_NEW_INCIDENTS_PER_RULE: String(CAP) },
  });
  const random = seededRandom(101);
  const startMs = Date.now() - 16 * MINUTE;
  const ctx = { random, startMs, durationMs: 8 * MINUTE };
  const stream = chaosStreamOf([idEnumerationSequential(ctx), crossTenant(ctx)], {
    random,
    startMs,
    durationMs: 14 * MINUTE,
    perSecond: profile.name === 'full' ? 60 : 20,
  });
  const flood = addressFlood(startMs + 4 * MINUTE, ADDRESSES);
  const events = [...stream.events, ...flood].sort((x, y) => x.ts - y.ts);

  it(`pages at most ${CAP} incidents plus one digest`, async () => {
    pipeline.start('ingest');
    pipeline.start('detect');
    pipeline.start('notify');
    await new EventFeed(pipeline.producer(), events).produce({ durationMs: profile.produceMs });

    const changes = await expectNoLossNoDuplicate(pipeline, stream, { events });
    const mine = changes.filter((c) => c.rule === RULE);
    const opened = mine.filter((c) => c.transition === 'opened');
    const paged = new Set(
      pipeline
        .receivers()
        .pagerduty.acknowledged()
        .map((d) => String((d.body as { dedup_key?: unknown }).dedup_key))
        .filter((id) => id.startsWith(`${RULE}-`)),
    );
    const digest = opened.filter((c) => c.key_id === '*digest*');
    console.info(
      `chaos address flood (${profile.name}): ${flood.length} denials from ${ADDRESSES} addresses; ` +
        `${opened.length} ${RULE} incident(s) opened (${digest.length} digest), ${paged.size} paged; ` +
        `${changes.length} state changes in all`,
    );
    // The cap of incidents of their own, one digest for the rest: each paged once (PagerDuty
    // takes high and up; expectNoLossNoDuplicate held every delivery to the recorded changes).
    expect(opened.length, `${RULE} incidents opened`).toBe(CAP + 1);
    expect(digest.length, 'digest incidents').toBe(1);
    expect(opened.filter((c) => c.client_ip !== '').length, 'incidents of an address').toBe(CAP);
    expect(paged.size, 'incidents paged').toBe(CAP + 1);
    // And the rule kept working through the flood: it never failed on it (a list of 500 networks'
    // pairs once passed max_query_size, and the rule stayed stuck on that window), and each of
    // its incidents resolved once the flood was over.
    const health = await healthChanges(pipeline.clickhouse());
    expect(
      health.filter((c) => c.component === `rule:${RULE}`),
      'rule failures',
    ).toEqual([]);
    const resolved = new Set(
      mine.filter((c) => c.transition === 'resolved').map((c) => c.alert_id),
    );
    expect(
      opened.filter((c) => !resolved.has(c.alert_id)),
      'incidents left firing',
    ).toEqual([]);
  });
});
