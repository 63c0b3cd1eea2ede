import { secureStackDown, secureStackIsUp, secureStackUp } from '@denyscope/testkit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** What `infra/stack/secure.sh up` printed: the services' settings for the secured stack. */
    secureEnv: Record<string, string>;
  }
}

/**
 * Brings the secured local stack up (infra/stack/secure.sh: Kafka SASL_SSL with SCRAM users,
 * ClickHouse over HTTPS with a password user, Redis over TLS with an ACL user) before the secure
 * files run, and stops it afterwards unless it was already running (someone else's).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedHere = !(await secureStackIsUp());
  const started = Date.now();
  project.provide('secureEnv', await secureStackUp());
  console.info(`secure: stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return async () => {
    if (startedHere && process.env.SECURE_KEEP_STACK !== '1') await secureStackDown();
  };
}
