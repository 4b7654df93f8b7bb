import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'test/fixtures/crystal-describe.json');
let bin: string;

/** Strings only AWS SDK code carries, minified or not. */
const SDK_CODE = /smithy|x-amz-|ECSClient/;

/** main.js and the chunks it imports statically, transitively: what every start loads. */
function staticallyLoaded(dist: string): Set<string> {
  const keep = new Set<string>();
  const visit = (file: string) => {
    if (keep.has(file)) return;
    keep.add(file);
    for (const m of readFileSync(join(dist, file), 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(m[1]!);
  };
  visit('main.js');
  return keep;
}

/**
 * A copy of the build with every lazily loaded chunk removed (the AWS clients, ora): what still runs
 * provably loads no AWS SDK code.
 */
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'meshctl-startup-'));
  cpSync(join(root, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'dist'));
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  const keep = staticallyLoaded(join(dir, 'dist'));
  for (const f of keep) expect(readFileSync(join(dir, 'dist', f), 'utf8')).not.toMatch(SDK_CODE);
  // Every chunk with AWS SDK code goes (and ora's): what still runs loads none of it.
  let removed = 0;
  for (const f of readdirSync(join(dir, 'dist'))) {
    const text = readFileSync(join(dir, 'dist', f), 'utf8');
    if (f === 'help.json' || SDK_CODE.test(text) || f.startsWith('ora-')) {
      rmSync(join(dir, 'dist', f));
      removed++;
    }
  }
  expect(removed).toBeGreaterThan(3);
  bin = join(dir, 'bin/meshctl.js');
});

const run = (args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, CI: 'true' } });

describe('start-up loads no AWS SDK client', () => {
  it.each([[['--help']], [['--version']], [['add-envoy', '--help']], [['add-envoy', '--from-file', fixture, '--dry-run', '--diff']]])(
    'meshctl %j runs without the lazily loaded chunks',
    (args) => {
      const r = run(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    },
  );

  it('a command that calls AWS does need its chunk (so the check above can fail)', () => {
    const r = run(['update-service', '--cluster', 'c', '--region', 'us-west-2', '--task-definition', 'x:1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/meshctl bug: .*Cannot find module/);
  });
});

describe('the cached help', () => {
  const viaProgram = (args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(root, 'dist/main.js'))}); await m.main(['node', 'meshctl', ...${JSON.stringify(args)}]);`,
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      },
    ).stdout;
  const viaBin = (args: string[]) =>
    spawnSync(process.execPath, [join(root, 'bin/meshctl.js'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } }).stdout;

  it.each([[['--help']], [['-h']], [['--version']], [['rollout', '--help']], [['verify', '-h']], [['rollback', '--help']]])(
    '%j says what the program says',
    (args) => {
      const expected = viaProgram(args);
      expect(expected.length).toBeGreaterThan(0);
      expect(viaBin(args)).toBe(expected);
    },
  );
});

describe('the cached help is only for help', () => {
  it.each([[['update-service']], [['rollout', '--json']], [['wait-running']], [['verify', '--json']]])('%j goes to the program', (args) => {
    const r = spawnSync(process.execPath, [join(root, 'bin/meshctl.js'), ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
      cwd: '/',
    });
    expect(r.stdout).not.toMatch(/^Usage: meshctl/);
    expect(r.status).not.toBe(0);
  });
});
