import { isAtLeast, type Severity, type Transition } from '@denyscope/alerts';
import type { Delivery, Receiver } from '@denyscope/testkit';
// Local Slack, PagerDuty and webhook stand-ins that check each payload's shape (and the
// webhook's signature, with the official standardwebhooks library).
import { checkPagerDuty, checkSlack, checkWebhook, startReceiver } from '@denyscope/testkit';

export const WEBHOOK_SECRET = 'chaos-webhook-secret-0123456789';
export const ROUTING_KEY = 'chaos-routing-key-0123456789abcdef';

export type HttpSinkId = 'webhook' | 'pagerduty' | 'slack';
export type SinkId = HttpSinkId | 'log';
export const SINK_IDS: readonly SinkId[] = ['webhook', 'pagerduty', 'slack', 'log'];

/** Longer than it takes to SIGKILL the notifier: a held request is never answered to it. */
const HOLD_MS = 20_000;

/**
 * One receiver that can hold requests: while held, a request gets no answer before the sender is
 * gone (the test kills it), so it was received but never acknowledged. The notifier sends such a
 * delivery again after its restart; what must reach a receiver exactly once is the acknowledged
 * delivery (docs/notifier.md, "Where at-least-once remains").
 */
export class SinkReceiver {
  private constructor(
    readonly id: HttpSinkId,
    readonly receiver: Receiver,
    private readonly state: { holding: boolean; cut: Set<Delivery> },
  ) {}

  static async start(id: HttpSinkId, delayMs = 0): Promise<SinkReceiver> {
    const check = {
      webhook: checkWebhook(WEBHOOK_SECRET),
      pagerduty: checkPagerDuty(ROUTING_KEY),
      slack: checkSlack,
    }[id];
    const state = { holding: false, cut: new Set<Delivery>() };
    const receiver = await startReceiver(check, (n) => {
      const delivery = receiver.requests[n];
      if (state.holding && delivery !== undefined) {
        state.cut.add(delivery);
        return { status: 200, delayMs: HOLD_MS };
      }
      return delayMs > 0 ? { status: 200, delayMs } : { status: 200 };
    });
    return new SinkReceiver(id, receiver, state);
  }

  /** Requests answered into a dead connection: received, never acknowledged. */
  get cut(): ReadonlySet<Delivery> {
    return this.state.cut;
  }

  get url(): string {
    return this.receiver.url;
  }

  /** Requests that were answered 2xx on a live connection. */
  acknowledged(): Delivery[] {
    return this.receiver.accepted.filter((d) => !this.state.cut.has(d));
  }

  hold(): void {
    this.state.holding = true;
  }

  release(): void {
    this.state.holding = false;
  }

  get held(): number {
    return this.state.cut.size;
  }

  close(): Promise<void> {
    return this.receiver.close();
  }
}

export type SinkReceivers = Record<HttpSinkId, SinkReceiver>;

export async function startSinkReceivers(webhookDelayMs = 0): Promise<SinkReceivers> {
  return {
    webhook: await SinkReceiver.start('webhook', webhookDelayMs),
    pagerduty: await SinkReceiver.start('pagerduty'),
    slack: await SinkReceiver.start('slack'),
  };
}

export function holdDeliveries(receivers: SinkReceivers): void {
  for (const r of Object.values(receivers)) r.hold();
}

export function deliveryHeld(receivers: SinkReceivers): boolean {
  return Object.values(receivers).some((r) => r.held > 0);
}

export function releaseDeliveries(receivers: SinkReceivers): void {
  for (const r of Object.values(receivers)) r.release();
}

// ---------------------------------------------------------------------------------------------
// What identifies one state change at each sink. Slack and PagerDuty payloads carry no version,
// but the severity only rises while an incident fires, so (alert_id, transition, severity) names
// one state change as well.

/** A row of the alerts table: one incident state change, as the detector recorded it. */
export interface StateChange {
  alert_id: string;
  version: number;
  transition: Transition;
  severity: Severity;
  rule: string;
  key_id: string;
  client_ip: string;
  /** Event time of the incident's first and last event, for failure messages. */
  first_seen?: string;
  last_seen?: string;
}

const PAGERDUTY_SEVERITY: Record<Severity, string> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

/** Default routing (NOTIFY_*_MIN_SEVERITY unset): which sinks a state change goes to. */
export function routedSinks(change: StateChange): SinkId[] {
  const sinks: SinkId[] = ['webhook', 'log'];
  if (isAtLeast(change.severity, 'medium')) sinks.push('slack');
  if (isAtLeast(change.severity, 'high')) sinks.push('pagerduty');
  return sinks;
}

export function expectedKey(sink: SinkId, change: StateChange): string {
  switch (sink) {
    case 'webhook':
    case 'log':
      return `${change.alert_id}.v${change.version}`;
    case 'slack':
      return `${change.alert_id}|${change.transition}|${change.severity}`;
    case 'pagerduty':
      return change.transition === 'resolved'
        ? `${change.alert_id}|resolve`
        : `${change.alert_id}|trigger|${PAGERDUTY_SEVERITY[change.severity]}`;
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The key of a delivery as received; the shape was already checked by the receiver. */
export function receivedKey(sink: HttpSinkId, delivery: Delivery): string {
  const body = record(delivery.body);
  if (sink === 'webhook') return String(delivery.headers['webhook-id']);
  if (sink === 'pagerduty') {
    const action = String(body.event_action);
    const dedupKey = String(body.dedup_key);
    if (action === 'resolve') return `${dedupKey}|resolve`;
    return `${dedupKey}|trigger|${String(record(body.payload).severity)}`;
  }
  // Slack: the header says the transition and severity, the context line the alert_id.
  const blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]).map(record) : [];
  const header = String(record(blocks[0]?.text).text);
  const context = blocks.find((b) => b.type === 'context');
  const elements = Array.isArray(context?.elements) ? (context.elements as unknown[]) : [];
  const alertId = /alert_id `([^`]*)`/.exec(String(record(elements[0]).text))?.[1] ?? '?';
  const resolved = /RESOLVED (\w+) ·/.exec(header);
  if (resolved) return `${alertId}|resolved|${resolved[1]?.toLowerCase()}`;
  const severity = /(\w+) · /.exec(header)?.[1]?.toLowerCase() ?? '?';
  return `${alertId}|${header.endsWith('(escalated)') ? 'escalated' : 'opened'}|${severity}`;
}
