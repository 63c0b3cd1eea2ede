import {
  MINUTE,
  SECOND,
  ScenarioBuilder,
  int,
  keySubject,
  newResourceId,
  pick,
  silence,
  spread,
  uniformTimes,
} from './builder.js';
import type { ResourceKind } from './builder.js';
import type { LabelledScenario, ScenarioContext } from './types.js';

export interface CrossTenantOptions {
  /** Distinct existing resources of other accounts. Default 24. */
  resources?: number;
  /** Default 8 minutes. */
  spanMs?: number;
  /** All resources belong to one victim account (critical) instead of 8 (high). */
  concentrated?: boolean;
  /** Ordinary requests on the key's own resources. Default 40. */
  ordinary?: number;
}

/**
 * A working integration key (ordinary traffic, SDK user agent) that also asks for 24 distinct
 * existing invoices, customers and documents of other accounts within 8 minutes, each denied
 * with `resource_owner` = the owner; a fifth of them retried once. Spread over 8 victims (at
 * most 3 each) it is cross-tenant high; `concentrated` (one victim) is critical. 24 distinct IDs
 * (< 50) keep id-enumeration silent.
 */
export function crossTenant(
  ctx: ScenarioContext,
  options: CrossTenantOptions = {},
): LabelledScenario {
  const { resources = 24, spanMs = 8 * MINUTE, concentrated = false, ordinary = 40 } = options;
  const b = new ScenarioBuilder(
    ctx,
    `attack:cross-tenant:${concentrated ? 'concentrated' : 'spread'}`,
  );
  const random = b.random;
  const start = b.place(spanMs);
  const actor = b.actor();
  const victims = Array.from({ length: concentrated ? 1 : 8 }, () => b.account());
  const kinds: ResourceKind[] = ['invoice', 'customer', 'document'];
  spread(random, start, spanMs - 10 * SECOND, resources).forEach((ts, i) => {
    const kind = pick(random, kinds);
    const id = newResourceId(random, kind, actor.env, start);
    const owner = victims[i % victims.length] ?? null;
    b.deny(actor, ts, kind, id, owner);
    if (random() < 0.2) b.deny(actor, ts + int(random, 300, 3_000), kind, id, owner);
  });
  const pool = b.pool(actor);
  for (const ts of uniformTimes(random, start, spanMs, ordinary)) b.ordinary(actor, pool, ts);
  return b.finish(
    'attack',
    [
      {
        rule: 'cross-tenant',
        subject: keySubject(actor),
        severity: concentrated ? 'critical' : 'high',
      },
    ],
    silence([actor], [actor.client_ip], ['cross-tenant']),
  );
}
