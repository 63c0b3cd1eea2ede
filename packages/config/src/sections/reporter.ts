import { z } from 'zod';

// Options of the reporter, one environment variable each. A bad value must name the variable and
// what was expected (zod messages, as in env-schema.ts). Documented in README.md and
// docs/reports.md.

const FORMATS = ['html', 'json', 'md'] as const;
export type ReportFileFormat = (typeof FORMATS)[number];

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

export const reporterEnv = {
  REPORTS_DIR: z.string().min(1).default('reports'),
  REPORT_SCHEDULE: z.enum(['off', 'daily', 'weekly']).default('off'),
  // Unset: every account with denials in the period.
  REPORT_ACCOUNTS: commaList
    .refine((items) => items.length > 0, {
      message: 'expected a comma-separated, non-empty list of account IDs',
    })
    .refine((items) => items.every((item) => item.length <= 256), {
      message: 'expected account IDs of at most 256 characters',
    })
    .optional(),
  REPORT_FORMATS: commaList
    .refine(
      (items) =>
        items.length > 0 && items.every((item) => (FORMATS as readonly string[]).includes(item)),
      { message: `expected a comma-separated list of ${FORMATS.join(', ')}` },
    )
    .transform((items) => [...new Set(items)] as ReportFileFormat[])
    .default([...FORMATS]),
  REPORT_SCAN_MIN_IDS_PER_HOUR: z
    .string()
    .regex(/^\d+$/, { message: 'expected a whole number from 1 to 1000000' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(1_000_000))
    .default(150),
} satisfies Record<string, z.ZodType>;

type ReporterEnv = z.output<z.ZodObject<typeof reporterEnv>>;

export interface ReporterConfig {
  /** Where scheduled reports are written. */
  dir: string;
  schedule: 'off' | 'daily' | 'weekly';
  /** Accounts that get scheduled reports; undefined means every account with denials. */
  accounts: string[] | undefined;
  /** Files written per scheduled report. */
  formats: ReportFileFormat[];
  /** Distinct denied IDs of a key within one hour (80 % missing) that classify it as scanning. */
  scanMinIdsPerHour: number;
}

export function reporterSection(parsed: ReporterEnv): ReporterConfig {
  return {
    dir: parsed.REPORTS_DIR,
    schedule: parsed.REPORT_SCHEDULE,
    accounts: parsed.REPORT_ACCOUNTS,
    formats: parsed.REPORT_FORMATS,
    scanMinIdsPerHour: parsed.REPORT_SCAN_MIN_IDS_PER_HOUR,
  };
}
