import { describe, expect, it } from 'vitest';
import { parseSimulateOptions } from '../src/simulator/options.js';
import { RateMeter, TokenBucket } from '../src/simulator/token-bucket.js';
import { TrafficPlan } from '../src/simulator/traffic-plan.js';

describe('TokenBucket', () => {
  it('releases rate tokens per second, capped at burst', () => {
    const bucket = new TokenBucket(500, 100, 0);
    expect(bucket.take(100)).toBe(50);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(10_000)).toBe(100); // a stall is not followed by a flood
    expect(bucket.msUntil(10, 10_000)).toBe(20);
    expect(bucket.take(10_020, 5)).toBe(5);
  });

  it('paces a simulated loop to the target rate', () => {
    const bucket = new TokenBucket(500, 100, 0);
    let sent = 0;
    for (let t = 0; t <= 10_000; t += 7) sent += bucket.take(t);
    expect(sent).toBeGreaterThanOrEqual(4_990);
    expect(sent).toBeLessThanOrEqual(5_000);
  });

  it('measures the achieved rate per interval', () => {
    const meter = new RateMeter(0);
    meter.add(900);
    expect(meter.sample(2_000)).toEqual({ events: 900, seconds: 2, rate: 450 });
    expect(meter.sample(3_000).events).toBe(0);
  });
});

describe('parseSimulateOptions', () => {
  it('applies defaults', () => {
    expect(parseSimulateOptions({}, 200, 42)).toEqual({
      ok: true,
      options: {
        rate: 200,
        durationMs: null,
        to: 'kafka',
        out: '-',
        seed: 42,
        attackEveryMs: 180_000,
      },
    });
  });

  it('parses every option; --out alone means a file', () => {
    const parsed = parseSimulateOptions(
      { rate: '500', duration: '10s', out: 'x.ndjson', seed: '7', attackEvery: '30s' },
      200,
      1,
    );
    expect(parsed).toEqual({
      ok: true,
      options: {
        rate: 500,
        durationMs: 10_000,
        to: 'file',
        out: 'x.ndjson',
        seed: 7,
        attackEveryMs: 30_000,
      },
    });
  });

  it('names every bad option at once', () => {
    const parsed = parseSimulateOptions(
      { rate: '0', duration: 'soon', to: 'kafka', out: 'x', seed: '-1', attackEvery: '500ms' },
      200,
      1,
    );
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors.map((e) => e.split(':')[0])).toEqual([
      '--rate',
      '--duration',
      '--attack-every',
      '--out',
      '--seed',
    ]);
  });

  it('refuses rates above the maximum and unknown targets', () => {
    expect(parseSimulateOptions({ rate: '2000000' }, 200, 1).ok).toBe(false);
    expect(parseSimulateOptions({ rate: '1.5' }, 200, 1).ok).toBe(false);
    expect(parseSimulateOptions({ to: 'stdout' }, 200, 1).ok).toBe(false);
  });
});

describe('TrafficPlan', () => {
  const plan = (seed: number) =>
    new TrafficPlan({
      rate: 200,
      seed,
      startMs: 0,
      firstAttackAfterMs: 10_000,
      attackEveryMs: 60_000,
    });

  it('injects a scan and a cross-environment leak early, then every attackEvery', () => {
    const events = plan(1).next(200 * 100);
    const injected = events.flatMap((p, i) =>
      p.injects === undefined ? [] : [{ name: p.injects.name, ts: p.event.ts, i }],
    );
    expect(injected.map((x) => x.name)).toEqual([
      'attack:id-enumeration:sequential',
      'attack:cross-environment:staging-ids-in-production',
      'attack:id-enumeration:sequential',
      'attack:cross-environment:staging-ids-in-production',
    ]);
    expect(injected[0]?.ts).toBeGreaterThanOrEqual(10_000);
    expect(injected[0]?.ts).toBeLessThan(12_000);
    // The first scan comes ~10 s into plan time, i.e. after ~2,000 background events at 200/s.
    expect(injected[0]?.i).toBeGreaterThan(1_500);
    expect(injected[0]?.i).toBeLessThan(2_600);
    expect(injected[2]?.ts).toBeGreaterThanOrEqual(70_000);
  });

  it('is ordered, has unique request IDs, and repeats for the same seed', () => {
    const a = plan(5).next(20_000);
    const ids = new Set(a.map((p) => p.event.request_id));
    expect(ids.size).toBe(a.length);
    for (let i = 1; i < a.length; i += 1) {
      expect(a[i]?.event.ts ?? 0).toBeGreaterThanOrEqual(a[i - 1]?.event.ts ?? 0);
    }
    expect(
      plan(5)
        .next(500)
        .map((p) => p.event.request_id),
    ).toEqual(a.slice(0, 500).map((p) => p.event.request_id));
    expect(plan(6).next(1)[0]?.event.request_id).not.toBe(a[0]?.event.request_id);
  });
});
