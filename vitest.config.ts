import { readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const E2E = 'test/e2e/**/*.test.ts';

export default defineConfig({
  // The version main.ts prints, as scripts/build.mjs puts it in: from package.json.
  define: { __MESHCTL_VERSION__: JSON.stringify(version) },
  test: {
    testTimeout: 30_000,
    // vitest's default is one worker per core less one: on a 2-core CI machine a single worker, which
    // runs the e2e files one after another while each mostly waits on moto and its CLI subprocesses.
    // MESHCTL_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.MESHCTL_TEST_WORKERS) || 3,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup-matchers.ts'],
    projects: [
      // The end-to-end files share one moto per worker (test/support/moto.ts workerMoto): they run
      // without isolation, one after another in the same worker process, which keeps its moto and its
      // loaded modules. They touch no global state (no mocks, no process.env), so nothing leaks from
      // one file to the next; moto is reset before each file and each test.
      { extends: true, test: { name: 'e2e', include: [E2E], isolate: false } },
      // Everything else runs isolated, as mocks of SDK clients (aws-sdk-client-mock) are global. vitest
      // queues projects by name, so the e2e files (the long ones) start first and these fill the gaps.
      { extends: true, test: { name: 'in-process', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, E2E] } },
    ],
  },
});
