import { defineConfig } from 'vitest/config';

// Two projects: fast pure tests that run anywhere, and integration tests against the real
// Postgres, Kafka and Temporal (started by infra/test.sh). Integration files share brokers and
// databases, so they run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/**/src/**/*.test.ts', 'packages/**/test/**/*.test.ts', 'services/**/src/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['services/**/test/**/*.int.test.ts', 'packages/**/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          // Liveness bounds, not speed checks: the machine is shared, and a system test's checks workflow (Temporal,
          // vendor sandboxes, several processes) can take a minute when it is busy. A hung test still fails.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
