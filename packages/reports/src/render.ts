import type { ClickHouseClient } from '@denyscope/clickhouse';
import { buildReport, type BuildOptions, type ReportRequest } from './build-report.js';
import type { Report } from './report-schema.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';

export type ReportFormat = 'html' | 'json' | 'md';

export const REPORT_FORMATS = ['html', 'json', 'md'] as const satisfies readonly ReportFormat[];

export interface RenderedReport {
  contentType: string;
  body: string;
}

const RENDERERS: Record<ReportFormat, { contentType: string; render: (r: Report) => string }> = {
  html: { contentType: 'text/html; charset=utf-8', render: renderHtml },
  json: {
    contentType: 'application/json; charset=utf-8',
    // `<` as \u003c: still the same JSON, and safe if someone inlines it in a <script> block.
    render: (report) => `${JSON.stringify(report, null, 2).replace(/</g, '\\u003c')}\n`,
  },
  md: { contentType: 'text/markdown; charset=utf-8', render: renderMarkdown },
};

export function isReportFormat(value: string): value is ReportFormat {
  return Object.hasOwn(RENDERERS, value);
}

export function renderReport(report: Report, format: ReportFormat): RenderedReport {
  const renderer = RENDERERS[format];
  return { contentType: renderer.contentType, body: renderer.render(report) };
}

export async function generateReport(
  client: ClickHouseClient,
  request: ReportRequest,
  format: ReportFormat,
  options: BuildOptions = {},
): Promise<RenderedReport> {
  return renderReport(await buildReport(client, request, options), format);
}
