// Builds bench/bench.ts (with the test support it shares) into .tmp and runs it: `npm run bench`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

await build({
  entryPoints: ['bench/bench.ts'],
  outfile: '.tmp/bench.mjs',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['.tmp/bench.mjs'], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
