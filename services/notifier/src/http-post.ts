import { SinkHttpError, SinkUnreachableError } from './errors.js';

export interface HttpRequest {
  url: string;
  /** Already serialised: the webhook signature covers these exact bytes. */
  body: string;
  headers?: Record<string, string>;
}

/** Sends one request; resolves on 2xx, throws a NotifierError that says whether to retry. */
export type HttpPost = (request: HttpRequest) => Promise<void>;

const EXCERPT_CHARS = 200;
/** A Retry-After longer than this is treated as this; the job's attempts still bound the total. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

export function createHttpPost(timeoutMs: number): HttpPost {
  return async ({ url, body, headers }) => {
    const host = new URL(url).host;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'denyscope-notifier',
          ...headers,
        },
        // A redirect would resend the signed body, or the key, to wherever it points; a sink URL
        // that redirects is a configuration error and surfaces as a permanent 3xx failure.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SinkUnreachableError(host, error);
    }
    if (response.ok) {
      // Release the connection to the pool without reading a body nobody needs (undici keeps the
      // socket busy until the body is consumed or cancelled).
      await response.body?.cancel().catch(() => undefined);
      return;
    }
    const excerpt = await response
      .text()
      .then((text) => text.slice(0, EXCERPT_CHARS))
      .catch(() => '');
    throw new SinkHttpError(
      host,
      response.status,
      excerpt,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  };
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
