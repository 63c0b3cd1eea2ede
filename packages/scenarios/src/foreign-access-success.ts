import {
  MINUTE,
  ScenarioBuilder,
  int,
  keySubject,
  newResourceId,
  silence,
  spread,
  uniformTimes,
} from './builder.js';
import type { LabelledScenario, ScenarioContext } from './types.js';

export interface ForeignAccessSuccessOptions {
  /** Denied requests on the victim's invoices, half before and half after the success. Default 4. */
  denials?: number;
  /** Default 10 minutes. */
  spanMs?: number;
  /** Ordinary requests on the key's own resources. Default 30. */
  ordinary?: number;
}

/**
 * The authorization check itself fails: amid ordinary traffic, a key is denied on another
 * account's invoices (`GET /v1/invoices/{invoice_id}`), then gets a 200 on one of them through
 * a sub-resource route that forgot the check (`GET /v1/invoices/{invoice_id}/pdf`,
 * `resource_owner` = the victim). foreign-access-success fires at critical for the key.
 */
export function foreignAccessSuccess(
  ctx: ScenarioContext,
  options: ForeignAccessSuccessOptions = {},
): LabelledScenario {
  const { denials = 4, spanMs = 10 * MINUTE, ordinary = 30 } = options;
  const b = new ScenarioBuilder(ctx, 'attack:foreign-access-success');
  const random = b.random;
  const start = b.place(spanMs);
  const actor = b.actor();
  const victim = b.account();
  const invoices = Array.from({ length: denials + 1 }, () =>
    newResourceId(random, 'invoice', actor.env, start),
  );
  // The middle third of the span: denials, the success in their middle, more denials.
  const probes = spread(random, start + spanMs / 3, spanMs / 3, denials + 1);
  const at = Math.floor(denials / 2);
  probes.forEach((ts, i) => {
    const id = invoices[i] ?? '';
    if (i === at) {
      b.request(actor, { ts, kind: 'invoice', id, action: '/pdf', status: 200, owner: victim });
    } else {
      b.deny(actor, ts, 'invoice', id, victim);
    }
  });
  // A retry of the leaked one through the guarded route, denied as it should be.
  const leaked = invoices[at] ?? '';
  b.deny(actor, (probes[at] ?? start) + int(random, 2_000, 9_000), 'invoice', leaked, victim);
  const pool = b.pool(actor);
  for (const ts of uniformTimes(random, start, spanMs, ordinary)) b.ordinary(actor, pool, ts);
  return b.finish(
    'attack',
    [{ rule: 'foreign-access-success', subject: keySubject(actor), severity: 'critical' }],
    silence([actor], [actor.client_ip], ['foreign-access-success']),
  );
}
