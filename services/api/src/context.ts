import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { RedisIncidentStore } from '@denyscope/detector';
import type { ApiMetrics } from './metrics.js';
import type { ReadinessCheck } from './readiness.js';
import type { ReportGenerator } from './reports.js';

/** What the route handlers use; built once by buildApi. */
export interface ApiContext {
  clickhouse: ClickHouseClient;
  mutes: RedisIncidentStore;
  readiness: readonly ReadinessCheck[];
  generateReport: ReportGenerator;
  metrics: ApiMetrics;
}
