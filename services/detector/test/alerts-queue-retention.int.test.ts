import { QUEUES, type AlertNotification } from '@denyscope/alerts';
import { stackEnv, testNames } from '@denyscope/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsQueueOutput } from '@denyscope/incidents';
import type { IncidentState } from '@denyscope/incidents';

// Issue 11, item 2: the detector's alert jobs were kept by age only (7 days, 28 for failures), so
// a flood of state changes grew Redis without bound for that long. They are bounded by count too.

describe('AlertsQueueOutput job retention (Redis)', () => {
  const prefix = `test-retention-${testNames('retention').suffix}`;
  let queue: Queue<AlertNotification>;

  beforeAll(() => {
    queue = new Queue(QUEUES.alerts, { connection: { url: stackEnv.REDIS_URL }, prefix });
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('stores every alert job with removeOnComplete and removeOnFail bounded by age and count', async () => {
    const state: IncidentState = {
      rule: 'id-enumeration',
      subjectKey: 'account_id=a&key_id=k',
      subject: { key_id: 'k', account_id: 'a' },
      alertId: 'id-enumeration-0123456789abcdef0123',
      episode: 1,
      version: 1,
      status: 'firing',
      severity: 'high',
      env: 'production',
      window: { start: '2026-12-07T10:00:00.000Z', end: '2026-12-07T10:05:00.000Z' },
      firstSeen: '2026-12-07T10:01:00.000Z',
      lastSeen: '2026-12-07T10:05:00.000Z',
      summary: 'scan',
      evidence: {},
    };
    await new AlertsQueueOutput(queue).write({ transition: 'opened', state }, false);
    const [job] = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    for (const keep of [job?.opts.removeOnComplete, job?.opts.removeOnFail]) {
      const { age, count } = keep as { age?: unknown; count?: unknown };
      expect([typeof age, typeof count]).toEqual(['number', 'number']);
    }
  });
});
