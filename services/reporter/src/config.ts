import { commaSeparated, defineSection, int } from '@denyscope/config';
import { z } from 'zod';

// The reporter's configuration section (REPORT*), loaded with the shared one by loadConfig (the
// CLI composes every service's). A bad value must name the variable and what was expected (zod
// messages). Documented in README.md and docs/reports.md.

const FORMATS = ['html', 'json', 'md'] as const;
export type ReportFileFormat = (typeof FORMATS)[number];

const reporterVariables = {
  REPORTS_DIR: z.string().min(1).default('reports'),
  REPORT_SCHEDULE: z.enum(['off', 'daily', 'weekly']).default('off'),
  // Unset: every account with denials in the period.
  REPORT_ACCOUNTS: commaSeparated
    .refine((items) => items.length > 0, {
      message: 'expected a comma-separated, non-empty list of account IDs',
    })
    .refine((items) => items.every((item) => item.length <= 256), {
      message: 'expected account IDs of at most 256 characters',
    })
    .optional(),
  REPORT_FORMATS: commaSeparated
    .refine(
      (items) =>
        items.length > 0 && items.every((item) => (FORMATS as readonly string[]).includes(item)),
      { message: `expected a comma-separated list of ${FORMATS.join(', ')}` },
    )
    .transform((items) => [...new Set(items)] as ReportFileFormat[])
    .default([...FORMATS]),
  REPORT_SCAN_MIN_IDS_PER_HOUR: int(1, 1_000_000).default(150),
} satisfies Record<string, z.ZodType>;

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

export const reporterSection = defineSection({
  variables: reporterVariables,
  build: (parsed): ReporterConfig => ({
    dir: parsed.REPORTS_DIR,
    schedule: parsed.REPORT_SCHEDULE,
    accounts: parsed.REPORT_ACCOUNTS,
    formats: parsed.REPORT_FORMATS,
    scanMinIdsPerHour: parsed.REPORT_SCAN_MIN_IDS_PER_HOUR,
  }),
});
