import { z } from 'zod';

// Options of the reporter, one environment variable each. A bad value must name the variable and
// what was expected (zod messages, as in env-schema.ts). Documented in README.md.
export const reporterEnv = {
  REPORTS_DIR: z.string().min(1).default('reports'),
  REPORT_SCHEDULE: z.enum(['off', 'daily', 'weekly']).default('off'),
} satisfies Record<string, z.ZodType>;

type ReporterEnv = z.output<z.ZodObject<typeof reporterEnv>>;

export interface ReporterConfig {
  /** Where scheduled reports are written. */
  dir: string;
  schedule: 'off' | 'daily' | 'weekly';
}

export function reporterSection(parsed: ReporterEnv): ReporterConfig {
  return { dir: parsed.REPORTS_DIR, schedule: parsed.REPORT_SCHEDULE };
}
