import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take a minute or more, started first. vitest orders by the durations it cached
 * in node_modules (none on CI, which installs afresh) and otherwise by file size and project
 * name, which put the 67-line crash test last: the suite then ended with one core running it
 * alone for over a minute. Ordered by one full run's durations (the simulation ~55 s, crash and
 * the studio's Chromium walk ~28 s each).
 */
const LONGEST_FIRST = ['test/e2e/simulate.test.ts', 'test/integration/app/crash.test.ts', 'test/browser/studio/studio.test.ts', 'test/infra/config.test.ts'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(relative(f.project.config.root, f.moduleId).replaceAll('\\', '/'));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: everything else keeps vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

// Five projects, one per kind of test (README, "Tests"). `npm test` runs them all;
// `npm run test:unit` runs only the unit project, which starts no server in a child process, no
// CLI and no browser, so a newcomer has an answer in seconds.
export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the cores: on a two-core machine, one file at a
    // time. Most of the suite's time is spent waiting on servers, child processes and Chromium,
    // so a worker per core keeps both cores busy.
    maxWorkers: availableParallelism(),
    // Integration tests start real servers (dynalite, SES, SMTP, HTTP) on free ports; forks keep
    // each file's servers, child processes and browser in its own process.
    pool: 'forks',
    // A young generation of 32 MB (Node 20's default is 16): the workers allocate fast and briefly
    // (the AWS SDK's requests and dynalite's answers, mail parsed and composed), so a scavenge
    // every 16 MB was most of their GC. Measured on the integration project, one run each: GC
    // pauses 1,141 → 594 and 32.2 → 19.8 s of pause, the files' CPU 137 → 131 s.
    execArgv: ['--max-semi-space-size=32'],
    sequence: { sequencer: LongestFirst },
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
          isolate: false,
        },
      },
      // Real local servers (the Lambda handlers against dynalite among them), the CLI and python3 in
      // child processes, fuzzing against dynalite.
      {
        extends: true,
        // The CLI tests run cli/baton.js, which runs the compiled cli/dist only when it is fresh:
        // rebuilt here once when a source is newer (test/support/fresh-cli.ts).
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          globalSetup: ['test/support/fresh-cli.ts'],
          // The files of a worker share one process and module graph: each file loading the AWS
          // SDK, dynalite, aws-ses-v2-local and Baton again was most of this project's CPU time.
          // test/support/file-leaks.ts fails a file that leaves anything behind for the next.
          isolate: false,
          setupFiles: ['test/support/file-leaks.ts'],
        },
      },
      // Headless Chromium (Debian's): emails and link pages as people see them.
      // Shared by a worker's files as in integration (they start the same local stack and Chromium
      // code), with the same check that a file leaves nothing behind.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], isolate: false, setupFiles: ['test/support/file-leaks.ts'] } },
      // The CDK stacks synthesized, IAM simulated, the Lambdas bundled with esbuild (one synth of the
      // app for the project, cached: test/support/app-synth.ts). Shared by a worker's files as in
      // integration: three of them load aws-cdk-lib and cdk-nag, which took a second or more each time.
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], isolate: false, setupFiles: ['test/support/file-leaks.ts'] } },
      // The example series played end to end on a virtual clock.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
