import { defineConfig } from 'vitest/config';
import { CHAOS_ENDPOINTS, CHAOS_STACK_SETTINGS } from './tests/chaos/support/stack-settings.js';

// Three projects, one command (`vitest run` runs them all): unit tests need no services;
// integration tests talk to the real local stack (`npm run stack:up`) and run one file at a time,
// because some of them stop and restart shared parts of the stack; chaos scenarios
// (docs/chaos.md) start a private stack on other ports and kill, stop and flood it.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'bench/**/*.test.ts',
            'eval/**/*.test.ts',
            // Not **: the fixture repos under tests/boundaries/fixtures/ hold planted *.test.ts.
            'tests/boundaries/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/*.cluster.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'int',
          include: [
            'packages/*/test/**/*.int.test.ts',
            'services/*/test/**/*.int.test.ts',
            // Tests across several packages (dashboards over the pipeline's tables).
            'tests/integration/**/*.int.test.ts',
            'eval/**/*.int.test.ts',
          ],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'secure',
          include: ['tests/secure/**/*.secure.test.ts'],
          // Starts the secured stack (infra/stack/secure.sh, .stack-secure/) and provides its
          // settings to the files (inject('secureEnv')).
          globalSetup: ['tests/secure/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['tests/chaos/**/*.chaos.test.ts'],
          // Starts the private stack (.stack-chaos/) first and stops it at the end.
          globalSetup: ['tests/chaos/support/global-setup.ts'],
          // Anything that reads the stack's settings from the environment (the testkit's
          // stackEnv and stack()) reaches the private stack, never the shared one.
          env: { ...CHAOS_STACK_SETTINGS, ...CHAOS_ENDPOINTS },
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
