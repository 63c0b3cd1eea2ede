import { SEVERITIES, type Severity } from '@denyscope/alerts';
import { DURATION_MESSAGE, parseDuration } from '@denyscope/events';
import { z } from 'zod';

/** The base severity of a rule's findings; rules may raise it (e.g. to critical) on evidence. */
export function severitySetting(defaultSeverity: Severity) {
  return z.enum(SEVERITIES).default(defaultSeverity);
}

const MINUTE_MS = 60_000;
const MAX_WINDOW_MINUTES = 1440;

/**
 * A window length in whole minutes, from 1 to 24 h: a number of minutes (`15`, as always) or a
 * duration in the shared grammar (`5m`, `2h`, `90000ms`; @denyscope/events). The rules file also
 * accepts it as `window` (rule-settings.ts).
 */
export const windowMinutes = (defaultMinutes: number) =>
  z
    .union([z.number(), z.string()], {
      message: `expected a number of minutes or a duration: ${DURATION_MESSAGE}`,
    })
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      try {
        const ms = parseDuration(value, {
          minMs: MINUTE_MS,
          minText: '1m',
          maxMs: MAX_WINDOW_MINUTES * MINUTE_MS,
          maxText: '24h',
        });
        if (ms % MINUTE_MS === 0) return ms / MINUTE_MS;
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: 'expected whole minutes, e.g. 5m or 2h',
        });
      } catch (error) {
        ctx.issues.push({ code: 'custom', input: value, message: (error as Error).message });
      }
      return z.NEVER;
    })
    .pipe(z.number().int().min(1).max(MAX_WINDOW_MINUTES))
    .default(defaultMinutes);

/**
 * Which API routes (the templated `route` of the events) a rule looks at: all by default;
 * `include` restricts it to those, `exclude` leaves those out (e.g. a search endpoint that takes
 * IDs by design). Events without a route have route ''.
 */
export const routesSetting = z
  .object({
    include: z.array(z.string()).default([]),
    exclude: z.array(z.string()).default([]),
  })
  .strict()
  .default({ include: [], exclude: [] });

export type RoutesSetting = z.infer<typeof routesSetting>;

/**
 * The settings every security rule has: on or off, the routes it looks at, its base severity.
 * Spread into the rule's own `z.object({ ...ruleBasics('high'), … }).strict()`.
 */
export function ruleBasics(defaultSeverity: Severity) {
  return {
    enabled: z.boolean().default(true),
    routes: routesSetting,
    severity: severitySetting(defaultSeverity),
  };
}
