import type { GeneratedEvent } from '@denyscope/scenarios';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The test's side of the stream: one idempotent producer that sends each chunk until the broker
 * took it, retrying through a broker restart. Idempotence matters here: the suite checks exact
 * request totals, so a chunk resent after a lost acknowledgement must not be stored twice by
 * Kafka (the broker drops a resent batch by its producer id and sequence number).
 */
export class StreamProducer {
  private readonly producer: Producer;
  private connected = false;
  /** Sends that failed after kafkajs's own retries and were tried again. */
  retries = 0;
  /** The longest a send took, retries included: a broker restart makes it seconds. */
  longestSendMs = 0;
  /** Messages the broker acknowledged. */
  sent = 0;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Sends `messages` in one request, retrying every 500 ms for up to `deadlineMs`. */
  async send(messages: Message[], deadlineMs = 180_000): Promise<void> {
    const started = Date.now();
    const giveUpAt = started + deadlineMs;
    for (;;) {
      try {
        if (!this.connected) {
          await this.producer.connect();
          this.connected = true;
        }
        await this.producer.send({ topic: this.topic, messages, acks: -1 });
        this.sent += messages.length;
        this.longestSendMs = Math.max(this.longestSendMs, Date.now() - started);
        return;
      } catch (error) {
        if (Date.now() > giveUpAt || isPermanent(error)) throw error;
        this.retries += 1;
        await sleep(500);
      }
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}

/** A broker's refusal (message too large, …): sending the same again cannot help. */
function isPermanent(error: unknown): boolean {
  let cause: unknown = error;
  while ((cause as { cause?: unknown } | null)?.cause !== undefined) {
    cause = (cause as { cause: unknown }).cause;
  }
  const { name, retriable } = (cause ?? {}) as { name?: string; retriable?: boolean };
  return name === 'KafkaJSProtocolError' && retriable === false;
}

/** At most this many events per request, however fast a part is fed. */
const MAX_CHUNK = 2_000;

/** One event as a Kafka message; the request_id as key spreads events over the partitions. */
export function eventMessage(event: GeneratedEvent): Message {
  return { key: event.request_id, value: JSON.stringify(event) };
}

/**
 * Feeds a stream to Kafka in event-time order, part by part, each part spread evenly over a wall
 * time (as a live gateway would, only faster), so that a test can say what is produced before,
 * during and after a fault. A chunk that cannot be sent is retried; the stream then catches up.
 */
export class EventFeed {
  private next = 0;
  /** Per chunk sent: the event time of its last event and when the broker took it (epoch ms). */
  private readonly chunks: { lastTs: number; at: number }[] = [];

  /** `toMessage` says how an event goes to Kafka (default: keyed by request_id, see eventMessage). */
  constructor(
    private readonly producer: StreamProducer,
    private readonly events: readonly GeneratedEvent[],
    private readonly toMessage: (event: GeneratedEvent) => Message = eventMessage,
  ) {}

  /** Events produced so far. */
  get produced(): readonly GeneratedEvent[] {
    return this.events.slice(0, this.next);
  }

  /** Wall time (epoch ms) by which every event up to event time `ts` was in Kafka; null if not yet. */
  producedAt(ts: number): number | null {
    return this.chunks.find((chunk) => chunk.lastTs >= ts)?.at ?? null;
  }

  get done(): boolean {
    return this.next >= this.events.length;
  }

  /**
   * Produces the next `share` of the whole stream (default: the rest), or every event up to the
   * event time `throughTs` (included), over `durationMs`. With `until`, stops early once it holds
   * (checked after each chunk).
   */
  async produce({
    share,
    throughTs,
    durationMs,
    until,
  }: {
    share?: number;
    throughTs?: number;
    durationMs: number;
    until?: () => boolean | Promise<boolean>;
  }): Promise<void> {
    let end =
      share === undefined
        ? this.events.length
        : Math.min(this.events.length, this.next + Math.round(this.events.length * share));
    if (throughTs !== undefined) {
      const after = this.events.findIndex((e, i) => i >= this.next && e.ts > throughTs);
      end = Math.min(end, after < 0 ? this.events.length : after);
    }
    const count = end - this.next;
    if (count <= 0) return;
    const started = Date.now();
    const size = Math.min(MAX_CHUNK, Math.ceil(count / Math.max(1, Math.ceil(durationMs / 250))));
    const first = this.next;
    while (this.next < end) {
      const to = Math.min(end, this.next + size);
      await this.producer.send(this.events.slice(this.next, to).map(this.toMessage));
      this.chunks.push({ lastTs: this.events[to - 1]?.ts ?? 0, at: Date.now() });
      this.next = to;
      if (until !== undefined && (await until())) return;
      const due = started + (durationMs * (this.next - first)) / count;
      if (due > Date.now()) await sleep(due - Date.now());
    }
  }
}
