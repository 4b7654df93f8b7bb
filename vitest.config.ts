import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const E2E = 'test/e2e/**/*.test.ts';

/**
 * The in-process test files, told apart by reading them (a new file lands in the right group without anyone
 * listing it):
 * - those that patch globals vitest cannot put back between files (vi.mock/spyOn/stub, fake timers, the working folder,
 *   process.env, useProcessEnv, or process handlers) run isolated, each in a fresh module graph;
 * - those that mock SDK clients (aws-sdk-client-mock stubs the client class's send, and mockClient on a
 *   stubbed class restores it first, so each file starts from its own mocks) share their worker's modules,
 *   with the matchers (test/support/setup-mocks.ts puts every client back after each file): importing the SDK again for each of them cost more than their tests;
 * - every other one is plain functions on plain data and shares its worker's modules too.
 */
const ISOLATED = /vi\.(mock|spyOn|stub|useFakeTimers|doMock)|process\.(env|on|exitCode|once|chdir)\b|useProcessEnv/;
const MOCKS = /mockClient|aws-sdk-client-mock/;
const inProcess = (readdirSync('test', { recursive: true }) as string[])
  .map((f) => join('test', f))
  .filter((f) => f.endsWith('.test.ts') && !f.startsWith(join('test', 'e2e')));
const groupOf = (text: string) => (ISOLATED.test(text) ? 'isolated' : MOCKS.test(text) ? 'mocking' : 'plain');
const group = new Map(inProcess.map((f) => [f, groupOf(readFileSync(f, 'utf8'))]));
const filesOf = (name: ReturnType<typeof groupOf>) => inProcess.filter((f) => group.get(f) === name);
const inProcessProject = (name: string, include: string[], options: { isolate: boolean; setup?: string }) => ({
  extends: true as const,
  test: {
    name,
    include,
    exclude: [...configDefaults.exclude, E2E],
    isolate: options.isolate,
    ...(options.setup ? { setupFiles: [options.setup] } : {}),
  },
});

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
      inProcessProject('in-process', filesOf('isolated'), { isolate: true, setup: 'test/support/setup-matchers.ts' }),
      inProcessProject('in-process-mocks', filesOf('mocking'), { isolate: false, setup: 'test/support/setup-mocks.ts' }),
      inProcessProject('in-process-plain', filesOf('plain'), { isolate: false }),
    ],
  },
});
