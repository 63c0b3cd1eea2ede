import { setTimeout as sleep } from 'node:timers/promises';
import type { SharedConfig } from '@denyscope/config';
import { backoffDelay } from '@denyscope/runtime';
import type { Logger } from '@denyscope/telemetry';
import type { KafkaClient } from './client.js';

/**
 * Makes sure the dead-letter topic exists, with room for the largest message the source may carry
 * plus our headers. An existing topic is left as it is.
 */
export async function ensureDeadLetterTopic(
  kafka: KafkaClient,
  config: SharedConfig,
): Promise<void> {
  if ((await kafka.listTopics()).includes(config.kafka.dlqTopic)) return;
  await kafka.createTopic({
    topic: config.kafka.dlqTopic,
    partitions: 1,
    config: { 'max.message.bytes': String(16 * 1024 * 1024) },
  });
}

/**
 * Waits until the source topic exists. Subscribing to a missing topic fails at once in kafkajs
 * ("This server does not host this topic-partition"), which would make a freshly deployed ingest
 * crash-loop until producers create the topic; waiting with a clear log line is kinder.
 */
export async function waitForTopic(
  kafka: KafkaClient,
  topic: string,
  log: Logger,
  { maxDelayMs = 30_000, signal }: { maxDelayMs?: number; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    if ((await kafka.listTopics()).includes(topic)) return;
    const delay = backoffDelay(attempt, { initialMs: 500, maxMs: maxDelayMs });
    log.warn({ topic, retryInMs: delay }, 'source topic does not exist yet; waiting for it');
    // Rejects with the signal's reason when it is aborted (SIGTERM while waiting).
    await sleep(delay, undefined, { signal });
  }
}
