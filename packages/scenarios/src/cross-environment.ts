import {
  MINUTE,
  ScenarioBuilder,
  envMarker,
  keySubject,
  newResourceId,
  silence,
  spread,
  uniformTimes,
} from './builder.js';
import type { LabelledScenario, ScenarioContext, Severity } from './types.js';

export interface CrossEnvironmentOptions {
  /** Denied requests on the other environment's IDs. Default 10. */
  requests?: number;
  /** Default 5 minutes. */
  spanMs?: number;
  /** Ordinary requests of the same key on its own resources. Default 40. */
  ordinary?: number;
}

interface Direction {
  name: string;
  env: string;
  foreignEnv: string;
  severity: Severity;
}

/**
 * A key configured with the other environment's IDs (the customer's own resources, copied
 * across). The requests cycle through three forms, so that the count crosses the threshold
 * whichever way the detector tells the environment:
 *   - marked subscription ID (`sub_test_…` / `sub_live_…`) and `resource_env` given;
 *   - marked subscription ID, `resource_env` and `resource_owner` absent (platform did not say);
 *   - unmarked customer ID (`cus_…`), `resource_env` given.
 * With 10 requests: 7 carry `resource_env`, 7 carry a marker; all 10 are cross-environment.
 */
function crossEnvironment(
  ctx: ScenarioContext,
  direction: Direction,
  options: CrossEnvironmentOptions,
): LabelledScenario {
  const { requests = 10, spanMs = 5 * MINUTE, ordinary = 40 } = options;
  // The direction fixes the environment; ctx.env does not apply.
  const b = new ScenarioBuilder({ ...ctx, env: direction.env }, direction.name);
  const random = b.random;
  const start = b.place(spanMs);
  const actor = b.actor();
  const marker = envMarker(direction.foreignEnv);
  const subs = [0, 1].map(() =>
    newResourceId(random, 'subscription', direction.foreignEnv, start, marker),
  );
  const customers = [0, 1].map(() =>
    newResourceId(random, 'customer', direction.foreignEnv, start),
  );
  spread(random, start, spanMs, requests).forEach((ts, i) => {
    const id = i % 2 === 0 ? 0 : 1;
    if (i % 3 === 0) {
      b.deny(actor, ts, 'subscription', subs[id] ?? '', actor.account_id, direction.foreignEnv);
    } else if (i % 3 === 1) {
      b.deny(actor, ts, 'subscription', subs[id] ?? '', undefined);
    } else {
      b.deny(actor, ts, 'customer', customers[id] ?? '', actor.account_id, direction.foreignEnv);
    }
  });
  const pool = b.pool(actor);
  for (const ts of uniformTimes(random, start, spanMs, ordinary)) b.ordinary(actor, pool, ts);
  return b.finish(
    'attack',
    [{ rule: 'cross-environment', subject: keySubject(actor), severity: direction.severity }],
    silence([actor], [actor.client_ip], ['cross-environment']),
  );
}

/** A production key addressing staging IDs: lower-environment IDs in production, medium. */
export function crossEnvironmentStagingIdsInProduction(
  ctx: ScenarioContext,
  options: CrossEnvironmentOptions = {},
): LabelledScenario {
  return crossEnvironment(
    ctx,
    {
      name: 'attack:cross-environment:staging-ids-in-production',
      env: 'production',
      foreignEnv: 'staging',
      severity: 'medium',
    },
    options,
  );
}

/** A staging key addressing production IDs: production data in a lower environment, high. */
export function crossEnvironmentProductionIdsInStaging(
  ctx: ScenarioContext,
  options: CrossEnvironmentOptions = {},
): LabelledScenario {
  return crossEnvironment(
    ctx,
    {
      name: 'attack:cross-environment:production-ids-in-staging',
      env: 'staging',
      foreignEnv: 'production',
      severity: 'high',
    },
    options,
  );
}
