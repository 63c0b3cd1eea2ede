import { describe, expect, it } from 'vitest';
import { retryForever } from './retry.js';

describe('retryForever', () => {
  it('retries retriable failures until the operation succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await retryForever(
      () => {
        calls += 1;
        return calls < 4 ? Promise.reject(new Error('down')) : Promise.resolve('stored');
      },
      {
        initialMs: 1,
        maxMs: 2,
        isRetriable: () => true,
        onRetry: (_e, attempt) => retries.push(attempt),
      },
    );
    expect(result).toBe('stored');
    expect(retries).toEqual([1, 2, 3]);
  });

  it('gives up at once on a permanent failure', async () => {
    let calls = 0;
    const permanent = new Error('syntax error');
    await expect(
      retryForever(
        () => {
          calls += 1;
          return Promise.reject(permanent);
        },
        { initialMs: 1, maxMs: 2, isRetriable: (e) => e !== permanent, onRetry: () => undefined },
      ),
    ).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const attempt = retryForever(() => Promise.reject(new Error('down')), {
      initialMs: 60_000,
      maxMs: 60_000,
      isRetriable: () => true,
      onRetry: () => controller.abort(),
      signal: controller.signal,
    });
    await expect(attempt).rejects.toThrow();
  });
});
