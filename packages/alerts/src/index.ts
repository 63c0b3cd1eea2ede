export {
  alertSchema,
  alertNotificationSchema,
  notificationJobId,
  NOTIFICATION_TRANSITIONS,
  TRANSITIONS,
  type Alert,
  type AlertNotification,
  type AlertStatus,
  type NotificationTransition,
  type Transition,
} from './alert.js';
export {
  OPERATIONAL_RULE_IDS,
  PAGING_RULE_IDS,
  RULE_IDS,
  runbookPath,
  type RuleId,
  type RunbookPath,
} from './rule-ids.js';
export {
  RULE_SUBJECT_KINDS,
  rulesOfKind,
  SUBJECT_FIELDS,
  type RuleSubjectKind,
  type SubjectKind,
} from './subject-kinds.js';
export { SEVERITIES, severityRank, isAtLeast, type Severity } from './severity.js';
export { JOB_RETENTION, QUEUES } from './queues.js';
export {
  escapeHtml,
  escapeMarkdown,
  escapeSlack,
  escapeTerminal,
  HOSTILE_CORPUS,
  plainText,
  plainTextDeep,
  slackCode,
  truncate,
  truncateSlack,
} from './escape/index.js';
