import type { AlertNotification } from '@denyscope/alerts';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { RedisIncidentStore } from '@denyscope/incidents';
import type { Queue } from 'bullmq';
import type { ReportSlots } from './limits/report-slots.js';
import type { ApiMetrics } from './metrics.js';
import type { CachedReadiness } from './readiness.js';
import type { ReportGenerator } from './reports.js';

/** What the route handlers use; built once by buildApi. */
export interface ApiContext {
  clickhouse: ClickHouseClient;
  /** Mutes, and the incident state an acknowledgement is passed on for. */
  mutes: RedisIncidentStore;
  /**
   * Where an acknowledgement of a firing incident goes (the notifier tells PagerDuty). Made on
   * first use: most API processes never acknowledge anything.
   */
  alertsQueue(): Queue<AlertNotification>;
  readiness: CachedReadiness;
  generateReport: ReportGenerator;
  reportSlots: ReportSlots;
  metrics: ApiMetrics;
}
