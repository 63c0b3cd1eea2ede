// What a ClickHouse user would build instead of denyscope: ClickHouse's own Kafka table engine
// reading the bench's topic, with materialized views into a denials table and per-minute request
// counts. Measures its events/s and the ClickHouse server's CPU on the same events as ingest. See
// "Phase 1b" in bench/README.md for what is measured, and what denyscope does that this cannot.
import { createClickHouseClient, quoteIdentifier, quoteString } from '@denyscope/clickhouse';
import { loadConfig } from '@denyscope/config';
import { connectionFor, rows, stackEnv, waitFor } from '@denyscope/testkit';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { cpuSeconds } from './proc-stats.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const TICKS_PER_SECOND = 100; // Linux USER_HZ
const BACKGROUND_SAMPLE_MS = 2_000;

export interface KafkaEngineOptions {
  kafka: Kafka;
  /** The throughput phase's topic, already holding `events` events. */
  topic: string;
  partitions: number;
  events: number;
  /** What ingest stored from the same events (`denials`: distinct request IDs), to compare. */
  ingestStored: readonly { t: string; n: string }[];
  groupId: string;
  database: string;
  log: (message: string) => void;
  /** Consumers of the Kafka table (kafka_num_consumers); default: one per partition. */
  consumers?: number;
}

export interface KafkaEngineResult {
  /** Events over the time from the group's consumers having their partitions to the last row. */
  eventsPerS: number;
  /** From the start (the last target created) to the group being Stable with every consumer. */
  secondsToJoin: number;
  /** From the start (the last target created) to the last row landing. */
  secondsFromStart: number;
  /** CPU seconds of the ClickHouse server from the start to the last row; null: no pid. */
  cpuS: number | null;
  /** The server's CPU s per s over 2 s just before the start, the engine idle: other clients. */
  backgroundCpuPerS: number | null;
  /** CPU s of the server's engine threads over the same time (threadCpuSampler, ENGINE_THREAD). */
  engineThreadsCpuS: number | null;
  cpuPer100k: number | null;
  events: number;
  stored: { denials: number; request_counts_rows: number; requests: number };
  consumers: number;
  /** The server's stream_flush_interval_ms: the engine lands what it read at least this often. */
  flushIntervalMs: number;
  notes: string[];
}

/**
 * The local stack's ClickHouse server process, from the stack's pid file, or null. Checked against
 * the server on CLICKHOUSE_URL: the process must have started when that server says it did
 * (`uptime()`), so a stack on other ports or a remote ClickHouse is never measured by mistake.
 */
export async function clickhouseServerPid(): Promise<{ pid: number } | { problem: string }> {
  const dir = resolve(REPO_ROOT, process.env.DENYSCOPE_STACK_DIR ?? '.stack');
  const file = `${dir}/clickhouse/clickhouse.pid`;
  if (!existsSync(file)) return { problem: `no pid file ${file}` };
  const pid = Number(readFileSync(file, 'utf8').trim());
  let stat: string;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('clickhouse'))
      return { problem: `pid ${pid} is not a clickhouse server` };
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return { problem: `pid ${pid} (from ${file}) is not running` };
  }
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const bootUptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const processAgeS = bootUptimeS - startTicks / TICKS_PER_SECOND;
  const client = createClickHouseClient(connectionFor('default'));
  try {
    const [row] = await rows<{ u: string }>(client, 'SELECT uptime() AS u');
    const serverUptimeS = Number(row?.u ?? -1);
    if (Math.abs(serverUptimeS - processAgeS) > 5) {
      return {
        problem: `pid ${pid} started ${processAgeS.toFixed(0)} s ago, the server on ${stackEnv.CLICKHOUSE_URL} ${serverUptimeS} s ago: not the same process`,
      };
    }
  } finally {
    await client.close();
  }
  return { pid };
}

/**
 * `--kafka-engine true|false` (default true) and `--no-kafka-engine`: whether the phase runs.
 * Declared in run.ts's parseArgs as a string and a boolean option.
 */
export function kafkaEngineEnabled(values: {
  'kafka-engine': string;
  'no-kafka-engine': boolean;
}): boolean {
  const value = values['kafka-engine'];
  if (value !== 'true' && value !== 'false')
    throw new Error('--kafka-engine: expected true or false');
  return value === 'true' && !values['no-kafka-engine'];
}

/**
 * A reader of the local ClickHouse server's CPU seconds so far, or null when its process is not
 * found (see clickhouseServerPid): the throughput phase reads it around ingest too, so that
 * ingest's path (ingest + the server's inserts) compares with the engine's (the server alone).
 */
export async function clickhouseCpuMeter(): Promise<ClickHouseCpuMeter | null> {
  const server = await clickhouseServerPid();
  if (!('pid' in server)) return null;
  const read = () => cpuSeconds(server.pid);
  return {
    read,
    idleCpuPerS: async () => {
      const from = { cpu: read(), at: performance.now() };
      await sleep(BACKGROUND_SAMPLE_MS);
      return (read() - from.cpu) / ((performance.now() - from.at) / 1000);
    },
  };
}

export interface ClickHouseCpuMeter {
  /** CPU seconds (user + system) the server has used so far. */
  read(): number;
  /**
   * The server's CPU s per s over the next 2 s, while the caller runs nothing on it: what other
   * clients of a shared server use, to subtract from a phase's figure.
   */
  idleCpuPerS(): Promise<number>;
}

/**
 * Threads of an 18.16 server that do the Kafka engine's work: librdkafka's (`rdk:main`,
 * `rdk:broker…`), the schedule pool thread that runs the engine's stream (reading, parsing with one
 * consumer, the views' INSERT) and, with several consumers, the union's reader threads. Merges
 * (`BackgrProcPool`) are not among them.
 */
const ENGINE_THREAD = /^(rdk:|BackgrSchedPool$|ParalInputsProc$)/;

/**
 * CPU seconds of a process's threads whose name matches, from now until `stop()`: each thread's
 * /proc/<pid>/task/<tid>/stat sampled every 100 ms (threads that start later count from 0). A
 * thread that ends between two samples loses at most its last 100 ms: a lower bound, but one that
 * other clients of the server (queries, inserts, merges) do not inflate.
 */
export function threadCpuSampler(pid: number, matches: (name: string) => boolean) {
  const threads = new Map<string, { name: string; from: number; last: number }>();
  const sample = (first: boolean) => {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const known = threads.get(tid);
      if (known === undefined || known.name !== name) {
        threads.set(tid, { name, from: first ? ticks : 0, last: ticks });
      } else {
        known.last = ticks;
      }
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 100);
  return {
    stop(): number {
      clearInterval(timer);
      sample(false);
      let ticks = 0;
      for (const thread of threads.values()) {
        if (matches(thread.name)) ticks += thread.last - thread.from;
      }
      return ticks / TICKS_PER_SECOND;
    },
  };
}

/** Statements of the Kafka table, the two target tables and their materialized views. */
export function kafkaEngineDdl(options: {
  database: string;
  brokers: string;
  topic: string;
  groupId: string;
  consumers: number;
}): { tables: string[]; queue: string; views: string[]; viewNames: string[] } {
  const db = quoteIdentifier(options.database);
  return {
    tables: [
      // What a denials table of one's own would hold: the v1 fields, typed, one row per denial.
      `CREATE TABLE ${db}.denials (
        event_time DateTime,
        ts_ms UInt64,
        request_id String,
        env String,
        method String,
        path String,
        route String,
        status UInt16,
        key_id String,
        account_id String,
        resource_type String,
        resource_id String,
        resource_owner Nullable(String),
        resource_env String,
        client_ip String,
        user_agent String,
        latency_ms Float32
      ) ENGINE = MergeTree PARTITION BY toDate(event_time) ORDER BY (key_id, event_time)`,
      // Requests and denials per key and minute: the denominators a deny ratio needs.
      `CREATE TABLE ${db}.request_counts (
        minute DateTime,
        env String,
        key_id String,
        requests UInt64,
        denials UInt64
      ) ENGINE = SummingMergeTree PARTITION BY toDate(minute) ORDER BY (key_id, env, minute)`,
    ],
    // The v1 fields as JSONEachRow reads them (unknown fields are skipped by the engine). `ts` is
    // epoch milliseconds, as the bench writes it: one column cannot also take v1's RFC 3339 strings.
    queue: `CREATE TABLE ${db}.queue (
        ts UInt64,
        request_id String,
        env String,
        method String,
        path String,
        route Nullable(String),
        status UInt16,
        key_id Nullable(String),
        account_id Nullable(String),
        error Nullable(String),
        resource_type Nullable(String),
        resource_id Nullable(String),
        resource_owner Nullable(String),
        resource_env Nullable(String),
        client_ip Nullable(String),
        user_agent Nullable(String),
        latency_ms Nullable(Float64)
      ) ENGINE = Kafka SETTINGS
        kafka_broker_list = ${quoteString(options.brokers)},
        kafka_topic_list = ${quoteString(options.topic)},
        kafka_group_name = ${quoteString(options.groupId)},
        kafka_format = 'JSONEachRow',
        kafka_num_consumers = ${options.consumers}`,
    viewNames: ['denials_mv', 'request_counts_mv'],
    views: [
      `CREATE MATERIALIZED VIEW ${db}.denials_mv TO ${db}.denials AS
        SELECT
          toDateTime(intDiv(ts, 1000)) AS event_time,
          ts AS ts_ms,
          request_id,
          env,
          method,
          path,
          ifNull(route, '') AS route,
          status,
          ifNull(key_id, '') AS key_id,
          ifNull(account_id, '') AS account_id,
          ifNull(resource_type, '') AS resource_type,
          ifNull(resource_id, extract(path, '([^/?#]+)/*(?:[?#].*)?$')) AS resource_id,
          resource_owner,
          ifNull(resource_env, '') AS resource_env,
          ifNull(client_ip, '') AS client_ip,
          ifNull(user_agent, '') AS user_agent,
          toFloat32(ifNull(latency_ms, 0)) AS latency_ms
        FROM ${db}.queue
        WHERE status = 403 AND ifNull(error, '') = 'ownership_denied'`,
      `CREATE MATERIALIZED VIEW ${db}.request_counts_mv TO ${db}.request_counts AS
        SELECT
          toStartOfMinute(toDateTime(intDiv(ts, 1000))) AS minute,
          env,
          ifNull(key_id, '') AS key_id,
          count() AS requests,
          countIf(status = 403 AND ifNull(error, '') = 'ownership_denied') AS denials
        FROM ${db}.queue
        GROUP BY minute, env, key_id`,
    ],
  };
}

/**
 * Runs the Kafka engine on the topic's events, from its first offset, with both views attached
 * from the first block:
 *
 * 1. The engine's group is given committed offsets at the start of the topic (it has no members
 *    yet, so an admin may set them): a new group would start at the end (librdkafka's default;
 *    18.16 can change it only in the server's config file, for every Kafka table at once).
 * 2. The Kafka table, then both views, then their target tables, `denials` last: the engine
 *    streams only once every view's target exists, so both views see every block. (A table
 *    streams as soon as it has one ready view: created one after the other, the second view
 *    would miss the first blocks.)
 * 3. Poll `sum(requests)` of request_counts every 100 ms until it reaches `events`.
 */
export async function runKafkaEngine(options: KafkaEngineOptions): Promise<KafkaEngineResult> {
  const { kafka, topic, events, groupId, log } = options;
  const notes: string[] = [];
  const consumers = options.consumers ?? options.partitions;
  const ddl = kafkaEngineDdl({
    database: options.database,
    brokers: stackEnv.KAFKA_BROKERS,
    topic,
    groupId,
    consumers,
  });
  const db = quoteIdentifier(options.database);
  const server = await clickhouseServerPid();
  if ('problem' in server) notes.push(`ClickHouse CPU not measured: ${server.problem}`);
  const meter = await clickhouseCpuMeter();
  const admin = kafka.admin();
  await admin.connect();
  const client = createClickHouseClient(connectionFor('default'));
  const run = (query: string) => client.command({ query });
  const members = async () => {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  };
  try {
    // A new group would start at the end of the topic: it gets committed offsets at the start.
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.low })),
    });
    await run(`CREATE DATABASE ${db}`);
    // The Kafka table and its views first: the engine streams only once every view's target
    // table exists, so creating the targets last starts both views on the same first block.
    await run(ddl.queue);
    for (const statement of ddl.views) await run(statement);
    const [denials, ...otherTargets] = ddl.tables;
    for (const statement of otherTargets) await run(statement);
    await waitFor('Kafka engine consumers joined', members, (n) => n === consumers, {
      timeoutMs: 60_000,
      everyMs: 200,
    });
    const requests = async () =>
      Number(
        (
          await rows<{ n: string }>(client, `SELECT sum(requests) AS n FROM ${db}.request_counts`)
        )[0]?.n ?? 0,
      );
    await sleep(1_000);
    if ((await requests()) !== 0) throw new Error('Kafka engine read events before its start');

    // Other clients of a shared server show in its CPU: measured with the engine idle, just before.
    const backgroundCpuPerS = (await meter?.idleCpuPerS()) ?? null;
    const cpuAtStart = meter?.read() ?? 0;
    const engineThreads =
      'pid' in server ? threadCpuSampler(server.pid, (name) => ENGINE_THREAD.test(name)) : null;
    const started = performance.now();
    await run(denials!);
    // Reading starts once the group is Stable with every consumer (usually already so).
    let joinedAt: number | undefined;
    const joining = (async () => {
      while (joinedAt === undefined && performance.now() - started < 120_000) {
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0];
        if (group?.state === 'Stable' && group.members.length === consumers) {
          joinedAt = performance.now();
        } else {
          await sleep(50);
        }
      }
    })();
    let landed = { at: started, n: 0 };
    await waitFor(
      'Kafka engine stored every event',
      async () => {
        const n = await requests();
        if (n > landed.n) landed = { at: performance.now(), n };
        return n;
      },
      (n) => n >= events,
      { timeoutMs: 900_000, everyMs: 100 },
    );
    const cpuS = meter === null ? null : meter.read() - cpuAtStart;
    const engineThreadsCpuS = engineThreads?.stop() ?? null;
    await joining;
    const secondsFromStart = (landed.at - started) / 1000;
    if (joinedAt === undefined)
      notes.push('the group never showed Stable: events/s from the start');
    const secondsToJoin = ((joinedAt ?? started) - started) / 1000;
    const eventsPerS = events / (secondsFromStart - secondsToJoin);

    const count = async (query: string) =>
      Number((await rows<{ n: string }>(client, query))[0]?.n ?? 0);
    const stored = {
      denials: await count(`SELECT uniqExact(request_id) AS n FROM ${db}.denials`),
      // Not count() … FINAL: on 18.16 it returns 0 for a SummingMergeTree.
      request_counts_rows: await count(
        `SELECT uniqExact(key_id, env, minute) AS n FROM ${db}.request_counts`,
      ),
      requests: await count(`SELECT sum(requests) AS n FROM ${db}.request_counts`),
    };
    if (stored.requests !== events) {
      notes.push(`the engine counted ${stored.requests} requests for ${events} events`);
    }
    const ingestDenials = options.ingestStored.find((t) => t.t === 'denials');
    if (ingestDenials !== undefined && stored.denials !== Number(ingestDenials.n)) {
      notes.push(`the engine stored ${stored.denials} denials, ingest ${ingestDenials.n}`);
    }
    const [flushRow] = await rows<{ v: string }>(
      client,
      "SELECT value AS v FROM system.settings WHERE name = 'stream_flush_interval_ms'",
    );
    log(
      `Kafka engine: ${Math.round(eventsPerS)} events/s (${secondsToJoin.toFixed(1)} s to join, ${secondsFromStart.toFixed(1)} s from the start to the last row), ClickHouse ${cpuS === null ? 'CPU not measured' : `${cpuS.toFixed(1)} CPU s (${backgroundCpuPerS?.toFixed(2)} CPU s/s before it)`}`,
    );
    return {
      eventsPerS,
      secondsToJoin,
      secondsFromStart,
      cpuS,
      backgroundCpuPerS,
      engineThreadsCpuS,
      cpuPer100k: cpuS === null ? null : (cpuS / events) * 100_000,
      events,
      stored,
      consumers,
      flushIntervalMs: Number(flushRow?.v ?? 0),
      notes,
    };
  } finally {
    // Views first, then a pause, then the Kafka table: closing consumers while a stream still
    // reads made 18.16 with librdkafka 2.0 abort (rd_kafka_cgrp_destroy_final: assert
    // !rkcg->rkcg_subscription), taking the server down. Dropping a view waits for its running
    // INSERT; with no view left the stream stops within a poll (500 ms).
    const drop = (what: string) =>
      run(`DROP ${what}`).catch((error: unknown) =>
        log(`Kafka engine: could not drop ${what}: ${String(error)}`),
      );
    for (const view of ddl.viewNames) await drop(`TABLE IF EXISTS ${db}.${view}`);
    await sleep(2_000);
    await drop(`TABLE IF EXISTS ${db}.queue`);
    await drop(`DATABASE IF EXISTS ${db}`);
    await client.close();
    // The group stays, like the baseline's and ingest's: its consumers leave as the table is
    // dropped (tens of seconds on a loaded machine), too late for deleteGroups to be sure to work.
    await admin.disconnect();
  }
}

/** What ingest measured on the same events, for the comparison in the summary. */
export interface IngestFigures {
  client: string;
  eventsPerS: number;
  cpuSPer100k: number;
  seconds: number;
  /** The ClickHouse server's CPU s while ingest ran, and before it (CPU s/s); null: not measured. */
  clickhouseCpuS: number | null;
  clickhouseBackgroundCpuPerS: number | null;
}

const per100k = (cpuS: number, events: number) => Math.round((cpuS / events) * 10_000_000) / 100;

/**
 * The phase as run.ts calls it: runs the engine (unless the Kafka settings need TLS or SASL, which
 * 18.16 takes only from the server's config file) and returns the summary's `kafka_engine`. A
 * failure is reported in `notes` with null figures rather than ending the bench.
 */
export async function kafkaEnginePhase(options: KafkaEngineOptions & { ingest: IngestFigures }) {
  const failed = (why: string) => ({
    events_per_s: null,
    clickhouse_cpu_s_per_100k: null,
    events: options.events,
    notes: [why],
  });
  const { ssl, sasl } = loadConfig(process.env).kafka;
  if (ssl !== undefined || sasl !== undefined) {
    return failed(
      'not run: the Kafka settings use TLS or SASL, which the 18.16 engine reads only from the server config file',
    );
  }
  let measured: KafkaEngineResult;
  try {
    measured = await runKafkaEngine(options);
  } catch (error) {
    options.log(`Kafka engine: failed: ${String(error)}`);
    return failed(`failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { events } = measured;
  const { ingest } = options;
  const notes = [...measured.notes];
  // Less what the server's other clients used at the rate sampled just before; not subtracted
  // (null) when that is over half the figure: the difference would be mostly noise.
  const lessBackground = (
    what: string,
    cpuS: number | null,
    perS: number | null,
    seconds: number,
  ) => {
    if (cpuS === null || perS === null) return null;
    if (perS * seconds > cpuS / 2) {
      notes.push(
        `${what}: the server's background (${perS.toFixed(2)} CPU s/s × ${seconds.toFixed(1)} s) is over half its ${cpuS.toFixed(1)} CPU s: not subtracted`,
      );
      return null;
    }
    return per100k(cpuS - perS * seconds, events);
  };
  const engine = {
    raw: measured.cpuS === null ? null : per100k(measured.cpuS, events),
    net: lessBackground(
      'engine',
      measured.cpuS,
      measured.backgroundCpuPerS,
      measured.secondsFromStart,
    ),
    threads:
      measured.engineThreadsCpuS === null ? null : per100k(measured.engineThreadsCpuS, events),
  };
  const ingestClickHouse = {
    raw: ingest.clickhouseCpuS === null ? null : per100k(ingest.clickhouseCpuS, events),
    net: lessBackground(
      'ingest',
      ingest.clickhouseCpuS,
      ingest.clickhouseBackgroundCpuPerS,
      ingest.seconds,
    ),
  };
  const sum = (a: number, b: number | null) => (b === null ? null : round2(a + b));
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? null : round2(a / b);
  const ingestPath = {
    raw: sum(ingest.cpuSPer100k, ingestClickHouse.raw),
    net: sum(ingest.cpuSPer100k, ingestClickHouse.net),
  };
  return {
    /** Events over the time from the consumers having their partitions to the last row landing. */
    events_per_s: Math.round(measured.eventsPerS),
    /** The ClickHouse server's CPU s (user + system, /proc) from the start to the last row. */
    clickhouse_cpu_s_per_100k: engine.raw,
    events,
    notes,
    seconds_to_join: round2(measured.secondsToJoin),
    seconds_reading: round2(measured.secondsFromStart - measured.secondsToJoin),
    clickhouse_cpu_s: measured.cpuS === null ? null : round2(measured.cpuS),
    clickhouse_background_cpu_s_per_s:
      measured.backgroundCpuPerS === null ? null : round2(measured.backgroundCpuPerS),
    clickhouse_cpu_s_per_100k_less_background: engine.net,
    /** The engine's own threads only (librdkafka, the stream, its readers): a lower bound. */
    clickhouse_engine_threads_cpu_s_per_100k: engine.threads,
    consumers: measured.consumers,
    stream_flush_interval_ms: measured.flushIntervalMs,
    stored: measured.stored,
    /**
     * Ingest on the same events (the primary client): its own CPU plus the server's while it ran
     * (`ingest_path`), raw and less the server's background; ratios are the engine's ÷ ingest's.
     */
    vs_ingest: {
      client: ingest.client,
      ingest_events_per_s: Math.round(ingest.eventsPerS),
      ingest_cpu_s_per_100k: ingest.cpuSPer100k,
      ingest_clickhouse_cpu_s_per_100k: ingestClickHouse.raw,
      ingest_clickhouse_background_cpu_s_per_s:
        ingest.clickhouseBackgroundCpuPerS === null
          ? null
          : round2(ingest.clickhouseBackgroundCpuPerS),
      ingest_clickhouse_cpu_s_per_100k_less_background: ingestClickHouse.net,
      ingest_path_cpu_s_per_100k: ingestPath.raw,
      ingest_path_cpu_s_per_100k_less_background: ingestPath.net,
      events_per_s_ratio: round2(measured.eventsPerS / ingest.eventsPerS),
      cpu_ratio: ratio(engine.raw, ingestPath.raw),
      cpu_ratio_less_background: ratio(engine.net, ingestPath.net),
      /** The engine's threads ÷ ingest's own CPU alone: neither counts the server's other work. */
      engine_threads_to_ingest_process: ratio(engine.threads, ingest.cpuSPer100k),
    },
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
