// @denyscope/reporter: the service that writes each customer's report on a schedule (BullMQ
// repeatable jobs). Reports themselves are built by @denyscope/reports.
export {
  runReporter,
  scheduledAt,
  writePeriodReports,
  accountsWithDenials,
  REPORTS_QUEUE,
  type WrittenReports,
} from './run-reporter.js';
export { reporterSection, type ReportFileFormat, type ReporterConfig } from './config.js';
