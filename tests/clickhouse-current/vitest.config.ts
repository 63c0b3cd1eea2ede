import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// `npm run test:clickhouse-current` runs this (run.mjs starts ClickHouse 26.x and points
// CLICKHOUSE_URL at it; vitest alone would reach the local 18.16 instead).
//
// Besides this folder's tests, the integration tests that need nothing but ClickHouse run here
// unchanged, so every query of the project runs on 26.x with the same assertions as on 18.16:
// migrations (concurrent, idempotent) and retention, TabSeparated and quoted literals with hostile
// strings, query limits, every Grafana panel and variable, every runbook query, every rule over
// the labelled attack and benign scenarios, the reports and the API (which also uses Redis).
const SHARED_INT_TESTS = [
  'packages/clickhouse/test/clickhouse.int.test.ts',
  'packages/clickhouse/test/bind.int.test.ts',
  'packages/clickhouse/test/query-limits.int.test.ts',
  'tests/integration/grafana-dashboards.int.test.ts',
  'packages/clickhouse/test/runbook-sql.int.test.ts',
  'services/detector/test/rules-on-scenarios.int.test.ts',
  'services/detector/test/long-key-lists.int.test.ts',
  'services/detector/test/known-ids.int.test.ts',
  'services/detector/test/watermark.int.test.ts',
  'services/detector/test/replay-compare.int.test.ts',
  'packages/intake/test/columns.int.test.ts',
  'services/reporter/test/report.int.test.ts',
  'packages/reports/test/causes.int.test.ts',
  'packages/reports/test/known-ids.int.test.ts',
  'services/reporter/test/blank-account.int.test.ts',
  'packages/reports/test/long-key-lists.int.test.ts',
  'services/api/test/api.int.test.ts',
  'services/api/test/api-defence.int.test.ts',
];

// A moved or renamed file would otherwise drop out of this run without a word.
const missing = SHARED_INT_TESTS.filter((file) => !existsSync(file));
if (missing.length > 0) {
  throw new Error(`tests/clickhouse-current: listed tests not found: ${missing.join(', ')}`);
}

export default defineConfig({
  test: {
    name: 'clickhouse-current',
    include: ['tests/clickhouse-current/**/*.test.ts', ...SHARED_INT_TESTS],
    // One engine in one process serves every request in turn; files in parallel gain nothing.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
