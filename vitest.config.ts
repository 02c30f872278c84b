import { defineConfig } from 'vitest/config';

// Five projects, one per kind of test (README, "Tests"). `npm test` runs them all;
// `npm run test:unit` runs only the unit project, which starts no child process and needs no
// browser, so a newcomer has an answer in seconds.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Pure code and in-process fakes, so the files of a worker can share one module graph:
          // loading it again for every file was more than half of this project's CPU time. The
          // price: a unit test restores what it patches (mockClient(...).restore() in afterAll).
          pool: 'forks',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          // Real servers (dynalite, SES, SMTP, HTTP) on free ports and child processes; forks keep
          // each file's servers and children in its own process.
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // Each file launches one Chromium; forks keep it, and its shutdown, to that file.
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // CDK synthesis bundles the Lambdas with esbuild and runs infra/app.ts in a child.
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          pool: 'forks',
        },
      },
    ],
  },
});
