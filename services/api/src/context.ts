import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { RedisIncidentStore } from '@denyscope/detector';
import type { ReportSlots } from './limits/report-slots.js';
import type { ApiMetrics } from './metrics.js';
import type { CachedReadiness } from './readiness.js';
import type { ReportGenerator } from './reports.js';

/** What the route handlers use; built once by buildApi. */
export interface ApiContext {
  clickhouse: ClickHouseClient;
  mutes: RedisIncidentStore;
  readiness: CachedReadiness;
  generateReport: ReportGenerator;
  reportSlots: ReportSlots;
  metrics: ApiMetrics;
}
