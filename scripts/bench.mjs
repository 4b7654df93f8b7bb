// Builds bench/bench.ts (with the test support it shares) into .tmp and runs it: `npm run bench`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';

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
// The sandbox's moto start-up looks for its launcher beside the bundle, as it does beside dist/main.js.
copyFileSync('src/sandbox/moto_launcher.py', '.tmp/moto_launcher.py');
const r = spawnSync(process.execPath, ['.tmp/bench.mjs'], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
