import type { Meter } from '@opentelemetry/api';
import { getMeter } from './otel-api.js';

/**
 * Why a message went to the dead-letter topic, as a metric attribute. A closed set on purpose:
 * the free-text reason belongs in the log line and the DLQ record, never in an attribute, where
 * every distinct value becomes a new time series.
 */
export const DEAD_LETTER_REASON_KINDS = ['json', 'schema', 'utf8', 'size', 'retention'] as const;
export type DeadLetterReasonKind = (typeof DEAD_LETTER_REASON_KINDS)[number];

export const INGEST_METRIC_NAMES = {
  events: 'denyscope.ingest.events',
  denials: 'denyscope.ingest.denials',
  deadLettered: 'denyscope.ingest.dead_lettered',
  /** Prometheus: denyscope_ingest_invalid_client_ip_total. */
  invalidClientIp: 'denyscope.ingest.invalid_client_ip',
  /** Prometheus: denyscope_ingest_events_ahead_total, by topic and partition. */
  eventsAhead: 'denyscope.ingest.events_ahead',
  batchSize: 'denyscope.ingest.batch_size',
  /**
   * Seconds, as OpenTelemetry's semantic conventions have durations (`db.client.operation.duration`,
   * `http.server.request.duration`). Prometheus: denyscope_ingest_insert_duration_seconds_*. Was
   * `denyscope.ingest.insert_latency`, in ms.
   */
  insertDuration: 'denyscope.ingest.insert.duration',
  consumerLag: 'denyscope.ingest.consumer_lag',
} as const;

/** Totals since createIngestMetrics, kept in plain numbers whether or not an SDK is exporting. */
export interface IngestMetricsSnapshot {
  events: number;
  denials: number;
  deadLettered: number;
  deadLetteredByReason: Record<DeadLetterReasonKind, number>;
  /** Stored events whose client_ip was not an IP address (stored as null). */
  invalidClientIp: number;
  /** Events stamped beyond wall time + DETECT_FUTURE_TOLERANCE_MS (stored, not in the watermark). */
  eventsAhead: number;
  /** Batches recorded with recordBatchSize, and the rows in them. */
  batches: number;
  batchRows: number;
  /** Inserts recorded with recordInsertLatency, and their summed duration. */
  inserts: number;
  insertMsTotal: number;
  /** Sum of the latest lag of every partition currently set. */
  consumerLag: number;
}

export interface IngestMetrics {
  /** Messages consumed from Kafka. */
  addEvents(count?: number): void;
  /** Denial events found among them. */
  addDenials(count?: number): void;
  addDeadLettered(reasonKind: DeadLetterReasonKind, count?: number): void;
  /** Stored events whose client_ip was not an IP address and was dropped (parseEvent). */
  addInvalidClientIp(count?: number): void;
  /** Events of a partition stamped too far ahead of wall time to advance its watermark. */
  addEventsAhead(topic: string, partition: number, count: number): void;
  /** Rows in one flushed batch. */
  recordBatchSize(rows: number): void;
  /**
   * Duration of one ClickHouse insert in milliseconds (what performance.now() measures); the
   * histogram records it in seconds. `table` is a table name, a handful of values.
   */
  recordInsertLatency(table: string, ms: number): void;
  /** Latest lag of one assigned partition, observed by the `consumer_lag` gauge at each export. */
  setLag(topic: string, partition: number, lag: number): void;
  /** Stops reporting a partition, e.g. when a rebalance revokes it. */
  deleteLag(topic: string, partition: number): void;
  snapshot(): IngestMetricsSnapshot;
}

// Explicit buckets: the SDK's default boundaries (0 … 10 000) suit milliseconds but would put
// every batch of INGEST_BATCH_MAX_ROWS (default 50 000) in the overflow bucket.
const BATCH_SIZE_BUCKETS = [
  1, 10, 100, 500, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000,
];
// Seconds: 5 ms to 30 s, the span of an insert from a small batch on an idle server to one
// retried against a struggling cluster.
const INSERT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Creates the ingest service's instruments. Without a `meter` it uses the global one, so call it
 * after startTelemetry (see getMeter). Every record also updates a plain counter for snapshot(),
 * which is what periodic stats logs and tests read.
 *
 * Attributes are limited to low-cardinality values (reason kind, table, topic, partition number):
 * never message keys, request or resource IDs.
 */
export function createIngestMetrics(meter: Meter = getMeter()): IngestMetrics {
  const events = meter.createCounter(INGEST_METRIC_NAMES.events, {
    description: 'Messages consumed from Kafka',
    unit: '{event}',
  });
  const denials = meter.createCounter(INGEST_METRIC_NAMES.denials, {
    description: 'Denial events among consumed messages',
    unit: '{event}',
  });
  const deadLettered = meter.createCounter(INGEST_METRIC_NAMES.deadLettered, {
    description: 'Messages sent to the dead-letter topic, by reason_kind',
    unit: '{message}',
  });
  const invalidClientIp = meter.createCounter(INGEST_METRIC_NAMES.invalidClientIp, {
    description: 'Stored events whose client_ip was not an IP address (stored as null)',
    unit: '{event}',
  });
  const eventsAhead = meter.createCounter(INGEST_METRIC_NAMES.eventsAhead, {
    description:
      'Events stamped beyond wall time + DETECT_FUTURE_TOLERANCE_MS: stored, never advancing the watermark',
    unit: '{event}',
  });
  const batchSize = meter.createHistogram(INGEST_METRIC_NAMES.batchSize, {
    description: 'Rows per flushed batch',
    unit: '{row}',
    advice: { explicitBucketBoundaries: BATCH_SIZE_BUCKETS },
  });
  const insertDuration = meter.createHistogram(INGEST_METRIC_NAMES.insertDuration, {
    description: 'Duration of ClickHouse inserts, by table',
    unit: 's',
    advice: { explicitBucketBoundaries: INSERT_DURATION_BUCKETS },
  });
  const consumerLag = meter.createObservableGauge(INGEST_METRIC_NAMES.consumerLag, {
    description: 'Messages between the committed offset and the end of each assigned partition',
    unit: '{message}',
  });

  const lags = new Map<string, { topic: string; partition: number; lag: number }>();
  consumerLag.addCallback((result) => {
    for (const { topic, partition, lag } of lags.values()) {
      result.observe(lag, { topic, partition });
    }
  });

  const totals = {
    events: 0,
    denials: 0,
    deadLettered: 0,
    deadLetteredByReason: { json: 0, schema: 0, utf8: 0, size: 0, retention: 0 },
    invalidClientIp: 0,
    eventsAhead: 0,
    batches: 0,
    batchRows: 0,
    inserts: 0,
    insertMsTotal: 0,
  } satisfies Omit<IngestMetricsSnapshot, 'consumerLag'>;

  // The `!(x > 0)` / `!(x >= 0)` guards also reject NaN. The SDK drops negative values itself;
  // the plain totals must drop them too, or the two would disagree.
  return {
    addEvents(count = 1) {
      if (!(count > 0)) return;
      totals.events += count;
      events.add(count);
    },
    addDenials(count = 1) {
      if (!(count > 0)) return;
      totals.denials += count;
      denials.add(count);
    },
    addDeadLettered(reasonKind, count = 1) {
      if (!(count > 0)) return;
      totals.deadLettered += count;
      totals.deadLetteredByReason[reasonKind] += count;
      deadLettered.add(count, { reason_kind: reasonKind });
    },
    addInvalidClientIp(count = 1) {
      if (!(count > 0)) return;
      totals.invalidClientIp += count;
      invalidClientIp.add(count);
    },
    addEventsAhead(topic, partition, count) {
      if (!(count > 0)) return;
      totals.eventsAhead += count;
      eventsAhead.add(count, { topic, partition });
    },
    recordBatchSize(rows) {
      if (!(rows >= 0)) return;
      totals.batches += 1;
      totals.batchRows += rows;
      batchSize.record(rows);
    },
    recordInsertLatency(table, ms) {
      if (!(ms >= 0)) return;
      totals.inserts += 1;
      totals.insertMsTotal += ms;
      insertDuration.record(ms / 1_000, { table });
    },
    setLag(topic, partition, lag) {
      // An unknown lag (NaN, or -1 from an offset not yet fetched) keeps the last known value
      // rather than reporting 0, which would look like a consumer that has caught up.
      if (!(lag >= 0) || !Number.isFinite(lag)) return;
      lags.set(`${topic}\u0000${partition}`, { topic, partition, lag });
    },
    deleteLag(topic, partition) {
      lags.delete(`${topic}\u0000${partition}`);
    },
    snapshot() {
      let lagSum = 0;
      for (const { lag } of lags.values()) lagSum += lag;
      return {
        ...totals,
        deadLetteredByReason: { ...totals.deadLetteredByReason },
        consumerLag: lagSum,
      };
    },
  };
}
