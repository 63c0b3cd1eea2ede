import type { SharedConfig } from '@denyscope/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { clickHouseProbe, kafkaProbe, redisProbe, type DependencyProbe } from './probes.js';
import { ConnectionSetupError } from './setup-error.js';

export type Dependency = 'kafka' | 'clickhouse' | 'redis';

/** Where a dependency that is down at start-up is reported (a pino logger fits). */
export interface PreflightLog {
  warn(fields: { err: unknown; dependency: Dependency }, message: string): void;
}

/** A server that hangs up this many times in a row during set-up is not merely restarting. */
const CLOSED_ATTEMPTS = 3;
const CLOSED_RETRY_MS = 500;

/**
 * Connects once to each dependency a service needs, before the service starts. A connection that
 * can never work as configured (credentials, certificate trust, TLS on one side only) throws a
 * ConnectionSetupError; a server that is merely down or slow is logged and left to the service's
 * own retries, as before — a deployment may start before its dependencies.
 */
export async function preflight(
  config: SharedConfig,
  dependencies: readonly Dependency[],
  log: PreflightLog,
): Promise<void> {
  const probes = {
    kafka: () => kafkaProbe(config.kafka),
    clickhouse: () => clickHouseProbe(config.clickhouse),
    redis: () => redisProbe(config.redis),
  };
  for (const dependency of dependencies) await check(probes[dependency](), dependency, log);
}

async function check(probe: DependencyProbe, dependency: Dependency, log: PreflightLog) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await probe.probe();
      return;
    } catch (error) {
      const verdict = error instanceof ConnectionSetupError ? error : probe.classify(error);
      if (verdict instanceof ConnectionSetupError) throw verdict;
      if (verdict?.kind !== 'closed-by-server') {
        log.warn(
          { err: error, dependency },
          `${dependency} not reachable at start-up (${(error as Error).message}); the service retries on its own`,
        );
        return;
      }
      if (attempt >= CLOSED_ATTEMPTS) {
        throw new ConnectionSetupError(
          probe.service,
          'the server keeps closing the connection during set-up: it probably expects TLS or ' +
            'authentication that is not configured',
          [probe.setupSettings],
        );
      }
      await sleep(CLOSED_RETRY_MS);
    }
  }
}
