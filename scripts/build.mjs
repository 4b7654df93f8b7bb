// Bundles src/main.ts into dist/ with one chunk per lazily imported AWS client, so that
// `meshctl --help` and an offline dry-run load no AWS SDK code at all.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Some bundled CommonJS packages call require() for Node built-ins.
  banner: { js: "import { createRequire as __meshctlCreateRequire } from 'node:module'; const require = __meshctlCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
