import type { ClickHouseClient } from '@denyscope/clickhouse';
import { generateReport } from '@denyscope/reports';

export type ReportFormat = 'html' | 'json' | 'md';

export interface ReportRequest {
  accountId: string;
  since: Date;
  until: Date;
}

/** The signature of @denyscope/reporter's generateReport; injectable for tests. */
export type ReportGenerator = (
  client: ClickHouseClient,
  request: ReportRequest,
  format: ReportFormat,
) => Promise<{ contentType: string; body: string }>;

export const defaultReportGenerator: ReportGenerator = generateReport;

const MEDIA_TYPES: Record<string, ReportFormat> = {
  'text/html': 'html',
  'application/json': 'json',
  'text/markdown': 'md',
};

/**
 * The format an `Accept` header prefers among html, json and markdown (by q, then by order);
 * json when it names none of them (including `*\/*` and no header at all).
 */
export function formatFromAccept(accept: string | undefined): ReportFormat {
  const ranked = (accept ?? '')
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q === undefined ? 1 : Number(q.slice(2)) || 0, index };
    })
    .filter((entry) => entry.q > 0 && MEDIA_TYPES[entry.type] !== undefined)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const best = ranked[0];
  return best === undefined ? 'json' : (MEDIA_TYPES[best.type] ?? 'json');
}
