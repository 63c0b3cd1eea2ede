import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

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
 * A local stand-in for Slack, PagerDuty or a webhook endpoint on an ephemeral loopback port.
 * `check` throws when a payload has the wrong shape (the request is then recorded as a problem and
 * answered 400); `answer` decides the reply to the n-th request (0-based).
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
