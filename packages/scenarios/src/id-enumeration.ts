import {
  MINUTE,
  ScenarioBuilder,
  TOOL_USER_AGENTS,
  int,
  invoiceId,
  keySubject,
  newResourceId,
  pick,
  sampleIndices,
  silence,
  spread,
  uniformTimes,
} from './builder.js';
import type { LabelledScenario, ScenarioContext } from './types.js';

export interface IdEnumerationSequentialOptions {
  /** Distinct IDs walked, one request each. Default 120. */
  ids?: number;
  /** Default 3 minutes. */
  spanMs?: number;
  /** Walked IDs that exist and belong to other accounts (the rest do not exist). Default 6. */
  foreignOwned?: number;
  /** 200s on the attacker's own invoices, mixed in. Default 8. */
  ownReads?: number;
}

/**
 * One key walks `inv_{int}` IDs upwards, one per request: 120 IDs in 3 minutes, 114 of them
 * missing and 6 owned by other accounts (kept under cross-tenant's 10), plus 8 own-invoice 200s.
 * id-enumeration fires at critical (sequential): 120 distinct IDs within any 5-minute window
 * holding the walk, deny ratio 120/128.
 */
export function idEnumerationSequential(
  ctx: ScenarioContext,
  options: IdEnumerationSequentialOptions = {},
): LabelledScenario {
  const { ids = 120, spanMs = 3 * MINUTE, foreignOwned = 6, ownReads = 8 } = options;
  const b = new ScenarioBuilder(ctx, 'attack:id-enumeration:sequential');
  const random = b.random;
  const start = b.place(spanMs);
  const attacker = b.actor({ userAgent: pick(random, TOOL_USER_AGENTS) });
  const victims = [b.account(), b.account(), b.account()];
  const first = int(random, 20_000, 900_000);
  const foreign = new Set(sampleIndices(random, ids, foreignOwned));
  spread(random, start, spanMs, ids).forEach((ts, i) => {
    b.deny(
      attacker,
      ts,
      'invoice',
      invoiceId(first + i),
      foreign.has(i) ? pick(random, victims) : null,
    );
  });
  // The attacker's own invoices, below the walked range: the scanner's "known good" control.
  const own = Array.from({ length: 3 }, () => invoiceId(first - int(random, 1_000, 15_000)));
  for (const ts of uniformTimes(random, start, spanMs, ownReads)) {
    b.read(attacker, ts, 'invoice', pick(random, own));
  }
  return b.finish(
    'attack',
    [{ rule: 'id-enumeration', subject: keySubject(attacker), severity: 'critical' }],
    silence([attacker], [attacker.client_ip], ['id-enumeration']),
  );
}

export interface IdEnumerationRandomOptions {
  /** Distinct guessed IDs. Default 110. */
  ids?: number;
  /** Default 4 minutes. */
  spanMs?: number;
  /** Default 6. */
  ownReads?: number;
}

/**
 * One key guesses `sub_{ulid}` IDs (none exist): 110 distinct in 4 minutes, plus 6 own 200s.
 * id-enumeration fires at high: ≥ 55 distinct in any 5-minute grid cell, all 110 in a sliding
 * 5-minute window, deny ratio 110/116; not sequential (no numeric part).
 */
export function idEnumerationRandom(
  ctx: ScenarioContext,
  options: IdEnumerationRandomOptions = {},
): LabelledScenario {
  const { ids = 110, spanMs = 4 * MINUTE, ownReads = 6 } = options;
  const b = new ScenarioBuilder(ctx, 'attack:id-enumeration:random');
  const random = b.random;
  const start = b.place(spanMs);
  const attacker = b.actor({ userAgent: pick(random, TOOL_USER_AGENTS) });
  for (const ts of spread(random, start, spanMs, ids)) {
    b.deny(
      attacker,
      ts,
      'subscription',
      newResourceId(random, 'subscription', attacker.env, ts),
      null,
    );
  }
  const own = b.pool(attacker).subscription;
  for (const ts of uniformTimes(random, start, spanMs, ownReads)) {
    b.read(attacker, ts, 'subscription', pick(random, own));
  }
  return b.finish(
    'attack',
    [{ rule: 'id-enumeration', subject: keySubject(attacker), severity: 'high' }],
    silence([attacker], [attacker.client_ip], ['id-enumeration']),
  );
}

export interface SlowEnumerationOptions {
  /** Distinct IDs. Default 168. */
  ids?: number;
  /** Default 50 minutes. */
  spanMs?: number;
  /** Walk `inv_{int}` upwards (critical) instead of guessing `{uuid}` documents (high). */
  sequential?: boolean;
  /** Default 10. */
  ownReads?: number;
}

/**
 * A scan kept slow to stay under the 5-minute threshold: 168 distinct IDs evenly over 50
 * minutes (about 20 in any 6 minutes, never 50), so only the 1-hour window (≥ 150) catches it.
 * Deny ratio 168/178. Guessed document UUIDs by default (high); `sequential` walks invoices.
 */
export function slowEnumeration(
  ctx: ScenarioContext,
  options: SlowEnumerationOptions = {},
): LabelledScenario {
  const { ids = 168, spanMs = 50 * MINUTE, sequential = false, ownReads = 10 } = options;
  const b = new ScenarioBuilder(
    ctx,
    `attack:id-enumeration:slow${sequential ? '-sequential' : ''}`,
  );
  const random = b.random;
  const start = b.place(spanMs);
  const attacker = b.actor({ userAgent: pick(random, TOOL_USER_AGENTS) });
  const first = int(random, 20_000, 900_000);
  spread(random, start, spanMs, ids).forEach((ts, i) => {
    if (sequential) b.deny(attacker, ts, 'invoice', invoiceId(first + i), null);
    else
      b.deny(attacker, ts, 'document', newResourceId(random, 'document', attacker.env, ts), null);
  });
  const own = b.pool(attacker);
  for (const ts of uniformTimes(random, start, spanMs, ownReads)) {
    if (sequential) b.read(attacker, ts, 'invoice', invoiceId(first - int(random, 1_000, 15_000)));
    else b.read(attacker, ts, 'document', pick(random, own.document));
  }
  return b.finish(
    'attack',
    [
      {
        rule: 'id-enumeration',
        subject: keySubject(attacker),
        severity: sequential ? 'critical' : 'high',
      },
    ],
    silence([attacker], [attacker.client_ip], ['id-enumeration']),
  );
}
