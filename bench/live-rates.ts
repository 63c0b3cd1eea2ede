// The live-rates phase: `denyscope ingest` consuming live traffic (every event stamped with the
// current time, the soak's producer) at a few steady rates, one fresh topic and database per rate.
// Measures ingest's CPU per 100k events at each rate, to compare with the backlog figure of the
// throughput phase: live, fetches are small and flushes are time-based, so per-fetch, per-batch
// and per-flush fixed costs weigh more per event. See bench/README.md for the definitions.
//
// Also runnable on its own (figures to stdout, no backlog comparison unless given):
//   bash scripts/with-node.sh node --import tsx bench/live-rates.ts --live-rates 20000 \
//     --live-seconds 30 --client kafkajs [--backlog-cpu-s-per-100k 0.9] [--ingest-node-options=…]
import { KAFKA_CLIENTS, loadConfig, type KafkaClientName } from '@denyscope/config';
import { INGEST_NODE_ARGS } from '@denyscope/ingest';
import { kafkajsSecurity } from '@denyscope/kafka';
import {
  createTopic,
  deleteTopics,
  dropDatabase,
  migratedDatabase,
  rows,
  startService,
  testKafka,
  testNames,
  type ServiceProcess,
} from '@denyscope/testkit';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Partitioners, type Kafka } from 'kafkajs';
import { cpuSeconds } from './proc-stats.js';
import { BackgroundProducer, backgroundPool, exited, waitForLine, warnings } from './soak.js';
import { round } from './stats.js';

/** Rates measured by default, events/s: a quiet, the soak's, and a busy deployment's. */
export const DEFAULT_LIVE_RATES = [5_000, 20_000, 50_000];
export const DEFAULT_LIVE_SECONDS = 60;
/**
 * Traffic before the measured window: the group join (a fresh group waits ~3 s for members),
 * JIT warm-up and the first flushes are start-up, not the per-event cost of running live.
 */
export const LIVE_WARMUP_S = 10;
/** The target: live CPU per event at most this many times the backlog figure (issue 15). */
export const LIVE_VS_BACKLOG_TARGET = 1.5;
/** How often request_totals is read while waiting for a flush to land at a window boundary. */
const BOUNDARY_POLL_MS = 20;
/** A window boundary waits at most this long for the next flush. */
const BOUNDARY_WAIT_MS = 5_000;

export interface LiveRatesOptions {
  kafka: Kafka;
  rates: readonly number[];
  seconds: number;
  partitions: number;
  kafkaClient: KafkaClientName;
  /** Ingest settings shared with the other phases (INGEST_TUNING). */
  ingestEnv: Record<string, string>;
  log: (message: string) => void;
}

export interface LiveRateResult {
  requestedRate: number;
  /** Events acked by Kafka per second over the measured window. */
  achievedRate: number;
  /** Events ingest counted in request_totals over the window (flush to flush). */
  events: number;
  windowS: number;
  cpuS: number;
  /** Acked minus counted at the start and end of the window: what ingest had not stored yet. */
  lagStartEvents: number;
  lagEndEvents: number;
  /** Flushes and ClickHouse INSERT statements per second over ingest's run, warm-up included. */
  flushesPerS: number | null;
  insertsPerS: number | null;
  warnings: Record<string, number>;
}

const counted = async (client: ClickHouseClient): Promise<number> =>
  Number(
    (await rows<{ n: string }>(client, 'SELECT sum(requests) AS n FROM request_totals FINAL'))[0]
      ?.n ?? 0,
  );

/**
 * A window boundary: waits for the next flush to land (request_totals grows), then reads ingest's
 * CPU. Both ends of the window sit just after a flush, so the events counted between them are the
 * events whose processing the CPU figure covers (reading at an arbitrary moment would be off by
 * up to one flush interval of events at each end).
 */
async function boundary(
  client: ClickHouseClient,
  pid: number,
  ingest: ServiceProcess,
): Promise<{ counted: number; cpuS: number; at: number }> {
  const before = await counted(client);
  const deadline = performance.now() + BOUNDARY_WAIT_MS;
  for (;;) {
    if (exited(ingest)) throw new Error(`ingest exited:\n${ingest.output().slice(-4_000)}`);
    const now = await counted(client);
    if (now !== before || performance.now() > deadline)
      return { counted: now, cpuS: cpuSeconds(pid), at: performance.now() };
    await sleep(BOUNDARY_POLL_MS);
  }
}

async function measureRate(
  options: LiveRatesOptions,
  rate: number,
  pool: string[],
): Promise<LiveRateResult> {
  const { kafka, partitions, kafkaClient } = options;
  const names = testNames('bench_live');
  const client = await migratedDatabase(names.database);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  let ingest: ServiceProcess | undefined;
  let background: BackgroundProducer | undefined;
  try {
    await createTopic(kafka, names.topic, partitions);
    // As the soak starts it: the deployed Node flags (INGEST_NODE_ARGS via ingestEnv).
    ingest = startService('ingest', {
      KAFKA_TOPIC: names.topic,
      KAFKA_GROUP_ID: `${names.groupId}.ingest`,
      CLICKHOUSE_DATABASE: names.database,
      LOG_LEVEL: 'info',
      ...options.ingestEnv,
      KAFKA_CLIENT: kafkaClient,
    });
    await Promise.all([
      waitForLine(ingest, 'ingest running', `live ingest running (${rate}/s)`),
      producer.connect(),
    ]);
    const pid = ingest.child.pid!;
    background = new BackgroundProducer(producer, names.topic, rate, pool, names.suffix);
    background.start();
    await sleep(LIVE_WARMUP_S * 1000);
    const start = await boundary(client, pid, ingest);
    const ackedStart = background.acked;
    await sleep(Math.max(0, options.seconds * 1000 - (performance.now() - start.at)));
    const end = await boundary(client, pid, ingest);
    const ackedEnd = background.acked;
    await background.stop();
    const windowS = (end.at - start.at) / 1000;
    await ingest.stop();
    const stoppedLine = ingest
      .output()
      .split('\n')
      .find((line) => line.includes('"ingest stopped"'));
    const stats = stoppedLine
      ? (JSON.parse(stoppedLine) as { batches?: number; inserts?: number })
      : {};
    return {
      requestedRate: rate,
      achievedRate: (ackedEnd - ackedStart) / windowS,
      events: end.counted - start.counted,
      windowS,
      cpuS: end.cpuS - start.cpuS,
      lagStartEvents: Math.max(0, ackedStart - start.counted),
      lagEndEvents: Math.max(0, ackedEnd - end.counted),
      flushesPerS: stats.batches === undefined ? null : stats.batches / background.seconds,
      insertsPerS: stats.inserts === undefined ? null : stats.inserts / background.seconds,
      warnings: warnings(ingest),
    };
  } finally {
    await background?.stop().catch(() => undefined);
    await ingest?.stop();
    await producer.disconnect().catch(() => undefined);
    await client.close();
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]).catch(() => undefined);
    await dropDatabase(names.database).catch(() => undefined);
  }
}

/** Measures every rate in turn, each on a fresh topic, consumer group and database. */
export async function runLiveRates(options: LiveRatesOptions): Promise<LiveRateResult[]> {
  const pool = backgroundPool();
  const results: LiveRateResult[] = [];
  for (const rate of options.rates) {
    options.log(
      `live [${options.kafkaClient}]: ${rate} events/s, ${LIVE_WARMUP_S} s warm-up + ${options.seconds} s measured`,
    );
    const result = await measureRate(options, rate, pool);
    options.log(
      `live [${options.kafkaClient}] ${rate}/s: achieved ${Math.round(result.achievedRate)}/s, ` +
        `${result.events} events in ${result.windowS.toFixed(1)} s, ${result.cpuS.toFixed(2)} CPU s ` +
        `= ${per100k(result).toFixed(2)} per 100k`,
    );
    results.push(result);
    await sleep(1_000);
  }
  return results;
}

const per100k = (result: LiveRateResult): number =>
  result.events > 0 ? (result.cpuS / result.events) * 100_000 : Number.NaN;

/**
 * The summary's figures of one client's live rates: per rate (keyed by the requested rate) CPU s
 * per 100k events and its ratio to the backlog figure; the details; and the targets missed (live
 * CPU per event above LIVE_VS_BACKLOG_TARGET × backlog).
 */
export function liveSummary(
  results: readonly LiveRateResult[],
  backlogCpuSPer100k: number | null,
  kafkaClient: KafkaClientName,
) {
  const byRate = <T>(value: (result: LiveRateResult) => T) =>
    Object.fromEntries(results.map((result) => [String(result.requestedRate), value(result)]));
  const vsBacklog = (result: LiveRateResult) =>
    backlogCpuSPer100k === null || backlogCpuSPer100k <= 0
      ? null
      : round(per100k(result) / backlogCpuSPer100k, 2);
  const targetsMissed: string[] = [];
  for (const result of results) {
    const ratio = vsBacklog(result);
    if (ratio !== null && ratio > LIVE_VS_BACKLOG_TARGET)
      targetsMissed.push(
        `live CPU at ${result.requestedRate} events/s [${kafkaClient}] ${per100k(result).toFixed(2)} s/100k ` +
          `= ${ratio.toFixed(2)} × backlog ${backlogCpuSPer100k} > ${LIVE_VS_BACKLOG_TARGET} ×`,
      );
  }
  return {
    live_cpu_s_per_100k: byRate((result) => round(per100k(result), 2)),
    live_vs_backlog: byRate(vsBacklog),
    live_achieved_events_per_s: byRate((result) => Math.round(result.achievedRate)),
    details: byRate((result) => ({
      achieved_events_per_s: Math.round(result.achievedRate),
      events: result.events,
      window_s: round(result.windowS, 1),
      cpu_s: round(result.cpuS, 2),
      cpu_s_per_100k: round(per100k(result), 2),
      vs_backlog: vsBacklog(result),
      lag_start_events: result.lagStartEvents,
      lag_end_events: result.lagEndEvents,
      flushes_per_s: round(result.flushesPerS, 2),
      clickhouse_inserts_per_s: round(result.insertsPerS, 2),
      service_warnings: result.warnings,
    })),
    targetsMissed,
  };
}

/** On its own: measures the given rates for each client and prints the figures as JSON. */
async function main() {
  const { values } = parseArgs({
    options: {
      'live-rates': { type: 'string', default: DEFAULT_LIVE_RATES.join(',') },
      'live-seconds': { type: 'string', default: String(DEFAULT_LIVE_SECONDS) },
      partitions: { type: 'string', default: '4' },
      client: { type: 'string', default: 'kafkajs' },
      'backlog-cpu-s-per-100k': { type: 'string' },
      // Appended to ingest's NODE_OPTIONS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
      'ingest-node-options': { type: 'string', default: '' },
    },
  });
  const rates = values['live-rates'].split(',').map(Number);
  const seconds = Number(values['live-seconds']);
  if (rates.some((rate) => !(rate > 0)) || !(seconds > 0))
    throw new Error('--live-rates: comma-separated events/s > 0; --live-seconds: > 0');
  const backlog =
    values['backlog-cpu-s-per-100k'] === undefined
      ? null
      : Number(values['backlog-cpu-s-per-100k']);
  const kafka = testKafka(undefined, kafkajsSecurity(loadConfig(process.env).kafka));
  const out: Record<string, unknown> = {};
  for (const name of values.client.split(',').map((c) => c.trim())) {
    if (!(KAFKA_CLIENTS as readonly string[]).includes(name)) throw new Error(`--client ${name}`);
    const results = await runLiveRates({
      kafka,
      rates,
      seconds,
      partitions: Number(values.partitions),
      kafkaClient: name as KafkaClientName,
      ingestEnv: {
        NODE_OPTIONS: [...INGEST_NODE_ARGS, values['ingest-node-options']].join(' ').trim(),
      },
      log: (message) => process.stderr.write(`bench: ${message}\n`),
    });
    const { targetsMissed, ...summary } = liveSummary(results, backlog, name as KafkaClientName);
    out[name] = { ...summary, targets_missed: targetsMissed };
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main();
