// Detection latency under load: attacks injected into the live soak traffic, timed from the produce
// of the event that crosses the rule's threshold to the `opened` alert at a local webhook receiver.
import { alertSchema, type RuleId } from '@denyscope/alerts';
import { RULES } from '@denyscope/detections';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '@denyscope/notifier';
import type { Delivery } from '@denyscope/testkit';
import type { Message, Producer } from 'kafkajs';

/** The rule every injection crosses: the simplest to drive exactly to its threshold. */
export const INJECTION_RULE: RuleId = 'id-enumeration';

export interface Threshold {
  /** The rule's shortest window. */
  windowMinutes: number;
  /** Distinct guessed IDs (denied, never used by the account) in that window that make it fire. */
  minDistinctIds: number;
  minGuessShare: number;
}

/**
 * The id-enumeration threshold the detector runs with: the rule's own defaults (the bench starts
 * the detector without a rules file), read from the rule's settings schema rather than copied.
 */
export function injectionThreshold(): Threshold {
  const settings = RULES[INJECTION_RULE].settings.parse({}) as {
    windows: { minutes: number; minDistinctIds: number }[];
    minGuessShare: number;
  };
  const [shortest] = [...settings.windows].sort((a, b) => a.minutes - b.minutes);
  if (shortest === undefined) throw new Error(`${INJECTION_RULE} has no window`);
  return {
    windowMinutes: shortest.minutes,
    minDistinctIds: shortest.minDistinctIds,
    minGuessShare: settings.minGuessShare,
  };
}

function header(delivery: Delivery, name: string): string | undefined {
  const value = delivery.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Watches the webhook receiver: checks every delivery (signature, exactly an alert), remembers when
 * the first `opened` alert of the injection rule arrived for each key, and counts the rest.
 */
export class AlertWatch {
  /** performance.now() of the first `opened` injection-rule alert per key_id. */
  private readonly arrivals = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();
  /**
   * Deliveries other than an injection's first `opened` alert, by rule and transition: the
   * injections' later escalations, and anything the background traffic set off (should be none).
   */
  readonly others = new Map<string, number>();
  deliveries = 0;

  constructor(private readonly secret: string) {}

  /** The receiver's check: throws (→ 400, recorded as a problem) on a bad delivery. */
  readonly check = (delivery: Delivery): void => {
    const at = performance.now();
    this.deliveries += 1;
    if (
      !verifyWebhookSignature(
        this.secret,
        header(delivery, WEBHOOK_HEADERS.timestamp),
        delivery.raw,
        header(delivery, WEBHOOK_HEADERS.signature),
      )
    ) {
      throw new Error('webhook: signature does not verify');
    }
    const parsed = alertSchema.safeParse(delivery.body);
    if (!parsed.success) throw new Error('webhook: body is not an alert');
    const alert = parsed.data;
    const transition = header(delivery, WEBHOOK_HEADERS.transition);
    const key = alert.subject.key_id;
    if (alert.rule === INJECTION_RULE && transition === 'opened' && key !== undefined) {
      if (!this.arrivals.has(key)) {
        this.arrivals.set(key, at);
        this.waiters.get(key)?.(at);
        return;
      }
    }
    const injected = key !== undefined && key.startsWith('key_inj_');
    const label = `${alert.rule} ${transition ?? '?'}${injected ? ' (injected key)' : ''}`;
    this.others.set(label, (this.others.get(label) ?? 0) + 1);
  };

  /** performance.now() at which the key's alert arrived, or null if none within timeoutMs. */
  arrival(keyId: string, timeoutMs: number): Promise<number | null> {
    const known = this.arrivals.get(keyId);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(keyId);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(keyId, (at) => {
        clearTimeout(timer);
        this.waiters.delete(keyId);
        resolve(at);
      });
    });
  }
}

export interface Injection {
  index: number;
  keyId: string;
  /** Seconds into the soak at which it started. */
  atS: number;
  /** Events produced (threshold − 1 priming denials + the crossing one). */
  events: number;
  /** Send → ack of the crossing event, ms. */
  ackMs: number;
  /** Ack of the crossing event → the alert at the receiver, s; null: none within the timeout. */
  latencyS: number | null;
}

const USER_AGENT = 'python-requests/2.31.0';

/** One denied request of the attacking key on a missing invoice, with event time now. */
function denial(run: string, index: number, n: number): Message {
  const keyId = `key_inj_${run}_${index}`;
  const invoice = `inv_${String(700_000 + index * 1_000 + n).padStart(6, '0')}`;
  const event = {
    ts: Date.now(),
    request_id: `inj-${run}-${index}-${n}`,
    env: 'production',
    method: 'GET',
    path: `/v1/invoices/${invoice}`,
    route: '/v1/invoices/{invoice_id}',
    status: 403,
    key_id: keyId,
    account_id: `acct_inj_${run}_${index}`,
    error: 'ownership_denied',
    resource_type: 'invoice',
    resource_owner: null,
    client_ip: `198.51.100.${(index % 250) + 1}`,
    user_agent: USER_AGENT,
    latency_ms: 3,
  };
  return { key: keyId, value: JSON.stringify(event) };
}

/**
 * A fresh key walks `minDistinctIds` invoices that do not exist, every event stamped with the
 * current time: threshold − 1 denials (acked), then the crossing one. Latency is timed from the
 * ack of the crossing event (the moment the platform's log is durably in Kafka) to the arrival of
 * its `opened` alert; the send → ack time is reported beside it.
 */
export async function inject(
  producer: Producer,
  topic: string,
  options: {
    run: string;
    index: number;
    atS: number;
    threshold: Threshold;
    watch: AlertWatch;
    timeoutMs: number;
    /** Called with the number of events Kafka acknowledged, as they are. */
    onAcked: (events: number) => void;
  },
): Promise<Injection> {
  const { run, index, threshold, watch } = options;
  const keyId = `key_inj_${run}_${index}`;
  const priming = Array.from({ length: threshold.minDistinctIds - 1 }, (_, n) =>
    denial(run, index, n),
  );
  await producer.send({ topic, acks: 1, messages: priming });
  options.onAcked(priming.length);
  const crossing = denial(run, index, threshold.minDistinctIds - 1);
  const sent = performance.now();
  await producer.send({ topic, acks: 1, messages: [crossing] });
  const acked = performance.now();
  options.onAcked(1);
  const arrived = await watch.arrival(keyId, options.timeoutMs);
  return {
    index,
    keyId,
    atS: options.atS,
    events: threshold.minDistinctIds,
    ackMs: acked - sent,
    latencyS: arrived === null ? null : Math.max(0, arrived - acked) / 1000,
  };
}
