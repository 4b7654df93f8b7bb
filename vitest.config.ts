import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const E2E = 'test/e2e/**/*.test.ts';

/**
 * The in-process test files that touch global state: SDK client mocks (aws-sdk-client-mock patches the
 * clients' prototypes), vi.mock/spyOn/stub, fake timers, process.env or process handlers. They run
 * isolated, each in a fresh module graph. Every other in-process file is plain functions on plain data
 * and shares its worker's modules with the files before it (importing the SDK and the matchers again for
 * each of them cost more than their tests). Read from the files themselves, so a new test that mocks
 * is isolated without anyone listing it.
 */
const GLOBAL_STATE = /mockClient|aws-sdk-client-mock|vi\.(mock|spyOn|stub|useFakeTimers|doMock)|process\.(env|on|exitCode|once)\b/;
const inProcess = (readdirSync('test', { recursive: true }) as string[])
  .map((f) => join('test', f))
  .filter((f) => f.endsWith('.test.ts') && !f.startsWith(join('test', 'e2e')));
const touchesGlobals = inProcess.filter((f) => GLOBAL_STATE.test(readFileSync(f, 'utf8')));
const plain = inProcess.filter((f) => !touchesGlobals.includes(f));

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
    setupFiles: ['test/support/setup-env.ts'],
    globalSetup: ['test/support/global-tmp.ts'],
    projects: [
      // The end-to-end files share one moto per worker (test/support/moto.ts workerMoto): they run
      // without isolation, one after another in the same worker process, which keeps its moto and its
      // loaded modules. They touch no global state (no mocks, no process.env), so nothing leaks from
      // one file to the next; moto is reset before each file and each test.
      { extends: true, test: { name: 'e2e', include: [E2E], isolate: false } },
      // vitest queues projects by name, so the e2e files (the long ones) start first and these fill the gaps.
      {
        extends: true,
        test: {
          name: 'in-process',
          include: touchesGlobals,
          exclude: [...configDefaults.exclude, E2E],
          setupFiles: ['test/support/setup-matchers.ts'],
        },
      },
      { extends: true, test: { name: 'in-process-plain', include: plain, exclude: [...configDefaults.exclude, E2E], isolate: false } },
    ],
  },
});
