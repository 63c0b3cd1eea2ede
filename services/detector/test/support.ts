/**
 * Set-up shared by the detector's integration tests, so each test file states only what it
 * checks: a suite's own migrated database and Redis prefixes (removed after the suite), the
 * `denyscope` CLI pointed at them, the evaluation wiring the detect worker uses, scenario events
 * stored as ingest stores them, and a replay into a throwaway database. Test-only: no other
 * workspace imports it (npm run lint:boundaries).
 */
import type { Alert } from '@denyscope/alerts';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import { loadConfig } from '@denyscope/config';
import { loadRuleSettings, type RuleSettings } from '@denyscope/detections';
import { RedisIncidentStore, type TransitionOutput } from '@denyscope/incidents';
import { loadEvents, type LoadSummary } from '@denyscope/intake';
import {
  backgroundTraffic,
  composeStream,
  idEnumerationRandom,
  seededRandom,
  toNdjson,
  type GeneratedEvent,
} from '@denyscope/scenarios';
import { createLogger, type Logger } from '@denyscope/telemetry';
import {
  DENYSCOPE_BIN,
  deleteRedisPrefix,
  dropDatabase,
  migratedDatabase,
  stackEnv,
  testNames,
} from '@denyscope/testkit';
import { Redis } from 'ioredis';
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { queryRunner } from '../src/clickhouse-query.js';
import type { EvaluationDeps } from '../src/evaluation.js';
import { IncidentManager } from '../src/incident-manager.js';
import { detectorSection, runReplay, type ReplayOptions, type ReplayResult } from '../src/index.js';

const MINUTE = 60_000;

export interface DetectorSuite {
  /** The suite's ClickHouse database (migrated before its tests, dropped after them). */
  readonly database: string;
  /** The suite's BULLMQ_PREFIX: its queue, incidents and mutes live under it in Redis. */
  readonly prefix: string;
  /** CLICKHOUSE_DATABASE and BULLMQ_PREFIX: what a CLI call or a started service needs. */
  readonly env: { CLICKHOUSE_DATABASE: string; BULLMQ_PREFIX: string };
  /** Valid inside tests and later beforeAll hooks (created in the suite's first beforeAll). */
  clickhouse: () => ClickHouseClient;
  redis: () => Redis;
  /** `<prefix>-0`, `<prefix>-1`, …: fresh detector state for one test; removed after the suite. */
  freshPrefix: () => string;
  /** `denyscope <args>` on the suite's database and prefix; rejects on a non-zero exit. */
  cli: (...args: string[]) => Promise<{ stdout: string; stderr: string }>;
}

/**
 * Gives a describe block its own migrated database (`test_<name>_…`) and Redis prefix
 * (`test-<name>-…`), and removes both afterwards. Call it first in the block: its afterAll,
 * registered first, runs last (vitest runs afterAll hooks in reverse), after the suite's own
 * hooks have closed what they built on the client and the Redis connection.
 */
export function useDetectorSuite(name: string): DetectorSuite {
  const names = testNames(name);
  const prefix = `test-${name}-${names.suffix}`;
  const env = { CLICKHOUSE_DATABASE: names.database, BULLMQ_PREFIX: prefix };
  const run = promisify(execFile);
  const prefixes = [prefix];
  let client: ClickHouseClient | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    redis = new Redis(stackEnv.REDIS_URL);
  });

  afterAll(async () => {
    if (redis !== undefined) {
      for (const used of prefixes) await deleteRedisPrefix(redis, used);
    }
    redis?.disconnect();
    await client?.close();
    await dropDatabase(names.database);
  });

  return {
    database: names.database,
    prefix,
    env,
    clickhouse: () => {
      if (client === undefined) throw new Error('the ClickHouse client exists once beforeAll ran');
      return client;
    },
    redis: () => {
      if (redis === undefined) throw new Error('the Redis connection exists once beforeAll ran');
      return redis;
    },
    freshPrefix: () => {
      const fresh = `${prefix}-${prefixes.length - 1}`;
      prefixes.push(fresh);
      return fresh;
    },
    cli: (...args) =>
      run(process.execPath, [DENYSCOPE_BIN, ...args], {
        env: { ...process.env, ...stackEnv, ...env },
      }),
  };
}

/**
 * The detect worker's evaluation wiring on a test's ClickHouse and Redis: default rule settings,
 * incidents in `prefix`, resolved after 15 quiet minutes, written to `outputs`; logs silenced.
 */
export function evaluationDeps(
  client: ClickHouseClient,
  redis: Redis,
  prefix: string,
  outputs: readonly TransitionOutput[],
): EvaluationDeps & { store: RedisIncidentStore } {
  const store = new RedisIncidentStore(redis, prefix);
  return {
    settings: loadRuleSettings({ env: {} }),
    store,
    manager: new IncidentManager(store, 15 * MINUTE),
    outputs,
    query: queryRunner(client),
    log: createLogger({ service: 'test', level: 'silent' }),
  };
}

/** Stores `events` through ingest's own intake and writer, in every environment. */
export function storeEvents(
  client: ClickHouseClient,
  events: readonly GeneratedEvent[],
): Promise<LoadSummary> {
  return loadEvents(Readable.from([toNdjson(events)]), client, {
    environments: ['production', 'staging', 'sandbox', 'development'],
    envMarkers: undefined,
    maxMessageBytes: 262_144,
  });
}

/** A random-order id-enumeration scan (seed `scanSeed`) amid background traffic (`trafficSeed`). */
export function scanAmidTraffic(
  startMs: number,
  durationMs: number,
  { scanSeed, trafficSeed }: { scanSeed: number; trafficSeed: number },
): { events: GeneratedEvent[]; scanner: string } {
  const ctx = (seed: number) => ({ random: seededRandom(seed), startMs, durationMs });
  const stream = composeStream([
    idEnumerationRandom(ctx(scanSeed)),
    backgroundTraffic(ctx(trafficSeed)),
  ]);
  return { events: stream.events, scanner: stream.scenarios[0]!.expect[0]!.subject.key_id! };
}

export interface ReplayRun {
  result: ReplayResult;
  /** What replay wrote to stdout, one entry per write: alert lines, or with `compare` the table. */
  out: string[];
}

/**
 * `denyscope replay` of `events` on the stack's ClickHouse, in one-minute steps, into a database
 * it drops afterwards. `log` defaults to warnings on stderr; its level is also LOG_LEVEL.
 */
export async function replay(
  events: readonly GeneratedEvent[],
  {
    settings = loadRuleSettings({ env: {} }),
    log = createLogger({ service: 'replay-test', level: 'warn', stream: 'stderr' }),
    compare,
  }: { settings?: RuleSettings; log?: Logger; compare?: ReplayOptions['compare'] } = {},
): Promise<ReplayRun> {
  const out: string[] = [];
  const config = loadConfig({ ...stackEnv, LOG_LEVEL: log.level }, { detector: detectorSection });
  const result = await runReplay(config, settings, log, {
    input: Readable.from([toNdjson(events)]),
    stepMs: MINUTE,
    keepDatabase: false,
    writeOut: (line) => out.push(line),
    writeErr: () => undefined,
    progress: false,
    ...(compare === undefined ? {} : { compare }),
  });
  return { result, out };
}

/** The alerts of a replay without `compare`. */
export function alertsOf(run: ReplayRun): Alert[] {
  return run.out.map((line) => JSON.parse(line) as Alert);
}
