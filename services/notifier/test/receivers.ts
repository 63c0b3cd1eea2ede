import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { alertSchema, TRANSITIONS } from '@denyscope/alerts';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../src/index.js';

export interface Delivery {
  raw: string;
  body: unknown;
  headers: IncomingHttpHeaders;
  /** Arrival time, epoch ms. */
  at: number;
}

export interface Answer {
  status: number;
  delayMs?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Every request, whatever the answer. */
  requests: Delivery[];
  /** Requests that passed the shape check and were answered 2xx. */
  accepted: Delivery[];
  /** Shape problems; each test asserts this stays empty. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * A local stand-in for Slack, PagerDuty or a webhook endpoint on an ephemeral port. `check` throws
 * when a payload has the wrong shape (the request is then recorded as a problem and answered 400);
 * `answer` decides the reply to the n-th request (0-based).
 */
export async function startReceiver(
  check: (delivery: Delivery) => void,
  answer: (n: number) => Answer = () => ({ status: 200 }),
): Promise<Receiver> {
  const requests: Delivery[] = [];
  const accepted: Delivery[] = [];
  const problems: string[] = [];
  let closed = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        const delivery: Delivery = { raw, body, headers: req.headers, at: Date.now() };
        const n = requests.push(delivery) - 1;
        try {
          check(delivery);
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
          res.writeHead(400).end('bad payload');
          return;
        }
        const reply = answer(n);
        if (reply.delayMs !== undefined) await sleep(reply.delayMs);
        if (closed) return;
        if (reply.status >= 200 && reply.status < 300) accepted.push(delivery);
        res.writeHead(reply.status, reply.headers).end(reply.body ?? 'ok');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted,
    problems,
    async close() {
      closed = true;
      // Cut requests a slow receiver is sitting on, so the notifier's fetches end now.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function record(value: unknown): Record<string, unknown> {
  assert(typeof value === 'object' && value !== null && !Array.isArray(value), 'not an object');
  return value as Record<string, unknown>;
}

/** Incoming webhook: a `text` fallback and Block Kit blocks starting with a header. */
export function checkSlack({ body }: Delivery): void {
  const message = record(body);
  assert(typeof message.text === 'string' && message.text.length > 0, 'slack: text missing');
  assert(Array.isArray(message.blocks) && message.blocks.length > 0, 'slack: blocks missing');
  const types = (message.blocks as unknown[]).map((block) => record(block).type);
  assert(types[0] === 'header', 'slack: first block is not a header');
  assert(types.includes('section') && types.includes('context'), 'slack: section/context missing');
}

/** Events API v2: the fields PagerDuty requires, for trigger and for resolve. */
export function checkPagerDuty(routingKey: string) {
  return ({ body }: Delivery): void => {
    const event = record(body);
    assert(event.routing_key === routingKey, 'pagerduty: wrong routing_key');
    assert(
      event.event_action === 'trigger' || event.event_action === 'resolve',
      'bad event_action',
    );
    assert(typeof event.dedup_key === 'string' && event.dedup_key.length > 0, 'no dedup_key');
    assert(event.dedup_key.length <= 255, 'pagerduty: dedup_key too long');
    if (event.event_action === 'resolve') return;
    const payload = record(event.payload);
    assert(
      typeof payload.summary === 'string' && payload.summary.length > 0,
      'pagerduty: summary missing',
    );
    assert(payload.summary.length <= 1024, 'pagerduty: summary too long');
    assert(typeof payload.source === 'string' && payload.source !== '', 'pagerduty: no source');
    assert(
      ['critical', 'error', 'warning', 'info'].includes(String(payload.severity)),
      'pagerduty: bad severity',
    );
    assert(!Number.isNaN(Date.parse(String(payload.timestamp))), 'pagerduty: bad timestamp');
  };
}

/** Signed with the shared secret, fresh, and the body is exactly an alert. */
export function checkWebhook(secret: string) {
  return ({ raw, body, headers }: Delivery): void => {
    const header = (name: string) => {
      const value = headers[name.toLowerCase()];
      return typeof value === 'string' ? value : undefined;
    };
    assert(
      verifyWebhookSignature(
        secret,
        header(WEBHOOK_HEADERS.timestamp),
        raw,
        header(WEBHOOK_HEADERS.signature),
      ),
      'webhook: signature does not verify',
    );
    const alert = alertSchema.strict().safeParse(body);
    assert(alert.success, 'webhook: body is not exactly an alert');
    assert(
      (TRANSITIONS as readonly string[]).includes(header(WEBHOOK_HEADERS.transition) ?? ''),
      'webhook: bad transition header',
    );
  };
}
