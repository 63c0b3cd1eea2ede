import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: tests against the two-node ClickHouse cluster of infra/stack/cluster.sh
// (ZooKeeper + two ClickHouse servers; the npm script starts and stops it). Not part of `npm test`.
export default defineConfig({
  test: {
    name: 'cluster',
    include: [
      'packages/*/test/**/*.cluster.test.ts',
      'services/*/test/**/*.cluster.test.ts',
      'tests/cluster/**/*.cluster.test.ts',
    ],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
