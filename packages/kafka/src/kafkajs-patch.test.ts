import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// patches/kafkajs+2.2.4.patch (applied by `npm ci` through patch-package): an idle kafkajs
// connection must not poll its empty request queue every millisecond (tulios/kafkajs#1751: a CPU
// cost on every connection and a TimeoutNegativeWarning on Node 24). The queue is internal to
// kafkajs, so it is loaded by path.
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const require = createRequire(import.meta.url);
const RequestQueueImpl = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
const silent = { debug: () => undefined, warn: () => undefined, error: () => undefined };

function queue(): RequestQueue {
  return new RequestQueueImpl({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: silent,
  });
}

describe('kafkajs request queue (patched)', () => {
  it('schedules no check while nothing is pending and nothing is throttled', () => {
    const idle = queue();
    idle.scheduleCheckPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules a check for pending requests and for the end of a throttle', () => {
    const busy = queue();
    busy.pending.push({});
    busy.scheduleCheckPendingRequests();
    expect(busy.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(busy.throttleCheckTimeoutId ?? undefined);

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(throttled.throttleCheckTimeoutId ?? undefined);
  });
});
