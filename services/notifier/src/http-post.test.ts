import { afterEach, describe, expect, it, vi } from 'vitest';
import { SinkHttpError, SinkUnreachableError, isRetriable } from './errors.js';
import { createHttpPost, parseRetryAfter } from './http-post.js';
import { retryDelayMs } from './retry-delay.js';

const URL = 'https://hooks.example.com/services/SECRET-PATH';

afterEach(() => vi.unstubAllGlobals());

async function failureOf(response: Response | Error): Promise<unknown> {
  vi.stubGlobal(
    'fetch',
    vi.fn(() => (response instanceof Error ? Promise.reject(response) : Promise.resolve(response))),
  );
  return createHttpPost(1_000)({ url: URL, body: '{}' }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('createHttpPost', () => {
  it('resolves on 2xx', async () => {
    expect(await failureOf(new Response('ok', { status: 202 }))).toBeUndefined();
  });

  it('retries 5xx, 429 and 408, honouring Retry-After', async () => {
    for (const status of [500, 503, 429, 408]) {
      const error = await failureOf(
        new Response('busy', { status, headers: { 'retry-after': '7' } }),
      );
      expect(error).toBeInstanceOf(SinkHttpError);
      expect(isRetriable(error)).toBe(true);
      expect((error as SinkHttpError).retryAfterMs).toBe(7_000);
    }
  });

  it('does not retry other 4xx or redirects, and keeps a short body excerpt', async () => {
    for (const status of [400, 401, 403, 404, 410, 302]) {
      const error = await failureOf(new Response('x'.repeat(5_000), { status }));
      expect(isRetriable(error)).toBe(false);
      expect((error as SinkHttpError).status).toBe(status);
      expect((error as SinkHttpError).responseExcerpt).toHaveLength(200);
    }
  });

  it('retries network errors and timeouts, naming the host but never the path', async () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    for (const cause of [refused, timeout]) {
      const error = await failureOf(cause);
      expect(error).toBeInstanceOf(SinkUnreachableError);
      expect(isRetriable(error)).toBe(true);
      expect((error as Error).message).toContain('hooks.example.com');
      expect((error as Error).message).not.toContain('SECRET');
    }
    expect(((await failureOf(refused)) as Error).message).toBe(
      'could not reach hooks.example.com: ECONNREFUSED',
    );
  });

  it('treats errors it did not classify as retriable', () => {
    expect(isRetriable(new Error('bug'))).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base and waits at least as long as Retry-After asks', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 2_000, new Error('x')))).toEqual([
      2_000, 4_000, 8_000, 16_000,
    ]);
    const limited = new SinkHttpError('h', 429, '', 30_000);
    expect(retryDelayMs(1, 2_000, limited)).toBe(30_000);
    expect(retryDelayMs(6, 2_000, limited)).toBe(64_000);
    expect(retryDelayMs(40, 2_000, undefined)).toBe(3_600_000);
  });
});
