// The soak: live background traffic with current timestamps at a steady rate, consumed by
// `denyscope ingest` while `detect` and `notify` run, with attacks injected along the way.
// Measures ingest RSS over time (slope), CPU, ingest lag, and the detection latency of each
// injection. See bench/README.md for the definitions.
import { loadConfig } from '@denyscope/config';
import { detectorSection } from '@denyscope/detector';
import {
  createTopic,
  deleteTopics,
  dropDatabase,
  migratedDatabase,
  rows,
  stackEnv,
  startReceiver,
  startService,
  testNames,
  waitFor,
  type ServiceProcess,
} from '@denyscope/testkit';
import { generateEvents, type GeneratedEvent } from '@denyscope/scenarios';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import {
  AlertWatch,
  inject,
  injectionThreshold,
  type Injection,
  type Threshold,
} from './latency.js';
import { cpuSeconds, rssMb } from './proc-stats.js';
import { leastSquares, round } from './stats.js';

/**
 * How often the ingest RSS is read, for the peak and the slope. Every 5 s gave a slope standard
 * error of about 1 MB/min over 9 minutes (RSS swings by ~100 MB between garbage collections), twice
 * the growth threshold; reading /proc four times a second costs nothing measurable.
 */
export const RSS_EVERY_MS = 250;
/** How often the ingest lag (a ClickHouse query) and the other services' RSS are sampled. */
export const LAG_EVERY_MS = 5_000;
/** An injection whose alert has not arrived this long after its crossing event is a failure. */
export const INJECTION_TIMEOUT_MS = 60_000;
/** Distinct pre-serialised background events; request IDs and timestamps are stamped per send. */
const POOL = 100_000;
/** Same padding as the throughput phase, so events are about the same size. */
const USER_AGENT = 'Mozilla/5.0 (bench) denyscope-bench/1.0 (+https://example.invalid)';

export interface SoakOptions {
  kafka: Kafka;
  minutes: number;
  /** Background events per second requested; the achieved rate is what is reported. */
  rate: number;
  injections: number;
  partitions: number;
  /** Ingest settings shared with the throughput phase. */
  ingestEnv: Record<string, string>;
  log: (message: string) => void;
}

/** RSS warm-up left out of the slope: the first minute, or a fifth of a soak shorter than 5 min. */
export function warmupSeconds(minutes: number): number {
  return minutes >= 5 ? 60 : Math.round(minutes * 60 * 0.2);
}

/**
 * Background messages: the throughput phase's traffic shape (generateEvents, ≈3 % denials, 200
 * accounts × 3 keys), serialised once without `ts` and `request_id`, which are prepended per send.
 * Denials address IDs that do not exist (`resource_owner: null`): with the generator's foreign
 * owners every busy key would cross `cross-tenant` within seconds, and the soak's alerts must be
 * the injected ones. Busy keys with a 3 % deny ratio stay below `id-enumeration`'s ratio gate.
 */
export function backgroundPool(): string[] {
  return generateEvents({
    count: POOL,
    denialRatio: 0.03,
    accounts: 200,
    seed: 4242,
    stepMs: 1,
  }).map((event) => {
    const body: Partial<GeneratedEvent> = {
      ...event,
      user_agent: USER_AGENT,
      ...(event.status === 403 ? { resource_owner: null } : {}),
    };
    delete body.ts;
    delete body.request_id;
    return JSON.stringify(body).slice(1); // `"env":…}`: the object without its opening brace
  });
}

/**
 * Produces the pool round and round at `rate` events/s, every event stamped with Date.now(). Also
 * the live traffic of the live-rates phase (live-rates.ts).
 */
export class BackgroundProducer {
  /** Events acknowledged by Kafka. */
  acked = 0;
  bytes = 0;
  private queued = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private startedAt = 0;
  private stoppedAt = 0;
  private failure: Error | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly rate: number,
    private readonly pool: string[],
    private readonly run: string,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    // A failed send ends the loop; stop() reports it.
    this.loop = this.produce().catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
    });
  }

  private async produce(): Promise<void> {
    // At most 100 ms of traffic per request, so a slow ack does not turn into a burst.
    const maxBatch = Math.max(100, Math.ceil(this.rate / 10));
    while (!this.stopped) {
      const due =
        Math.floor((this.rate * (performance.now() - this.startedAt)) / 1000) - this.queued;
      if (due <= 0) {
        await sleep(5);
        continue;
      }
      const count = Math.min(due, maxBatch);
      const ts = Date.now();
      const messages: Message[] = new Array<Message>(count);
      for (let i = 0; i < count; i += 1) {
        const seq = this.queued + i;
        const value = `{"ts":${ts},"request_id":"s${this.run}-${seq}",${this.pool[seq % this.pool.length]}`;
        this.bytes += value.length;
        messages[i] = { value };
      }
      this.queued += count;
      await this.producer.send({ topic: this.topic, acks: 1, messages });
      this.acked += count;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.stoppedAt = performance.now();
    if (this.failure !== undefined) throw this.failure;
  }

  get seconds(): number {
    return ((this.stoppedAt || performance.now()) - this.startedAt) / 1000;
  }
}

interface RssSample {
  /** Seconds since the background producer started. */
  t: number;
  mb: number;
}

/** Per minute of the soak: [minute, min, mean, max] RSS in MB. */
function perMinute(samples: RssSample[]): [number, number, number, number][] {
  const minutes = new Map<number, number[]>();
  for (const { t, mb } of samples) {
    const minute = Math.floor(t / 60);
    const list = minutes.get(minute) ?? [];
    list.push(mb);
    minutes.set(minute, list);
  }
  return [...minutes].map(([minute, mbs]) => [
    minute,
    round(Math.min(...mbs), 1) ?? 0,
    round(mbs.reduce((a, b) => a + b, 0) / mbs.length, 1) ?? 0,
    round(Math.max(...mbs), 1) ?? 0,
  ]);
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(stackEnv.REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Warnings and errors a service logged (pino level ≥ 40), by message: disturbances such as another
 * user of the shared stack restarting ClickHouse show here, next to the figures they spoil.
 */
export function warnings(service: ServiceProcess): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of service.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      if ((entry.level ?? 0) >= 40) {
        const msg = entry.msg ?? '(no message)';
        counts[msg] = (counts[msg] ?? 0) + 1;
      }
    } catch {
      // not a log line
    }
  }
  return counts;
}

export function exited(service: ServiceProcess): boolean {
  return service.child.exitCode !== null || service.child.signalCode !== null;
}

export function waitForLine(service: ServiceProcess, line: string, what: string) {
  return waitFor(
    what,
    () => {
      if (exited(service))
        throw new Error(`${what}: exited ${service.child.exitCode}\n${service.output()}`);
      return Promise.resolve(service.output());
    },
    (out) => out.includes(`"${line}"`),
    { timeoutMs: 90_000, everyMs: 50 },
  );
}

export interface SoakResult {
  minutes: number;
  /** Seconds the background producer ran (the soak plus, if needed, the last injections' wait). */
  seconds: number;
  requestedRate: number;
  achievedRate: number;
  /** Background plus injected events acknowledged by Kafka. */
  events: number;
  eventBytesAvg: number;
  rss: {
    warmupS: number;
    windowS: number;
    slopeMbPerMin: number | null;
    slopeStdErrMbPerMin: number | null;
    /** Mean RSS over the first minute after the warm-up and over the last minute. */
    startMb: number | null;
    endMb: number | null;
    peakMb: number;
    samples: number;
  };
  lag: { endEvents: number; maxEvents: number | null; drainS: number | null; stored: number };
  cpu: { ingestS: number; detectorS: number; notifierS: number; benchS: number };
  otherPeakRssMb: { detector: number; notifier: number };
  detector: { intervalMs: number; allowedLatenessMs: number };
  ingestInserts: number | null;
  threshold: Threshold;
  injections: Injection[];
  webhook: { deliveries: number; problems: string[]; otherAlerts: Record<string, number> };
  loadAvg1m: { start: number; end: number };
  /** Warnings and errors each service logged in the soak (start-up to shutdown), by message. */
  warnings: {
    ingest: Record<string, number>;
    detector: Record<string, number>;
    notifier: Record<string, number>;
  };
  /** [minute, min, mean, max] of the ingest RSS, MB, warm-up included. */
  perMinute: [number, number, number, number][];
}

function meanOf(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { kafka, minutes, rate, partitions, log } = options;
  const names = testNames('bench_soak');
  const prefix = `bench-soak-${names.suffix}`;
  const secret = randomBytes(24).toString('hex');
  const threshold = injectionThreshold();
  const watch = new AlertWatch(secret);
  const receiver = await startReceiver(watch.check);
  const services: ServiceProcess[] = [];
  const client = await migratedDatabase(names.database);
  const common: Record<string, string> = {
    KAFKA_TOPIC: names.topic,
    KAFKA_GROUP_ID: `${names.groupId}.ingest`,
    CLICKHOUSE_DATABASE: names.database,
    BULLMQ_PREFIX: prefix,
    LOG_LEVEL: 'info',
    // Webhook only: the other sinks off whatever the calling shell has set (empty = unset).
    WEBHOOK_URL: `${receiver.url}/denyscope`,
    WEBHOOK_SECRET: secret,
    NOTIFY_WEBHOOK_MIN_SEVERITY: 'info',
    NOTIFY_WEBHOOK_RULES: '',
    SLACK_WEBHOOK_URL: '',
    PAGERDUTY_ROUTING_KEY: '',
    NOTIFY_LOG_ENABLED: 'false',
    // The rules' catalog defaults, which injectionThreshold() reads.
    RULES_FILE: '',
    RULE_ID_ENUMERATION_ENABLED: '',
  };
  const config = loadConfig(
    { ...process.env, ...stackEnv, ...common },
    { detector: detectorSection },
  );
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const injector = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  let background: BackgroundProducer | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    await createTopic(kafka, names.topic, partitions);
    const ingest = startService('ingest', { ...common, ...options.ingestEnv });
    const detector = startService('detect', common);
    const notifier = startService('notify', common);
    services.push(ingest, detector, notifier);
    await Promise.all([
      waitForLine(ingest, 'ingest running', 'soak ingest running'),
      waitForLine(detector, 'detector running', 'detector running'),
      waitForLine(notifier, 'notifier running', 'notifier running'),
      producer.connect(),
      injector.connect(),
    ]);
    const pids = {
      ingest: ingest.child.pid!,
      detector: detector.child.pid!,
      notifier: notifier.child.pid!,
    };
    const pool = backgroundPool();
    log(
      `soak: ${minutes} min at ${rate} events/s requested, ${options.injections} injections ` +
        `(${threshold.minDistinctIds} distinct denied IDs each, ${INJECTION_TIMEOUT_MS / 1000} s timeout)`,
    );

    const counted = async () =>
      Number(
        (
          await rows<{ n: string }>(client, 'SELECT sum(requests) AS n FROM request_totals FINAL')
        )[0]?.n ?? 0,
      );
    let injectedEvents = 0;
    const produced = () => (background?.acked ?? 0) + injectedEvents;

    const cpuStart = {
      ingest: cpuSeconds(pids.ingest),
      detector: cpuSeconds(pids.detector),
      notifier: cpuSeconds(pids.notifier),
      bench: process.cpuUsage(),
    };
    const loadStart = loadavg()[0] ?? 0;
    background = new BackgroundProducer(producer, names.topic, rate, pool, names.suffix);
    background.start();
    const started = performance.now();
    const elapsedS = () => (performance.now() - started) / 1000;

    const rss: RssSample[] = [];
    const rssTimer: NodeJS.Timeout = setInterval(() => {
      try {
        rss.push({ t: elapsedS(), mb: rssMb(pids.ingest) });
      } catch {
        // the process ended; the failure surfaces below
      }
    }, RSS_EVERY_MS);
    timers.push(rssTimer);
    const lags: number[] = [];
    const otherPeak = { detector: 0, notifier: 0 };
    let sampling = Promise.resolve();
    const lagTimer: NodeJS.Timeout = setInterval(() => {
      sampling = sampling.then(async () => {
        const acked = produced();
        try {
          lags.push(Math.max(0, acked - (await counted())));
        } catch {
          // ClickHouse busy: no lag sample this time
        }
        try {
          otherPeak.detector = Math.max(otherPeak.detector, rssMb(pids.detector));
          otherPeak.notifier = Math.max(otherPeak.notifier, rssMb(pids.notifier));
        } catch {
          // a process ended
        }
      });
    }, LAG_EVERY_MS);
    timers.push(lagTimer);

    // Injections spread evenly over the soak; each waits for its alert without holding up the next.
    const soakMs = minutes * 60_000;
    const pending: Promise<Injection>[] = [];
    for (let i = 0; i < options.injections; i += 1) {
      const at = (soakMs * (i + 1)) / (options.injections + 1);
      const wait = at - (performance.now() - started);
      if (wait > 0) await sleep(wait);
      if (exited(ingest))
        throw new Error(`ingest exited during the soak:\n${ingest.output().slice(-4_000)}`);
      const atS = elapsedS();
      const injection = inject(injector, names.topic, {
        run: names.suffix,
        index: i,
        atS,
        threshold,
        watch,
        timeoutMs: INJECTION_TIMEOUT_MS,
        onAcked: (n) => (injectedEvents += n),
      }).then((result) => {
        log(
          `injection ${i + 1}/${options.injections} at ${atS.toFixed(0)} s: ${
            result.latencyS === null
              ? `no alert within ${INJECTION_TIMEOUT_MS / 1000} s`
              : `alert after ${result.latencyS.toFixed(2)} s`
          }`,
        );
        return result;
      });
      // If the soak fails before these are awaited, their errors must not mask its own.
      injection.catch(() => undefined);
      pending.push(injection);
    }
    const rest = soakMs - (performance.now() - started);
    if (rest > 0) await sleep(rest);
    // Background traffic goes on until the last injection is settled: it is what moves the
    // watermark, and "under load" holds for every injection.
    const injections = await Promise.all(pending);

    await background.stop();
    for (const [name, service] of Object.entries({ ingest, detector, notifier })) {
      if (exited(service))
        throw new Error(`${name} exited during the soak:\n${service.output().slice(-4_000)}`);
    }
    const seconds = background.seconds;
    const cpu = {
      ingestS: cpuSeconds(pids.ingest) - cpuStart.ingest,
      detectorS: cpuSeconds(pids.detector) - cpuStart.detector,
      notifierS: cpuSeconds(pids.notifier) - cpuStart.notifier,
      benchS: (() => {
        const used = process.cpuUsage(cpuStart.bench);
        return (used.user + used.system) / 1e6;
      })(),
    };
    const loadEnd = loadavg()[0] ?? 0;
    clearInterval(rssTimer);
    clearInterval(lagTimer);
    await sampling;
    const events = produced();
    const endLag = Math.max(0, events - (await counted()));
    log(
      `soak produced ${events} events in ${seconds.toFixed(0)} s (${Math.round(events / seconds)}/s); ` +
        `ingest lag at the end ${endLag} events`,
    );
    const drainStart = performance.now();
    let drainS: number | null = null;
    let stored = 0;
    try {
      stored = await waitFor('soak events stored', counted, (n) => n >= events, {
        timeoutMs: 180_000,
        everyMs: 200,
      });
      drainS = (performance.now() - drainStart) / 1000;
    } catch {
      stored = await counted();
    }

    await Promise.all(services.map((service) => service.stop()));
    const stoppedLine = ingest
      .output()
      .split('\n')
      .find((line) => line.includes('"ingest stopped"'));
    const ingestInserts = stoppedLine
      ? ((JSON.parse(stoppedLine) as { inserts?: number }).inserts ?? null)
      : null;

    const warmupS = warmupSeconds(minutes);
    const window = rss.filter((s) => s.t >= warmupS);
    const fit = leastSquares(window.map((s) => ({ x: s.t / 60, y: s.mb })));
    const lastT = window.at(-1)?.t ?? warmupS;
    const firstT = window[0]?.t ?? warmupS;
    return {
      minutes,
      seconds,
      requestedRate: rate,
      achievedRate: events / seconds,
      events,
      eventBytesAvg: background.acked > 0 ? Math.round(background.bytes / background.acked) : 0,
      rss: {
        warmupS,
        windowS: lastT - firstT,
        slopeMbPerMin: fit?.slope ?? null,
        slopeStdErrMbPerMin: fit?.slopeStdErr ?? null,
        startMb: meanOf(window.filter((s) => s.t < firstT + 60).map((s) => s.mb)),
        endMb: meanOf(window.filter((s) => s.t > lastT - 60).map((s) => s.mb)),
        peakMb: Math.max(0, ...rss.map((s) => s.mb)),
        samples: window.length,
      },
      lag: {
        endEvents: endLag,
        maxEvents: lags.length > 0 ? Math.max(...lags) : null,
        drainS,
        stored,
      },
      cpu,
      otherPeakRssMb: otherPeak,
      detector: {
        intervalMs: config.detector.intervalMs,
        allowedLatenessMs: config.detector.allowedLatenessMs,
      },
      ingestInserts,
      threshold,
      injections,
      webhook: {
        deliveries: watch.deliveries,
        problems: receiver.problems,
        otherAlerts: Object.fromEntries(watch.others),
      },
      loadAvg1m: { start: loadStart, end: loadEnd },
      warnings: {
        ingest: warnings(ingest),
        detector: warnings(detector),
        notifier: warnings(notifier),
      },
      perMinute: perMinute(rss),
    };
  } finally {
    for (const timer of timers) clearInterval(timer);
    await background?.stop().catch(() => undefined);
    await Promise.all(services.map((service) => service.stop()));
    await Promise.all([producer.disconnect(), injector.disconnect()]).catch(() => undefined);
    await receiver.close();
    await client.close();
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]).catch(() => undefined);
    await dropDatabase(names.database).catch(() => undefined);
    await deleteRedisKeys(prefix).catch(() => undefined);
  }
}
