import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseEvent } from '@denyscope/events';
import {
  consumeAll,
  deleteTopics,
  dropDatabase,
  freePort,
  stackEnv,
  testKafka,
  testNames,
  waitFor,
  deleteRedisPrefix,
} from '@denyscope/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/denyscope.js', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      into.push(...lines);
    };
  };
  child.stdout.on('data', collect(stdout));
  child.stderr.on('data', collect(stderr));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, stdout, stderr, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const kafka = testKafka();
const topics: string[] = [];
const databases: string[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  await deleteTopics(kafka, topics);
  for (const database of databases) await dropDatabase(database);
  const redis = new Redis(stackEnv.REDIS_URL);
  try {
    for (const prefix of prefixes) {
      await deleteRedisPrefix(redis, prefix);
    }
  } finally {
    redis.disconnect();
  }
});

describe('denyscope simulate', () => {
  it('produces ~rate × duration valid v1 events to a new topic and lists its scenarios', async () => {
    const { topic } = testNames('simulate');
    topics.push(topic);
    const sim = run(
      ['simulate', '--to', 'kafka', '--rate', '500', '--duration', '10s', '--seed', '3'],
      {
        KAFKA_BROKERS: stackEnv.KAFKA_BROKERS,
        KAFKA_TOPIC: topic,
      },
    );
    expect(await sim.exited).toBe(0);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const total = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    expect(total).toBeGreaterThan(4_500);
    expect(total).toBeLessThan(5_600);
    const records = await consumeAll(kafka, topic, total, 30_000);
    expect(records).toHaveLength(total);
    const bad = records.filter((r) => r.value === null || !parseEvent(r.value).ok);
    expect(bad).toHaveLength(0);
    const scenarios = sim.stderr
      .filter((line) => line.startsWith('{"scenario"'))
      .map((line) => JSON.parse(line) as { scenario: string; expect: { rule: string }[] });
    expect(scenarios[0]?.scenario).toBe('attack:id-enumeration:sequential');
    expect(scenarios[0]?.expect[0]?.rule).toBe('id-enumeration');
    expect(sim.stderr.some((line) => line.includes('"msg":"simulator stopped"'))).toBe(true);
  });
});

describe('denyscope start', () => {
  it('runs the services against the running stack and stops them all on SIGINT', async () => {
    const names = testNames('start');
    const prefix = `ds_${names.suffix}`;
    topics.push(names.topic, `${names.topic}.dlq`);
    databases.push(names.database);
    prefixes.push(prefix);
    const port = await freePort();
    const start = run(['start', '--no-simulate'], {
      KAFKA_BROKERS: stackEnv.KAFKA_BROKERS,
      CLICKHOUSE_URL: stackEnv.CLICKHOUSE_URL,
      REDIS_URL: stackEnv.REDIS_URL,
      CLICKHOUSE_DATABASE: names.database,
      KAFKA_TOPIC: names.topic,
      KAFKA_GROUP_ID: names.groupId,
      BULLMQ_PREFIX: prefix,
      API_PORT: String(port),
    });
    try {
      for (const message of ['ingest running', 'detector running', 'notifier running']) {
        await waitFor(
          message,
          () => Promise.resolve(start.stdout.some((line) => line.includes(message))),
          (seen) => seen,
          { timeoutMs: 60_000 },
        );
      }
      const out = start.stdout.join('\n');
      expect(out).toContain(`ClickHouse  ${stackEnv.CLICKHOUSE_URL}  database ${names.database}`);
      expect(out).toContain(`topic ${names.topic}`);
      expect(out).toContain('Redis');
      expect(out).not.toContain('simulator │');
      const pids = [...out.matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
      expect(pids.length).toBeGreaterThanOrEqual(3);
      const stoppedBy = Date.now() + 40_000;
      start.child.kill('SIGINT');
      const code = await Promise.race([
        start.exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 40_000)),
      ]);
      expect(code).toBe(0);
      expect(Date.now()).toBeLessThanOrEqual(stoppedBy);
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      if (start.child.exitCode === null) start.child.kill('SIGKILL');
    }
  });
});
