import { SEVERITIES, type Severity } from '@denyscope/alerts';
import { z } from 'zod';

/** The base severity of a rule's findings; rules may raise it (e.g. to critical) on evidence. */
export function severitySetting(defaultSeverity: Severity) {
  return z.enum(SEVERITIES).default(defaultSeverity);
}

export const windowMinutes = (defaultMinutes: number) =>
  z.number().int().min(1).max(1440).default(defaultMinutes);

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
