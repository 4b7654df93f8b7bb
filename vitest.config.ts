import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  // The version main.ts prints, as scripts/build.mjs puts it in: from package.json.
  define: { __MESHCTL_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // e2e files start their own moto server; give each room.
    testTimeout: 30_000,
    // vitest's default is one worker per core less one: on a 2-core CI machine a single worker, which
    // runs the e2e files one after another while each mostly waits on its moto and its CLI subprocesses.
    // Two at a time keep both cores busy (one used about 0.8 of a core); every e2e file has its own
    // moto on its own port. MESHCTL_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.MESHCTL_TEST_WORKERS) || 2,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup-matchers.ts'],
  },
});
