import type { Finding } from '@denyscope/detections';
import { stackEnv, testNames, waitFor, deleteRedisPrefix } from '@denyscope/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentManager } from '../src/incident-manager.js';
import { RedisIncidentStore } from '@denyscope/incidents';

// Issue 11, item 2: incident keys in Redis never expired, so every distinct subject an attacker
// sends left a key behind for good. Resolved incidents now expire; firing ones never do, and the
// next incident of an expired subject still gets an alert ID of its own.

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.UTC(2026, 11, 7, 10, 0);
const at = (ms: number) => new Date(T0 + ms);

function finding(lastSeen: Date): Finding {
  return {
    rule: 'id-enumeration',
    subjectKey: 'account_id=a1&key_id=k1',
    subject: { key_id: 'k1', account_id: 'a1' },
    env: 'production',
    severity: 'high',
    window: { start: new Date(lastSeen.getTime() - 5 * MINUTE), end: lastSeen },
    firstSeen: new Date(lastSeen.getTime() - 4 * MINUTE),
    lastSeen,
    summary: 'scan',
    evidence: {},
  };
}

describe('RedisIncidentStore: resolved incidents expire (DETECT_RESOLVED_TTL_MS)', () => {
  const prefix = `test-expiry-${testNames('expiry').suffix}`;
  const key = `${prefix}:incident:id-enumeration|account_id=a1&key_id=k1`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(stackEnv.REDIS_URL);
  });

  afterAll(async () => {
    await deleteRedisPrefix(redis, prefix);
    redis.disconnect();
  });

  async function step(manager: IncidentManager, findings: Finding[], watermark: Date) {
    const { transitions, updates } = await manager.evaluate(findings, watermark);
    await manager.commit([...transitions.map((t) => t.state), ...updates]);
    return transitions;
  }

  it('keeps a firing incident, expires it once resolved, and gives the next one a new alert ID', async () => {
    const ttlMs = 1_500;
    const store = new RedisIncidentStore(redis, prefix, { resolvedTtlMs: ttlMs });
    const manager = new IncidentManager(store, 15 * MINUTE);

    const [opened] = await step(manager, [finding(at(0))], at(0));
    expect(opened?.transition).toBe('opened');
    expect(await redis.pttl(key)).toBe(-1); // firing: no expiry

    const [resolved] = await step(manager, [], at(20 * MINUTE));
    expect(resolved?.transition).toBe('resolved');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(ttlMs);

    await waitFor(
      'the resolved incident to expire',
      () => redis.exists(key),
      (n) => n === 0,
      {
        timeoutMs: 10_000,
        everyMs: 100,
      },
    );
    // The store remembers nothing now; the subject fires again a week later.
    const [again] = await step(manager, [finding(at(7 * DAY))], at(7 * DAY));
    expect(again?.transition).toBe('opened');
    expect(again?.state.episode).toBe(1);
    expect(again?.state.alertId).not.toBe(opened?.state.alertId);
    expect(await redis.pttl(key)).toBe(-1);
  });

  it('clears the TTL of a resolved incident when its subject fires again before it expires', async () => {
    const store = new RedisIncidentStore(redis, `${prefix}-2`, { resolvedTtlMs: DAY });
    const manager = new IncidentManager(store, 15 * MINUTE);
    const k = `${prefix}-2:incident:id-enumeration|account_id=a1&key_id=k1`;
    const [first] = await step(manager, [finding(at(0))], at(0));
    await step(manager, [], at(20 * MINUTE));
    expect(await redis.pttl(k)).toBeGreaterThan(0);
    const [second] = await step(manager, [finding(at(30 * MINUTE))], at(30 * MINUTE));
    expect(second?.state.episode).toBe(2);
    expect(second?.state.alertId).not.toBe(first?.state.alertId);
    expect(await redis.pttl(k)).toBe(-1);
  });
});
