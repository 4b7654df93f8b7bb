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
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup-matchers.ts'],
  },
});
