import { waitFor } from '@denyscope/testkit';
import {
  crossTenant,
  foreignAccessSuccess,
  seededRandom,
  type GeneratedEvent,
} from '@denyscope/scenarios';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { chaosStack } from './support/chaos-stack.js';
import { expectNoLossNoDuplicate, stateChanges, storedCounts } from './support/checks.js';
import { healthChanges, waitHealth } from './support/health.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed } from './support/producer.js';
import { profile } from './support/profile.js';
import { chaosStreamOf, isDenial } from './support/streams.js';

const MINUTE = 60_000;
const RULE = 'foreign-access-success';
const FAILURES = 3;

/** What ingest writes to foreign_access (services/ingest/src/rows.ts, isForeignAccess). */
const isForeignAccess = (e: GeneratedEvent) =>
  !isDenial(e) &&
  typeof e.resource_owner === 'string' &&
  e.account_id !== null &&
  e.resource_owner !== e.account_id;

/**
 * Issue 11, finding 3, live: the query of foreign-access-success fails (the table it reads is
 * renamed away, a real ClickHouse error) while 17 minutes of event time go by, longer than its
 * 15-minute window (id-enumeration and cross-environment, which read it for samples, fail too).
 * The attack it should find was stored just before, in a window not yet evaluated. A detector that counted the failed windows as evaluated would never look at it again;
 * this one evaluates them again from the rule's last success once the table is back, raises
 * pipeline-health after DETECT_RULE_FAILURE_ALERT_AFTER failures, and keeps the other rules going.
 */
describe('chaos: a rule whose query fails for several ticks', () => {
  const pipeline = usePipeline({
    name: 'failrule',
    env: { DETECT_RULE_FAILURE_ALERT_AFTER: String(FAILURES) },
  });
  const random = seededRandom(81);
  const tailMs = 4 * MINUTE;
  const startMs = Date.now() - 27 * MINUTE;
  const foreign = foreignAccessSuccess(
    { random, startMs: startMs + MINUTE, durationMs: 2 * MINUTE },
    { spanMs: 2 * MINUTE },
  );
  const leakTs = foreign.events.find(isForeignAccess)?.ts ?? 0;
  // While the rule fails: the windows after the leak, and an attack on a rule that does not read
  // foreign_access (id-enumeration and cross-environment do, for their shareable-ID samples).
  const faultEndTs = leakTs + 17 * MINUTE;
  const tenant = crossTenant(
    { random, startMs: leakTs + 2 * MINUTE, durationMs: 10 * MINUTE },
    { concentrated: true },
  );
  const stream = chaosStreamOf([foreign, tenant], {
    random,
    startMs,
    durationMs: faultEndTs + tailMs - startMs,
    perSecond: profile.name === 'full' ? 30 : 10,
  });
  // Ingest writes foreign_access too (a missing table is a permanent error for it): nothing of
  // the stream may go there while it is away. The leak itself is stored before.
  const PHASE1_END = leakTs + 5_000;
  const duringFault = stream.events.filter((e) => e.ts > PHASE1_END && e.ts <= faultEndTs);

  it('evaluates the failed windows again after recovery and raises pipeline-health', async () => {
    expect(duringFault.filter(isForeignAccess), 'foreign accesses during the fault').toEqual([]);
    pipeline.start('ingest');
    pipeline.start('detect');
    pipeline.start('notify');
    const client = pipeline.clickhouse();
    const redis = new Redis(chaosStack.endpoints.REDIS_URL);
    const feed = new EventFeed(pipeline.producer(), stream.events);
    const detectorKey = (kind: string) => `${pipeline.prefix}:detector:${kind}`;
    try {
      // 1. Up to just after the leak. The watermark trails the newest event by the allowed
      // lateness (30 s), so no evaluated window holds the leak yet.
      await feed.produce({ throughTs: PHASE1_END, durationMs: profile.produceMs * 0.2 });
      await waitFor(
        'phase 1 stored and the rule evaluated on its own',
        async () => ({
          stored: (await storedCounts(client)).requests,
          own: await redis.get(detectorKey(`evaluated:${RULE}`)),
        }),
        (s) => s.stored >= feed.produced.length && s.own !== null,
      );
      expect(Number(await redis.get(detectorKey(`evaluated:${RULE}`)))).toBeLessThan(leakTs);

      // 2. The fault, while 17 minutes of event time go by.
      await client.command({ query: 'RENAME TABLE foreign_access TO foreign_access_away' });
      try {
        await feed.produce({ throughTs: faultEndTs, durationMs: profile.produceMs * 0.5 });
        await waitHealth(client, `rule:${RULE}`);
        await waitFor(
          'the detector evaluated past the leak’s window',
          () => redis.get(detectorKey('evaluated')),
          (ms) => Number(ms) > leakTs + 16 * MINUTE,
        );
        const during = await stateChanges(client);
        expect(
          during.filter((c) => c.rule === RULE),
          `${RULE} while failing`,
        ).toEqual([]);
        expect(
          during.some((c) => c.rule === 'cross-tenant' && c.transition === 'opened'),
          'a rule that does not read the table detects meanwhile',
        ).toBe(true);
        expect(Number(await redis.get(detectorKey(`failures:${RULE}`)))).toBeGreaterThanOrEqual(
          FAILURES,
        );
      } finally {
        await client.command({ query: 'RENAME TABLE foreign_access_away TO foreign_access' });
      }

      // 3. Recovered: the rest of the stream. The leak's incident (none was recorded while the
      // rule failed, see above) opens from the windows evaluated again, and resolves; every other
      // check as in every scenario.
      await feed.produce({ durationMs: profile.produceMs * 0.3 });
      const changes = await expectNoLossNoDuplicate(pipeline, stream);
      await waitHealth(client, `rule:${RULE}`, 'resolved');
      const health = (await healthChanges(client)).filter((c) => c.component === `rule:${RULE}`);
      console.info(
        `chaos failing rule: ${changes.length} state change(s); pipeline-health for the rule: ` +
          health
            .map((c) => `v${c.version} ${c.transition} (failures ${String(c.evidence.failures)})`)
            .join(', '),
      );
      // Opened once, at the DETECT_RULE_FAILURE_ALERT_AFTER-th failure in a row, as an
      // operational alert (low: webhook and log, no page).
      expect(
        health.filter((c) => c.transition === 'opened'),
        'pipeline-health opened',
      ).toMatchObject([{ severity: 'low', evidence: { failures: FAILURES } }]);
    } finally {
      redis.disconnect();
    }
  });
});
