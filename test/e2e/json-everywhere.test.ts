import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { seedClusterWorld } from '../support/cluster-world.js';
import { expectJsonMatchesSchema, expectUnreachableAws, type ErrorOut } from '../support/json-schemas.js';
import { cfnFolders } from '../support/cfn-folders.js';
import { freePort } from '../support/moto.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';

/** One --json run: exactly one object on stdout, valid for its command's schema (and error.json when it failed). */
function json(args: string[], r: CliResult): Record<string, unknown> {
  return expectJsonMatchesSchema(args, r.stdout);
}

describe('--json with no AWS to answer: one error object for every failure', () => {
  let deadEndpoint = '';
  let withCfn = '';
  let empty = '';
  beforeAll(async () => {
    // A loopback port nothing listens on: every AWS call is refused at once.
    deadEndpoint = `http://127.0.0.1:${await freePort()}`;
    ({ withCfn, empty } = cfnFolders());
  });
  const run = (args: string[], cwd: 'cfn' | 'empty' = 'cfn') =>
    runCli(args, { cwd: cwd === 'cfn' ? withCfn : empty, env: { AWS_ENDPOINT_URL: deadEndpoint, AWS_REGION: 'us-west-2' } });

  it.each([
    // commander's own usage errors: its message stays on stderr, the object says the same
    ['an unknown command', 2, 'usage', ['--json', 'rolout'], /^error: unknown command 'rolout'/],
    ['an unknown option', 2, 'usage', ['rollout', '--json', '--bogus'], /^error: unknown option '--bogus'/],
    [
      'a missing option value',
      2,
      'usage',
      ['wait-running', '--json', '--timeout'],
      /^error: option '--timeout <duration>' argument missing/,
    ],
    ['no command at all', 2, 'usage', ['--json'], /Usage: meshctl/],
    ['a group without its subcommand', 2, 'usage', ['--json', 'migrate'], /Usage: meshctl migrate/],
    // meshctl's own validation and missing files run in-process: test/cli/json-errors.test.ts
  ] as const)('%s: exit %i, kind %s', async (_what, code, kind, args, stderr) => {
    const r = await run([...args]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(stderr);
    const out = json([...args], r);
    expect(out).toEqual({ ok: false, resumeCommand: null, error: expect.objectContaining({ exitCode: code, kind }) });
    const error = out.error as ErrorOut;
    expect(error.message).not.toMatch(/^error: /);
    expect({ operation: error.operation, hint: error.hint }).toEqual({ operation: null, hint: null });
  });

  // Every command's own case runs in-process (test/cli/json-errors.test.ts); one through the binary here.
  it.each([[['update-service', '--json', '--cluster', 'nope']]])(
    '%j against an endpoint that refuses: exit 3, kind aws-call, the operation and a hint',
    async (args) => {
      expectUnreachableAws(args, await run(args));
    },
  );

  it('a rollout that fails at its first step: the steps report, failedStep, resumeCommand and the error', async () => {
    const args = ['rollout', '--json'];
    const r = await run(args);
    expect(r.code, r.stderr).toBe(3);
    const out = json(args, r);
    expect(out).toMatchObject({
      ok: false,
      steps: [{ step: 'add-envoy', status: 'failed' }],
      failedStep: 'add-envoy',
      resumeCommand: 'meshctl rollout --json --from add-envoy',
      error: { exitCode: 3, kind: 'aws-call' },
    });
    expect(r.stderr).toMatch(/resume with: meshctl rollout --json --from add-envoy/);
  });

  it.each([[['--json', '--help']], [['rollout', '--help', '--json']], [['--json', 'help', 'rollout']]])(
    '%j prints help, not JSON, and exits 0',
    async (args) => {
      const r = await run(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Usage: meshctl/);
    },
  );

  it('--json --version prints the version and exits 0', async () => {
    const r = await run(['--json', '--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('--json against moto: every output matches its schema', () => {
  const env = useMotoWorkshop();

  it('rollback with nothing to go back to: exit 1, kind check-failed', async () => {
    const args = ['rollback', '--json'];
    const r = await env.cli(args);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error: no revision before .* to roll back to; pass --to REVISION/);
    expect(json(args, r)).toEqual({
      ok: false,
      resumeCommand: null,
      error: {
        exitCode: 1,
        kind: 'check-failed',
        message: expect.stringMatching(/^no revision before/),
        operation: null,
        hint: null,
        problems: [],
      },
    });
  });

  it('update-service', async () => {
    const args = ['update-service', '--json'];
    const r = await env.cli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(json(args, r)).toMatchObject({ cluster: 'appmesh-workshop', service: 'crystal-service-lb', desiredCount: 3 });
  });

  it('wait-running --count 3', async () => {
    const args = ['wait-running', '--count', '3', '--json'];
    const r = await env.cli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(json(args, r)).toMatchObject({ ok: true, running: 3, wanted: 3 });
  });

  it('a wait that times out: what it saw last, and the timeout', async () => {
    const args = ['wait-running', '--json', '--count', '5', '--timeout', '1s'];
    const r = await env.cli(args);
    expect(r.code, r.stderr).toBe(1);
    expect(json(args, r)).toMatchObject({ ok: false, running: 3, wanted: 5, error: { exitCode: 1, kind: 'timeout' } });
  });

  it('add-envoy, then doctor', async () => {
    const added = ['add-envoy', '--json'];
    const a = await env.cli(added);
    expect(a.code, a.stderr).toBe(0);
    expect(json(added, a)).toMatchObject({ action: 'registered' });
    expect((await env.cli(['update-service'])).code).toBe(0);
    const doctor = ['doctor', '--json'];
    const d = await env.cli(doctor);
    // Without the workshop's task role the role check fails (exit 1): the report then carries the error.
    expect([0, 1], d.stderr).toContain(d.code);
    expect(json(doctor, d)).toMatchObject({ checklist: 'app-mesh', ok: d.code === 0 });
  });

  it('migrate plan of a cluster, and a plan with errors (the report and the error)', async () => {
    await env.seeded('cluster', seedClusterWorld);
    const plan = ['migrate', 'plan', '--all-services', '--create-namespace', '--json'];
    const p = await env.cli(plan);
    expect(p.code, p.stderr).toBe(0);
    expect(json(plan, p)).toMatchObject({ ok: true, cluster: 'appmesh-workshop', waves: [{ wave: 1 }, { wave: 2 }] });
    // A Route 53 private zone is no Cloud Map namespace: without --create-namespace the plan says so.
    const failing = ['migrate', 'plan', '--all-services', '--json'];
    const f = await env.cli(failing);
    expect(f.code, f.stderr).toBe(1);
    expect(json(failing, f)).toMatchObject({ ok: false, waves: expect.any(Array), error: { kind: 'check-failed' } });
  });

  it('migrate status and cleanup', async () => {
    for (const args of [
      ['migrate', 'status', '--json'],
      ['migrate', 'cleanup', '--json'],
    ]) {
      const r = await env.cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(json(args, r)).toMatchObject({ ok: true, cluster: 'appmesh-workshop' });
    }
  });

  it('a rollout whose verify fails (moto runs no SSM command): the four steps, failedStep and the error', async () => {
    const args = ['rollout', '--json', '--interval', '1s', '--timeout', '60s', '--verify-timeout', '20s'];
    const r = await env.withScheduler(() => env.cli(args));
    expect(r.code, r.stderr).toBe(1);
    const out = json(args, r);
    expect(out).toMatchObject({
      ok: false,
      failedStep: 'verify',
      resumeCommand: expect.stringMatching(/--from verify$/),
      addEnvoy: { action: 'registered' },
      error: { exitCode: 1, kind: 'check-failed', message: expect.stringMatching(/^verify failed: .*printed no output/) },
    });
  }, 90_000);
});
