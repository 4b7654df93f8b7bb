import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLineOf } from '../../src/sandbox/processes.js';
import { interruptOnce, runCli, type CliOptions } from '../support/cli.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { projectRoot } from '../support/paths.js';

const LAUNCHER = join(projectRoot(), 'dist/moto_launcher.py');
const SCHEDULER = join(projectRoot(), 'dist/sandbox-scheduler.js');

/**
 * sandbox run in a fresh folder, with its own temp folder (where run makes the sandbox's folder) and
 * state directory, both of which must end empty; the PIDs it started must all have ended.
 */
const roots: string[] = [];
async function sandboxRun(args: string[], options: CliOptions = {}) {
  const root = mkdtempSync(join(tmpdir(), 'meshctl-run-'));
  roots.push(root);
  const env = { TMPDIR: join(root, 'tmp'), XDG_STATE_HOME: join(root, 'state') };
  const { mkdirSync } = await import('node:fs');
  mkdirSync(env.TMPDIR);
  const r = await runCli(['sandbox', 'run', ...args], { ...options, cwd: root, env: { ...env, ...options.env } });
  return { ...r, root, env };
}

// Should a test fail half-way (a timeout ends run before its teardown), its sandbox is stopped here.
afterAll(async () => {
  for (const root of roots) {
    const env = { TMPDIR: join(root, 'tmp'), XDG_STATE_HOME: join(root, 'state') };
    for (const dir of readdirSync(env.TMPDIR)) await runCli(['sandbox', 'down', '--dir', join(env.TMPDIR, dir)], { cwd: root, env });
  }
}, 60_000);

/** Nothing of the sandbox left: no process running the launcher or the stand-in of this build with its port, no file. */
function expectNothingLeft(r: Awaited<ReturnType<typeof sandboxRun>>) {
  const port = /answers on http:\/\/127\.0\.0\.1:(\d+)/.exec(r.stderr)?.[1];
  expect(port, r.stderr).toBeDefined();
  const ours = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => commandLineOf(Number(p)) ?? [])
    .filter(
      (line) => (line.includes(LAUNCHER) && line.includes(port!)) || (line.includes(SCHEDULER) && line.join(' ').includes(`:${port}`)),
    );
  expect(ours).toEqual([]);
  expect(readdirSync(r.env.TMPDIR)).toEqual([]);
  expect(readdirSync(join(r.env.XDG_STATE_HOME, 'meshctl/sandboxes'))).toEqual([]);
  expect(readdirSync(r.root).sort()).toEqual(['state', 'tmp']);
}

// Each run starts a sandbox of its own (seconds of CPU): exits 0, 1 and 130 show the command's code passed on;
// every other code's line and exit are in test/sandbox/run.test.ts.
describe("sandbox run -- <command>: start, run, stop whatever happened, exit with the command's code", () => {
  it("rollout: ends at verify with moto's honest no output; run exits 1 as rollout did, says so in one line, leaves nothing", async () => {
    const r = await sandboxRun(['--json', '--', 'rollout', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = expectJsonMatchesSchema('sandbox run', r.stdout);
    expect(out).toMatchObject({
      ok: false,
      reused: false,
      world: 'workshop',
      command: ['rollout', '--json'],
      exitCode: 1,
      signal: null,
      interrupted: false,
      output: { failedStep: 'verify', addEnvoy: { taskDefinitionArn: expect.stringMatching(/:2$/) } },
      down: { removedDir: true, left: [], processes: [{ outcome: 'stopped' }, { outcome: 'stopped' }] },
      error: { exitCode: 1, kind: 'check-failed' },
    });
    expect(r.stderr).toMatch(/^sandbox: talking to the local meshctl sandbox \(moto at http:\/\/127\.0\.0\.1:\d+\), not to AWS$/m);
    expect(r.stderr).toMatch(/the check printed no output, which is the expected end in the sandbox/);
    expect(r.stderr).toMatch(
      /^error: sandbox run: meshctl rollout --json ended with exit 1 \(a check failed or a wait timed out\); the sandbox is stopped and its files removed; to try again \(a resume command above names the removed sandbox\): meshctl sandbox run -- rollout --json$/m,
    );
    expectNothingLeft(r);
  }, 180_000);

  it('a command that succeeds: exit 0, its output passed through untouched, the line on stderr', async () => {
    const r = await sandboxRun(['--world', 'runbook', '--', 'rollout', '--all-services']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^payments: unchanged\nproducts: unchanged\n0 rolled out, 2 already had envoy/);
    expect(r.stdout).not.toMatch(/sandbox run/);
    expect(r.stderr).toMatch(/^sandbox run: meshctl rollout --all-services ended with exit 0 \(done\); the sandbox is stopped/m);
    expectNothingLeft(r);
  }, 180_000);

  it('SIGINT while the command waits: passed on, the command ends, the sandbox is stopped, exit 130', async () => {
    // New tasks start only after 10 minutes: wait-running waits until the interrupt.
    const r = await sandboxRun(['--task-delay', '10m', '--', 'rollout', '--envoy-image', 'envoy:v1.29.0.0-prod'], {
      onSpawn: interruptOnce(/crystal-service-lb: 0\/3 RUNNING/),
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    expect(r.stderr).toMatch(/^error: sandbox run: meshctl rollout .* after the interrupt was passed on; the sandbox is stopped/m);
    expectNothingLeft(r);
  }, 180_000);

  it('refuses a command that would point away from the sandbox, before starting anything', async () => {
    const r = await sandboxRun(['--', 'rollout', '--endpoint-url', 'https://ecs.us-west-2.amazonaws.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: sandbox run: --endpoint-url would point the command away from the sandbox/m);
    expect(readdirSync(r.env.TMPDIR)).toEqual([]);
  }, 180_000);
});
