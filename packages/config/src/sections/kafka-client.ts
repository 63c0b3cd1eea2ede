import { z } from 'zod';
import { ConfigError } from '../errors.js';

// Which Kafka client library ingest uses (docs/kafka-clients.md). kafkajs stays the default;
// @platformatic/kafka is the maintained alternative, and it only runs on Node.js ≥ 22.22 (its
// `engines`). Selecting it on an older Node is refused here, at start-up, with the variable named,
// instead of failing somewhere inside the library once the first connection is made.

export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/** The oldest Node.js @platformatic/kafka supports (its package.json `engines`). */
export const PLATFORMATIC_MIN_NODE = '22.22.0';

export const kafkaClientEnv = {
  KAFKA_CLIENT: z
    .enum(KAFKA_CLIENTS, { message: `expected one of ${KAFKA_CLIENTS.join(', ')}` })
    .default('kafkajs'),
} satisfies Record<string, z.ZodType>;

function atLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const want = minimum.split('.').map(Number);
  for (let i = 0; i < want.length; i += 1) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** Whether `client` can run on Node.js `nodeVersion` (e.g. process.versions.node). */
export function kafkaClientProblem(client: KafkaClientName, nodeVersion: string): string | null {
  if (client === 'platformatic' && !atLeast(nodeVersion, PLATFORMATIC_MIN_NODE))
    return (
      `KAFKA_CLIENT: platformatic needs Node.js ≥ ${PLATFORMATIC_MIN_NODE} (this is ${nodeVersion}); ` +
      'run on Node.js 24 or use KAFKA_CLIENT=kafkajs'
    );
  return null;
}

export function kafkaClientSection(
  parsed: { KAFKA_CLIENT: KafkaClientName },
  nodeVersion: string = process.versions.node,
): KafkaClientName {
  const problem = kafkaClientProblem(parsed.KAFKA_CLIENT, nodeVersion);
  if (problem !== null) throw new ConfigError([problem]);
  return parsed.KAFKA_CLIENT;
}
