// `npm run bench`: measures ingest throughput, then a soak with detection latency under load, on
// the local stack, and writes bench/results/<timestamp>.json. See bench/README.md for what each
// figure means.
import {
  KAFKA_CLIENTS,
  kafkaClientProblem,
  loadConfig,
  type KafkaClientName,
} from '@denyscope/config';
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
  waitFor,
} from '@denyscope/testkit';
import { generateEvents } from '@denyscope/scenarios';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Partitioners } from 'kafkajs';
import { clickhouseCpuMeter, kafkaEngineEnabled, kafkaEnginePhase } from './kafka-engine.js';
import { INJECTION_RULE } from './latency.js';
import {
  DEFAULT_LIVE_RATES,
  DEFAULT_LIVE_SECONDS,
  LIVE_VS_BACKLOG_TARGET,
  LIVE_WARMUP_S,
  liveSummary,
  runLiveRates,
} from './live-rates.js';
import { describeMachine } from './machine.js';
import { cpuSeconds, rssMb } from './proc-stats.js';
import {
  INJECTION_TIMEOUT_MS,
  LAG_EVERY_MS,
  RSS_EVERY_MS,
  runSoak,
  type SoakResult,
} from './soak.js';
import { percentile, round } from './stats.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    partitions: { type: 'string', default: '4' },
    'soak-minutes': { type: 'string', default: '10' },
    'soak-rate': { type: 'string', default: '20000' },
    injections: { type: 'string', default: '20' },
    // Ingest's Kafka client(s) in the throughput phase, run one after the other on the same events.
    client: { type: 'string', default: KAFKA_CLIENTS.join(',') },
    // Live traffic at each rate (events/s) for each client, --live-seconds each (0: skipped).
    'live-rates': { type: 'string', default: DEFAULT_LIVE_RATES.join(',') },
    'live-seconds': { type: 'string', default: String(DEFAULT_LIVE_SECONDS) },
    // ClickHouse's Kafka engine on the throughput phase's events (false / --no-kafka-engine: off).
    'kafka-engine': { type: 'string', default: 'true' },
    'no-kafka-engine': { type: 'boolean', default: false },
  },
});
const LIVE_RATES = values['live-rates'].split(',').map(Number);
const LIVE_SECONDS = Number(values['live-seconds']);
const KAFKA_ENGINE = kafkaEngineEnabled(values);
if (LIVE_RATES.some((rate) => !(rate > 0)))
  throw new Error('--live-rates: expected a comma-separated list of events/s > 0');
const EVENTS = Number(values.events);
const PARTITIONS = Number(values.partitions);
const SOAK_MINUTES = Number(values['soak-minutes']);
const SOAK_RATE = Number(values['soak-rate']);
const INJECTIONS = Number(values.injections);
const CLIENTS = values.client.split(',').map((name) => name.trim());
for (const name of CLIENTS) {
  if (!(KAFKA_CLIENTS as readonly string[]).includes(name))
    throw new Error(`--client: expected a comma-separated list of ${KAFKA_CLIENTS.join(', ')}`);
}
for (const [flag, value, min] of [
  ['--events', EVENTS, 1],
  ['--partitions', PARTITIONS, 1],
  ['--soak-minutes', SOAK_MINUTES, 0],
  ['--soak-rate', SOAK_RATE, 1],
  ['--injections', INJECTIONS, 0],
  ['--live-seconds', LIVE_SECONDS, 0],
] as const) {
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${flag}: expected a number ≥ ${min}`);
}
const TARGETS = {
  /** Of cpu_ratio: baseline CPU per event ÷ ingest's (see cpuRatio). */
  ratio: 0.8,
  eventsPerS: 50_000,
  peakRssMb: 300,
  /** Issue 15 (under the 20,000 events/s soak); the design's own target was 10 s. */
  alertP95S: 2.5,
  /** Least-squares RSS slope over the soak after its warm-up: above this counts as growth. */
  soakSlopeMbPerMin: 0.5,
  /** The design's soak length, and latency measured over at least this many injections. */
  soakMinutes: 10,
  injections: 20,
};
/**
 * Ingest settings of both phases (throughput and soak): the service's defaults, run with the Node
 * flags it is deployed with (INGEST_NODE_ARGS: npm start, docker-compose). Tune here so that both
 * phases measure the same configuration.
 */
const INGEST_TUNING: Record<string, string> = { NODE_OPTIONS: INGEST_NODE_ARGS.join(' ') };

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
// The bench's own producer and readers use the same KAFKA_SSL*/KAFKA_SASL_* as the ingest it starts.
const kafka = testKafka(undefined, kafkajsSecurity(loadConfig(process.env).kafka));
const names = testNames('bench');

/** Produces EVENTS events of about 400 bytes, ≈3 % denials, generated chunk by chunk. */
async function produceEvents(): Promise<{ seconds: number; avgBytes: number }> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  let bytes = 0;
  const chunk = 10_000;
  const startMs = Date.now() - 60 * 60_000;
  for (let i = 0; i < EVENTS; i += chunk) {
    const events = generateEvents({
      count: Math.min(chunk, EVENTS - i),
      denialRatio: 0.03,
      seed: i + 1,
      startMs: startMs + i * 3,
      stepMs: 3,
      requestIdPrefix: `b${i}`,
      accounts: 200,
    });
    const messages = events.map((event, j) => {
      const value = JSON.stringify({
        ...event,
        user_agent: 'Mozilla/5.0 (bench) denyscope-bench/1.0 (+https://example.invalid)',
      });
      bytes += value.length;
      return { key: String(i + j), value };
    });
    await producer.send({ topic: names.topic, messages, acks: 1 });
  }
  await producer.disconnect();
  return { seconds: (performance.now() - started) / 1000, avgBytes: Math.round(bytes / EVENTS) };
}

/**
 * A bare kafkajs consumer that only JSON.parses each message: the ceiling ingest is compared to.
 * Its CPU is this process's (user + system) from its first batch to its last message: the bench
 * does nothing else meanwhile but poll a counter every 100 ms.
 */
async function baseline(): Promise<{ eventsPerS: number; cpuS: number }> {
  const consumer = kafka.consumer({
    groupId: `${names.groupId}.baseline`,
    maxBytes: 32 * 1024 * 1024,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxWaitTimeInMs: 500,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: names.topic, fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  let parsed = 0;
  let cpuAtFirst: NodeJS.CpuUsage | undefined;
  let cpu: NodeJS.CpuUsage | undefined;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (first === 0) {
        first = performance.now();
        cpuAtFirst = process.cpuUsage();
      }
      for (const message of batch.messages) {
        if (message.value !== null)
          parsed += (JSON.parse(message.value.toString()) as { status: number }).status > 0 ? 1 : 0;
      }
      seen += batch.messages.length;
      if (seen >= EVENTS && last === 0) {
        last = performance.now();
        cpu = process.cpuUsage(cpuAtFirst);
      }
      return Promise.resolve();
    },
  });
  await waitFor(
    'baseline consumed everything',
    () => Promise.resolve(seen),
    (n) => n >= EVENTS,
    { timeoutMs: 600_000, everyMs: 100 },
  );
  await consumer.disconnect();
  if (parsed !== EVENTS) throw new Error(`baseline parsed ${parsed} of ${EVENTS}`);
  const cpuS = cpu === undefined ? 0 : (cpu.user + cpu.system) / 1e6;
  return { eventsPerS: EVENTS / ((last - first) / 1000), cpuS };
}

/**
 * The headline ratio: the bare consumer's CPU per event over ingest's (1 = ingest costs no more
 * than consuming and parsing). CPU per event is what a deployment pays for; the wall-clock ratio
 * (`ratio_wall`) also moves with what Kafka and ClickHouse, co-located here, do meanwhile.
 */
const cpuRatio = (baselineCpuS: number, ingestCpuS: number): number =>
  ingestCpuS > 0 ? baselineCpuS / ingestCpuS : 0;
const per100k = (cpuS: number): number => Number(((cpuS / EVENTS) * 100_000).toFixed(2));

/** Each client's throughput run stores into a database of its own, from a group of its own. */
const databaseOf = (kafkaClient: KafkaClientName) => `${names.database}_${kafkaClient}`;

async function ingest(kafkaClient: KafkaClientName) {
  const client = await migratedDatabase(databaseOf(kafkaClient));
  // The server's CPU too: ingest's path is ingest plus its inserts (compared with the Kafka
  // engine), and what other clients of the server use meanwhile, sampled just before.
  const clickhouseCpu = await clickhouseCpuMeter();
  const clickhouseBackground = (await clickhouseCpu?.idleCpuPerS()) ?? null;
  const service = startService('ingest', {
    KAFKA_TOPIC: names.topic,
    KAFKA_GROUP_ID: `${names.groupId}.ingest.${kafkaClient}`,
    CLICKHOUSE_DATABASE: databaseOf(kafkaClient),
    LOG_LEVEL: 'info',
    ...INGEST_TUNING,
    KAFKA_CLIENT: kafkaClient,
  });
  const pid = service.child.pid!;
  await waitFor(
    'ingest running',
    () => Promise.resolve(service.output()),
    (out) => out.includes('"ingest running"'),
    { timeoutMs: 60_000, everyMs: 20 },
  );
  const clickhouseAtStart = clickhouseCpu?.read() ?? 0;
  const started = performance.now();
  // CPU per event counts the work on events, not start-up (module loading, connecting).
  const cpuAtStart = cpuSeconds(pid);
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssMb(pid));
    } catch {
      // the process ended
    }
  }, 250);
  const total = async () =>
    Number(
      (await rows<{ n: string }>(client, 'SELECT sum(requests) AS n FROM request_totals FINAL'))[0]
        ?.n ?? 0,
    );
  await waitFor('every event counted', total, (n) => n >= EVENTS, {
    timeoutMs: 900_000,
    everyMs: 100,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuAtStart;
  const clickhouseCpuS = clickhouseCpu === null ? null : clickhouseCpu.read() - clickhouseAtStart;
  clearInterval(sampler);
  await service.stop();
  const stopped = service
    .output()
    .split('\n')
    .find((line) => line.includes('"ingest stopped"'));
  const stats = stopped
    ? (JSON.parse(stopped) as { batches: number; inserts: number; insertMsTotal: number })
    : undefined;
  const tables = await rows<{ t: string; n: string }>(
    client,
    "SELECT 'denials' AS t, uniqExact(request_id) AS n FROM denials UNION ALL SELECT 'request_totals' AS t, count() AS n FROM request_totals FINAL",
  );
  await client.close();
  return {
    seconds,
    eventsPerS: EVENTS / seconds,
    peakRss,
    cpu,
    clickhouseCpuS,
    clickhouseBackground,
    stats,
    tables,
  };
}

/** The soak's figures for the summary (see bench/README.md for each). */
function soakDetails(soak: SoakResult) {
  const timed = soak.injections.filter((i) => i.latencyS !== null).map((i) => i.latencyS!);
  return {
    minutes: soak.minutes,
    seconds: round(soak.seconds, 1),
    requested_events_per_s: soak.requestedRate,
    achieved_events_per_s: Math.round(soak.achievedRate),
    events: soak.events,
    event_bytes_avg: soak.eventBytesAvg,
    rss_mb: {
      sampled_every_s: RSS_EVERY_MS / 1000,
      warmup_s: soak.rss.warmupS,
      window_s: round(soak.rss.windowS, 0),
      samples: soak.rss.samples,
      slope_mb_per_min: round(soak.rss.slopeMbPerMin, 3),
      slope_stderr_mb_per_min: round(soak.rss.slopeStdErrMbPerMin, 3),
      start_mb: round(soak.rss.startMb, 1),
      end_mb: round(soak.rss.endMb, 1),
      peak_mb: round(soak.rss.peakMb, 1),
      per_minute_min_mean_max: soak.perMinute,
    },
    ingest_lag: {
      end_events: soak.lag.endEvents,
      end_s: round(soak.lag.endEvents / soak.achievedRate, 2),
      max_events: soak.lag.maxEvents,
      sampled_every_s: LAG_EVERY_MS / 1000,
      drain_s: round(soak.lag.drainS, 1),
      stored_events: soak.lag.stored,
    },
    cpu_s: {
      ingest: round(soak.cpu.ingestS, 1),
      detector: round(soak.cpu.detectorS, 1),
      notifier: round(soak.cpu.notifierS, 1),
      bench_producer_and_receiver: round(soak.cpu.benchS, 1),
    },
    ingest_cpu_s_per_100k: round((soak.cpu.ingestS / soak.events) * 100_000, 2),
    clickhouse_inserts_per_s:
      soak.ingestInserts === null ? null : round(soak.ingestInserts / soak.seconds, 2),
    peak_rss_mb_other: {
      detector: Math.round(soak.otherPeakRssMb.detector),
      notifier: Math.round(soak.otherPeakRssMb.notifier),
    },
    load_avg_1m: { start: round(soak.loadAvg1m.start, 2), end: round(soak.loadAvg1m.end, 2) },
    service_warnings: soak.warnings,
    latency: {
      rule: INJECTION_RULE,
      threshold: {
        window_minutes: soak.threshold.windowMinutes,
        min_distinct_ids: soak.threshold.minDistinctIds,
        min_guess_share: soak.threshold.minGuessShare,
      },
      timed_from: 'Kafka ack of the crossing event (acks=1), to the webhook receiver',
      timeout_s: INJECTION_TIMEOUT_MS / 1000,
      detect_interval_ms: soak.detector.intervalMs,
      detect_allowed_lateness_ms: soak.detector.allowedLatenessMs,
      min_s: round(timed.length > 0 ? Math.min(...timed) : null, 2),
      max_s: round(timed.length > 0 ? Math.max(...timed) : null, 2),
      mean_s: round(timed.length > 0 ? timed.reduce((a, b) => a + b, 0) / timed.length : null, 2),
      ack_ms_max: round(Math.max(0, ...soak.injections.map((i) => i.ackMs)), 1),
      injections: soak.injections.map((i) => ({
        at_s: round(i.atS, 1),
        latency_s: round(i.latencyS, 2),
        ack_ms: round(i.ackMs, 1),
      })),
    },
    webhook: {
      deliveries: soak.webhook.deliveries,
      problems: soak.webhook.problems,
      other_alerts: soak.webhook.otherAlerts,
    },
  };
}

async function main() {
  const machine = await describeMachine();
  log(`machine: ${JSON.stringify(machine)}`);
  await createTopic(kafka, names.topic, PARTITIONS);
  try {
    log(`producing ${EVENTS} events to ${PARTITIONS} partitions`);
    const produced = await produceEvents();
    log(
      `produced in ${produced.seconds.toFixed(1)} s, ${produced.avgBytes} bytes/event on average`,
    );
    const bare = await baseline();
    const baselineEventsPerS = bare.eventsPerS;
    log(
      `baseline (bare kafkajs + JSON.parse): ${Math.round(baselineEventsPerS)} events/s, ${bare.cpuS.toFixed(1)} CPU s`,
    );
    // Side by side on the same events: each client in turn, alone on the machine.
    const byClient = new Map<KafkaClientName, Awaited<ReturnType<typeof ingest>>>();
    const clientsSkipped: Record<string, string> = {};
    for (const kafkaClient of CLIENTS as KafkaClientName[]) {
      const problem = kafkaClientProblem(kafkaClient, process.versions.node);
      if (problem !== null) {
        clientsSkipped[kafkaClient] = problem;
        log(`ingest [${kafkaClient}]: skipped (${problem})`);
        continue;
      }
      await sleep(1_000);
      const measured = await ingest(kafkaClient);
      byClient.set(kafkaClient, measured);
      log(
        `ingest [${kafkaClient}]: ${Math.round(measured.eventsPerS)} events/s, peak RSS ${measured.peakRss.toFixed(0)} MB, ${measured.cpu.toFixed(1)} CPU s`,
      );
    }
    // The targets and the historical top-level figures are the default client's (kafkajs) when
    // it ran, else the first that did.
    const primaryClient = byClient.has('kafkajs') ? 'kafkajs' : [...byClient.keys()][0];
    const result = primaryClient === undefined ? undefined : byClient.get(primaryClient);
    if (result === undefined) throw new Error('no Kafka client could run on this Node.js');

    const ratioWall = result.eventsPerS / baselineEventsPerS;
    const ratio = cpuRatio(bare.cpuS, result.cpu);
    const insertsPerS = result.stats ? result.stats.inserts / result.seconds : null;

    // What a ClickHouse user would build instead, on the same events (bench/kafka-engine.ts).
    const kafkaEngine = KAFKA_ENGINE
      ? await kafkaEnginePhase({
          kafka,
          topic: names.topic,
          partitions: PARTITIONS,
          events: EVENTS,
          ingestStored: result.tables,
          groupId: `${names.groupId}.kafka-engine`,
          database: `${names.database}_kafka_engine`,
          log,
          ingest: {
            client: primaryClient!,
            eventsPerS: result.eventsPerS,
            cpuSPer100k: per100k(result.cpu),
            seconds: result.seconds,
            clickhouseCpuS: result.clickhouseCpuS,
            clickhouseBackgroundCpuPerS: result.clickhouseBackground,
          },
        })
      : null;

    // Live rates per client, each judged against that client's backlog CPU per event.
    const live = new Map<KafkaClientName, ReturnType<typeof liveSummary>>();
    for (const [kafkaClient, measured] of LIVE_SECONDS > 0 ? byClient : []) {
      await sleep(1_000);
      const results = await runLiveRates({
        kafka,
        rates: LIVE_RATES,
        seconds: LIVE_SECONDS,
        partitions: PARTITIONS,
        kafkaClient,
        ingestEnv: INGEST_TUNING,
        log,
      });
      live.set(kafkaClient, liveSummary(results, per100k(measured.cpu), kafkaClient));
    }
    const primaryLive = live.get(primaryClient!) ?? null;

    let soak: SoakResult | null = null;
    if (SOAK_MINUTES > 0) {
      await sleep(1_000);
      soak = await runSoak({
        kafka,
        minutes: SOAK_MINUTES,
        rate: SOAK_RATE,
        injections: Math.round(INJECTIONS),
        partitions: PARTITIONS,
        ingestEnv: INGEST_TUNING,
        log,
      });
    } else {
      log('soak skipped (--soak-minutes 0)');
    }

    // Latency: an injection without an alert counts as the timeout, a lower bound of its latency,
    // so a missing alert can only raise p50/p95; it is also listed as a missed target.
    const latencies = (soak?.injections ?? []).map(
      (i) => i.latencyS ?? INJECTION_TIMEOUT_MS / 1000,
    );
    const missing = (soak?.injections ?? []).filter((i) => i.latencyS === null).length;
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const peakRss = Math.max(result.peakRss, soak?.rss.peakMb ?? 0);
    const slope = soak?.rss.slopeMbPerMin ?? null;

    const targetsMissed = [
      ...(ratio < TARGETS.ratio ? [`cpu_ratio ${ratio.toFixed(2)} < ${TARGETS.ratio}`] : []),
      ...(result.eventsPerS < TARGETS.eventsPerS
        ? [`ingest ${Math.round(result.eventsPerS)} events/s < ${TARGETS.eventsPerS}`]
        : []),
      ...(result.peakRss > TARGETS.peakRssMb
        ? [`peak RSS ${Math.round(result.peakRss)} MB > ${TARGETS.peakRssMb} (throughput phase)`]
        : []),
      ...(soak !== null && soak.rss.peakMb > TARGETS.peakRssMb
        ? [`peak RSS ${Math.round(soak.rss.peakMb)} MB > ${TARGETS.peakRssMb} (soak)`]
        : []),
      ...(p95 !== null && p95 > TARGETS.alertP95S
        ? [`alert latency p95 ${p95.toFixed(2)} s > ${TARGETS.alertP95S} s`]
        : []),
      ...(missing > 0
        ? [
            `${missing} of ${latencies.length} injections got no alert within ${INJECTION_TIMEOUT_MS / 1000} s`,
          ]
        : []),
      ...[...live.values()].flatMap((summary) => summary.targetsMissed),
      ...(slope !== null && slope > TARGETS.soakSlopeMbPerMin
        ? [`soak RSS grows ${slope.toFixed(2)} MB/min > ${TARGETS.soakSlopeMbPerMin} (no growth)`]
        : []),
    ];
    // Measured, but too short or too few to judge against the target: said, not counted as met.
    const targetsNotJudged = [
      ...(soak !== null && SOAK_MINUTES < TARGETS.soakMinutes
        ? [`soak ${SOAK_MINUTES} min < ${TARGETS.soakMinutes} min: RSS growth (slope) not judged`]
        : []),
      ...(latencies.length > 0 && latencies.length < TARGETS.injections
        ? [`${latencies.length} injections < ${TARGETS.injections}: alert latency p95 not judged`]
        : []),
    ];
    const summary = {
      machine,
      events: EVENTS,
      partitions: PARTITIONS,
      ingest_kafka_client: primaryClient,
      /** The throughput phase per Kafka client (KAFKA_CLIENT), same events, one after the other. */
      kafka_clients: Object.fromEntries(
        [...byClient].map(([name, measured]) => [
          name,
          {
            ingest_events_per_s: Math.round(measured.eventsPerS),
            ratio_to_baseline: Number((measured.eventsPerS / baselineEventsPerS).toFixed(3)),
            cpu_s_per_100k: per100k(measured.cpu),
            cpu_ratio: Number(cpuRatio(bare.cpuS, measured.cpu).toFixed(3)),
            clickhouse_cpu_s_per_100k:
              measured.clickhouseCpuS === null ? null : per100k(measured.clickhouseCpuS),
            peak_rss_mb: Math.round(measured.peakRss),
            clickhouse_flushes: measured.stats?.batches ?? null,
            stored: Object.fromEntries(measured.tables.map((t) => [t.t, Number(t.n)])),
          },
        ]),
      ),
      kafka_clients_skipped: clientsSkipped,
      event_bytes_avg: produced.avgBytes,
      ingest_events_per_s: Math.round(result.eventsPerS),
      baseline_events_per_s: Math.round(baselineEventsPerS),
      baseline_cpu_s_per_100k: per100k(bare.cpuS),
      /** The headline ratio, judged against the target: baseline CPU per event ÷ ingest's. */
      cpu_ratio: Number(ratio.toFixed(3)),
      /** Secondary: ingest events/s ÷ baseline events/s (moves with the co-located servers). */
      ratio_wall: Number(ratioWall.toFixed(3)),
      alert_latency_p50_s: round(p50, 2),
      alert_latency_p95_s: round(p95, 2),
      alert_latency_max_s: round(latencies.length > 0 ? Math.max(...latencies) : null, 2),
      alert_latency_injections: latencies.length,
      alert_latency_missing: latencies.length > 0 ? missing : null,
      ingest_peak_rss_mb: Math.round(peakRss),
      throughput_peak_rss_mb: Math.round(result.peakRss),
      soak_peak_rss_mb: soak === null ? null : Math.round(soak.rss.peakMb),
      soak_rss_slope_mb_per_min: round(slope, 3),
      soak_rss_warmup_s: soak?.rss.warmupS ?? null,
      cpu_s_per_100k: per100k(result.cpu),
      /** Ingest CPU s per 100k events of live traffic, per rate (events/s), and ÷ backlog's. */
      live_cpu_s_per_100k: primaryLive?.live_cpu_s_per_100k ?? null,
      live_vs_backlog: primaryLive?.live_vs_backlog ?? null,
      live_achieved_events_per_s: primaryLive?.live_achieved_events_per_s ?? null,
      live_rates:
        live.size === 0
          ? null
          : {
              seconds: LIVE_SECONDS,
              warmup_s: LIVE_WARMUP_S,
              by_client: Object.fromEntries(
                [...live].map(([name, summary]) => [name, summary.details]),
              ),
            },
      clickhouse_inserts_per_s: insertsPerS === null ? null : Number(insertsPerS.toFixed(2)),
      clickhouse_flushes: result.stats?.batches ?? null,
      stored: Object.fromEntries(result.tables.map((t) => [t.t, Number(t.n)])),
      /** ClickHouse's Kafka engine + materialized views on the same events (null: skipped). */
      kafka_engine: kafkaEngine,
      soak: soak === null ? null : soakDetails(soak),
      targets: {
        cpu_ratio: TARGETS.ratio,
        ingest_events_per_s: TARGETS.eventsPerS,
        peak_rss_mb: TARGETS.peakRssMb,
        alert_latency_p95_s: TARGETS.alertP95S,
        soak_rss_slope_mb_per_min: TARGETS.soakSlopeMbPerMin,
        live_cpu_vs_backlog: LIVE_VS_BACKLOG_TARGET,
        soak_minutes: TARGETS.soakMinutes,
        injections: TARGETS.injections,
      },
      targets_missed: targetsMissed,
      targets_not_judged: targetsNotJudged,
      /** Every figure above that is null: not measured by this run, never estimated. */
      not_measured: [] as string[],
      measured_at: new Date().toISOString(),
    };
    summary.not_measured = Object.entries(summary)
      .filter(([, value]) => value === null)
      .map(([field]) => field);
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    const file = new URL(
      `./results/${summary.measured_at.replaceAll(':', '-')}.json`,
      import.meta.url,
    );
    // Arrays of numbers (the per-minute RSS rows) on one line each.
    const json = JSON.stringify(summary, null, 2).replace(
      /\[(\s+[-\d.]+,)*\s+[-\d.]+\s+\]/g,
      (array) => array.replace(/\s+/g, ' ').replace('[ ', '[').replace(' ]', ']'),
    );
    writeFileSync(file, `${json}\n`);
    process.stdout.write(`${json}\n`);
    log(`written to ${file.pathname}`);
  } finally {
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
    for (const kafkaClient of KAFKA_CLIENTS) await dropDatabase(databaseOf(kafkaClient));
  }
}

await main();
