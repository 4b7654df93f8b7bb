import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOptions } from '../../scripts/build-options.mjs';
import { projectRoot } from '../support/paths.js';

const root = projectRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies?: Record<string, string>;
  files: string[];
};
const dependencies = Object.keys(pkg.dependencies ?? {});

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

/** `npm pack --json`: what the package holds (scripts off: the build is the one on disk, as the e2e tests use it). */
function npmPack(...args: string[]): Packed {
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (JSON.parse(out) as Packed[])[0]!;
}

/** One `npm pack` for the file: its report lists what the tarball holds, which the last block unpacks. */
const packDir = mkdtempSync(join(tmpdir(), 'meshctl-pack-'));
let packedOnce: Packed | undefined;
const packed = () => (packedOnce ??= npmPack('--pack-destination', packDir));

describe('npm pack', () => {
  let paths: string[];
  beforeAll(() => {
    paths = packed().files.map((f) => f.path);
  });

  it('holds bin, dist, LICENSE, README.md and package.json, and nothing else', () => {
    for (const p of paths) expect(p).toMatch(/^(bin\/[^/]+\.js|dist\/[^/]+|LICENSE|README\.md|package\.json)$/);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'bin/meshctl.js', 'dist/main.js']));
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it('has no source map, source or test', () => {
    expect(paths.filter((p) => p.endsWith('.map') || /^(src|test|scripts|bench|schemas|examples)\//.test(p))).toEqual([]);
    for (const f of paths.filter((p) => p.endsWith('.js')))
      expect(readFileSync(join(root, f), 'utf8'), f).not.toContain('sourceMappingURL');
  });

  it('has all of dist: the bundle, the help cache, the sandbox scheduler and the moto launcher', () => {
    expect(paths.filter((p) => p.startsWith('dist/')).sort()).toEqual(
      readdirSync(join(root, 'dist'))
        .map((f) => `dist/${f}`)
        .sort(),
    );
    expect(paths).toEqual(expect.arrayContaining(['dist/help.json', 'dist/sandbox-scheduler.js', 'dist/moto_launcher.py']));
  });

  it('is small: everything is bundled once, no maps (under 2 MB packed)', () => {
    expect(packed().size).toBeLessThan(2_000_000);
  });
});

describe('what dist imports at run time', () => {
  // The same build as scripts/build.mjs, with esbuild's metafile: every import each output file makes,
  // require() calls of bundled CommonJS code included, which no text search of dist/ finds reliably.
  let outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
  beforeAll(async () => {
    const r = await build({ ...buildOptions(pkg.version), absWorkingDir: root, write: false, metafile: true, logLevel: 'silent' });
    outputs = r.metafile.outputs;
  });

  it('is this build (rebuild with npm run build when src changed)', () => {
    const built = Object.keys(outputs).map((f) => f.replace(/^dist\//, ''));
    const onDisk = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js'));
    expect(built.sort()).toEqual(onDisk.sort());
  });

  // V8 keeps a source with one character past ASCII as two bytes a character, and scans it slower: each run
  // of meshctl compiles what it loads, so dist/ holds ASCII only (esbuild escapes strings, not regexes or comments).
  it('is ASCII only', () => {
    const wide = readdirSync(join(root, 'dist'))
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /[\u0080-\uffff]/.test(readFileSync(join(root, 'dist', f), 'utf8')));
    expect(wide).toEqual([]);
  });

  it('is a Node built-in or a package.json dependency, nothing else', () => {
    const external = [...new Set(Object.values(outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)))];
    expect(external).toContain('node:fs');
    const bare = external.filter((p) => !isBuiltin(p));
    expect(bare.filter((p) => !dependencies.some((d) => p === d || p.startsWith(`${d}/`)))).toEqual([]);
  });
});

describe('the packed tarball, unpacked where no node_modules is', () => {
  let bin = '';
  beforeAll(() => {
    const dir = packDir;
    execFileSync('tar', ['xzf', join(dir, packed().filename), '-C', dir]);
    const unpacked = join(dir, 'package');
    // Only `dependencies` get installed for a user: link those (none today) and nothing more.
    for (const d of dependencies) {
      mkdirSync(dirname(join(unpacked, 'node_modules', d)), { recursive: true });
      symlinkSync(join(root, 'node_modules', d), join(unpacked, 'node_modules', d));
    }
    // No node_modules above it that holds a package (or this would prove nothing); tools' caches
    // (/node_modules/.vite) are no package.
    for (let up = dir; dirname(up) !== up; up = dirname(up)) {
      const nm = join(dirname(up), 'node_modules');
      expect(existsSync(nm) ? readdirSync(nm).filter((f) => !f.startsWith('.')) : [], nm).toEqual([]);
    }
    bin = join(unpacked, 'bin/meshctl.js');
  });

  const run = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env.PATH, CI: 'true' } });

  it('--version, and an offline dry-run from a file', () => {
    expect(run(['--version']).stdout).toBe(`${pkg.version}\n`);
    const r = run(['add-envoy', '--from-file', join(root, 'test/fixtures/crystal-describe.json'), '--dry-run', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'dry-run', family: expect.any(String) });
  });

  it('loads an AWS client: a call to a refused endpoint is an AWS error (exit 3), not a missing module', () => {
    const r = spawnSync(process.execPath, [bin, 'update-service', '--cluster', 'c', '--task-definition', 'x:1'], {
      encoding: 'utf8',
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH,
        CI: 'true',
        AWS_REGION: 'us-west-2',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_MAX_ATTEMPTS: '1',
      },
    });
    expect(r.stderr).not.toMatch(/Cannot find (module|package)/);
    expect(r.status, r.stderr).toBe(3);
  });

  it('--verbose: the stack trace names meshctl functions at readable lines', () => {
    const r = run(['add-envoy', '--from-file', 'nope.json', '--dry-run', '--verbose']);
    expect(r.status).toBe(2);
    const frame = /at readTextFile \(file:\/\/.*\/dist\/chunk-\w+\.js:(\d+):\d+\)/.exec(r.stderr);
    expect(frame, r.stderr).not.toBeNull();
    expect(Number(frame![1])).toBeGreaterThan(1);
  });

  it('prints a completion script', () => {
    const r = run(['completion', 'bash']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('complete -F _meshctl meshctl');
  });
});
