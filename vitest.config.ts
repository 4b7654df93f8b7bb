import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e files start their own moto server; give each room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup-matchers.ts'],
  },
});
