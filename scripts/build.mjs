// Bundles src/main.ts into dist/, one chunk per lazily imported command and AWS client, so that
// `meshctl --help` and an offline dry-run load no AWS SDK code at all.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** commander's require('node:child_process') gets a stub: see scripts/stubs/child-process.cjs. */
const stubChildProcessForCommander = {
  name: 'stub-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer)
        ? { path: fileURLToPath(new URL('./stubs/child-process.cjs', import.meta.url)) }
        : undefined,
    );
  },
};

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  // sandbox-scheduler: the ECS scheduler stand-in `meshctl sandbox up` starts as a detached process.
  entryPoints: { main: 'src/main.ts', 'sandbox-scheduler': 'src/sandbox/scheduler-main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  // --verbose stack traces (and MeshctlError.name) read InputError and readJsonFile, not minified names.
  keepNames: true,
  // Some bundled CommonJS packages call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __meshctlCreateRequire } from 'node:module'; const require = __meshctlCreateRequire(import.meta.url);",
  },
  define: { __MESHCTL_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
  plugins: [stubChildProcessForCommander],
});
// `meshctl sandbox up` starts moto through this launcher, found beside the bundle.
copyFileSync('src/sandbox/moto_launcher.py', 'dist/moto_launcher.py');

// bin/meshctl.js answers `--help`, `--version` and `<command> --help` from this file without loading
// the program: generated here from the program itself, so it says exactly what commander would.
const run = (...args) => execFileSync(process.execPath, ['bin/meshctl.js', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
const top = run('--help');
const commands = [...top.slice(top.indexOf('Commands:')).matchAll(/^ {2}([a-z][a-z-]+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
const help = { '': top };
for (const c of commands) help[c] = run(c, '--help');
writeFileSync('dist/help.json', JSON.stringify({ version, help }));
