// esbuild's options for dist/, shared by scripts/build.mjs and test/e2e/package.test.ts (which builds
// them again with a metafile to list every import dist makes at run time).
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

/**
 * Everything is bundled: the package has no runtime dependencies. No source maps and no minifying, so
 * a `--verbose` stack trace names meshctl's own functions at readable lines of dist/, each module
 * headed by its `// src/...` path (minified code with linked maps made the package 8 MB bigger, and
 * Node only reads maps with --enable-source-maps).
 */
export function buildOptions(version) {
  return {
    // sandbox-scheduler: the ECS scheduler stand-in `meshctl sandbox up` starts as a detached process.
    entryPoints: { main: 'src/main.ts', 'sandbox-scheduler': 'src/sandbox/scheduler-main.ts' },
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // The packages' ES module builds (the AWS SDK ships both): no CommonJS wrappers to run at start-up and
    // unused exports left out. dist/ is 40% smaller and a command starts with about a fifth less CPU.
    mainFields: ['module', 'main'],
    target: 'node20',
    sourcemap: false,
    minify: false,
    // --verbose stack traces (and MeshctlError.name) read InputError and readJsonFile, whatever esbuild renames.
    keepNames: true,
    // Some bundled CommonJS packages call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __meshctlCreateRequire } from 'node:module'; const require = __meshctlCreateRequire(import.meta.url);",
    },
    define: { __MESHCTL_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
    plugins: [stubChildProcessForCommander],
  };
}
