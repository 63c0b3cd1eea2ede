// @denyscope/reports: per-customer misconfiguration reports of `403 ownership_denied` answers —
// building (ClickHouse queries), rendering (JSON, Markdown, HTML) and writing report files.
// The reporter service (scheduled reports), the HTTP API and the CLI all build reports here.
export { buildReport, type BuildOptions, type ReportRequest } from './build-report.js';
export {
  renderReport,
  generateReport,
  isReportFormat,
  REPORT_FORMATS,
  type ReportFormat,
  type RenderedReport,
} from './render.js';
export {
  reportSchema,
  REPORT_VERSION,
  type Report,
  type KeySection,
  type KeyCause,
  type CauseCounts,
} from './report-schema.js';
export {
  CAUSES,
  classifyDenial,
  type Cause,
  type DenialFacts,
  type FlaggedKeys,
} from './causes.js';
export { CAUSE_TEXT, describeCause, type CauseText } from './cause-text.js';
export { ReporterError, InvalidReportRequestError } from './errors.js';
export { completedPeriod, SCHEDULE_PATTERNS, type SchedulePeriod } from './period.js';
export { accountDirName, ensureDir, reportPath, writeFileAtomic } from './report-files.js';
export { DEFAULT_SCAN_THRESHOLDS, type ScanThresholds } from './queries.js';
