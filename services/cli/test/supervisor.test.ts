import { describe, expect, it } from 'vitest';
import { endpointsBanner, localStackParts } from '../src/supervisor/local-stack-plan.js';
import { loadAllConfig } from '../src/config.js';
import { Supervisor, runToCompletion, type SupervisorEvent } from '../src/supervisor/supervisor.js';
import { waitFor } from '@denyscope/testkit';

const node = process.execPath;
/** A child that says "running", and on SIGTERM says "bye <name>" and exits 0. */
const polite = (name: string) =>
  `console.log('running'); process.on('SIGTERM', () => { console.log('bye ${name}'); process.exit(0); }); setInterval(() => {}, 1000);`;

function recorder() {
  const lines: string[] = [];
  const events: SupervisorEvent[] = [];
  return {
    lines,
    events,
    onLine: (name: string, line: string) => lines.push(`${name}: ${line}`),
    onEvent: (event: SupervisorEvent) => events.push(event),
  };
}

describe('localStackParts', () => {
  it('starts only the parts whose endpoint is not configured', () => {
    expect(localStackParts({})).toEqual(['kafka', 'clickhouse', 'redis']);
    expect(localStackParts({ KAFKA_BROKERS: 'k:9092', REDIS_URL: '' })).toEqual([
      'clickhouse',
      'redis',
    ]);
    expect(
      localStackParts({
        KAFKA_BROKERS: 'k:9092',
        CLICKHOUSE_URL: 'http://c',
        REDIS_URL: 'redis://r',
      }),
    ).toEqual([]);
  });
});

describe('Supervisor', () => {
  it('restarts a crashing child with a growing delay', async () => {
    const r = recorder();
    const supervisor = new Supervisor({
      ...r,
      backoff: { initialMs: 50, maxMs: 200, resetAfterMs: 60_000 },
    });
    supervisor.start({ name: 'crash', command: node, args: ['-e', 'process.exit(3)'] });
    await waitFor(
      'three restarts',
      () => Promise.resolve(r.events.filter((e) => e.type === 'restarting').length),
      (n) => n >= 3,
      { timeoutMs: 20_000 },
    );
    await supervisor.stop();
    const delays = r.events.flatMap((e) => (e.type === 'restarting' ? [e.delayMs] : []));
    expect(delays.slice(0, 3)).toEqual([50, 100, 200]);
    expect(r.events.find((e) => e.type === 'exited')).toMatchObject({ code: 3 });
    expect(supervisor.pids()).toEqual([]);
  });

  it('stops children in reverse start order and waits for each', async () => {
    const r = recorder();
    const supervisor = new Supervisor(r);
    for (const name of ['first', 'second', 'third']) {
      supervisor.start({ name, command: node, args: ['-e', polite(name)] });
    }
    await waitFor(
      'all running',
      () => Promise.resolve(r.lines.filter((l) => l.endsWith(': running')).length),
      (n) => n === 3,
      { timeoutMs: 20_000 },
    );
    await supervisor.stop();
    expect(r.lines.filter((l) => l.includes('bye'))).toEqual([
      'third: bye third',
      'second: bye second',
      'first: bye first',
    ]);
    expect(r.events.filter((e) => e.type === 'restarting')).toEqual([]);
    expect(supervisor.pids()).toEqual([]);
  });

  it('kills a child that ignores SIGTERM after the stop timeout', async () => {
    const r = recorder();
    const supervisor = new Supervisor({ ...r, stopTimeoutMs: 300 });
    supervisor.start({
      name: 'stubborn',
      command: node,
      args: [
        '-e',
        "process.on('SIGTERM', () => {}); console.log('running'); setInterval(() => {}, 1000);",
      ],
    });
    await waitFor(
      'running',
      () => Promise.resolve(r.lines.length),
      (n) => n > 0,
      { timeoutMs: 20_000 },
    );
    await supervisor.stop();
    expect(r.events.some((e) => e.type === 'killed')).toBe(true);
    expect(r.events.find((e) => e.type === 'exited')).toMatchObject({ signal: 'SIGKILL' });
  });

  it('runs a one-shot command to completion with its lines', async () => {
    const r = recorder();
    const code = await runToCompletion(
      {
        name: 'once',
        command: node,
        args: ['-e', "console.log('a'); console.error('b'); process.exit(4)"],
      },
      r.onLine,
    );
    expect(code).toBe(4);
    expect(r.lines.sort()).toEqual(['once: a', 'once: b']);
  });
});

describe('endpointsBanner', () => {
  it('prints the endpoints with their passwords masked (issue 11)', () => {
    const config = loadAllConfig({
      CLICKHOUSE_URL: 'http://default:s3cret-ch@ch.internal:8123',
      REDIS_URL: 'redis://:s3cret-redis@redis.internal:6379',
    });
    const lines = endpointsBanner(config, { api: false, reporter: false, simulator: false });
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(lines[0]).toContain('http://default:***@ch.internal:8123');
    expect(lines[2]).toContain('redis://:***@redis.internal:6379');
  });
});
