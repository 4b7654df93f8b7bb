import { describe, expect, it } from 'vitest';
import { runCommandArg, runEndedLine, runFailure, sandboxRunReport, toSandboxRunOptions } from '../../src/cli/sandbox.js';
import { UsageError } from '../../src/errors.js';
import { runArguments, runEnvironment, type SandboxRunResult } from '../../src/sandbox/run.js';
import { infoOf } from '../../src/sandbox/lifecycle.js';
import type { SandboxState } from '../../src/sandbox/state.js';
import { schemaErrors } from '../support/json-schemas.js';

const state: SandboxState = {
  version: 2,
  token: 'T'.repeat(43),
  world: 'workshop',
  dir: '/tmp/sb',
  endpoint: 'http://127.0.0.1:5000',
  port: 5000,
  region: 'us-west-2',
  createdAt: '2026-12-01T00:00:00.000Z',
  createdDir: true,
  processes: [],
  files: [],
};
const info = infoOf(state);
const result = (r: Partial<SandboxRunResult> = {}): SandboxRunResult => ({
  info,
  reused: false,
  command: ['rollout'],
  exitCode: 0,
  signal: null,
  interrupted: false,
  down: {
    dir: '/tmp/sb',
    found: true,
    processes: [{ name: 'moto', pid: 100, outcome: 'stopped' }],
    removed: ['config'],
    left: [],
    removedDir: true,
  },
  ...r,
});

describe('sandbox run: the command', () => {
  it.each([
    [['rollout'], ['rollout']],
    [
      ['meshctl', 'rollout', '--json'],
      ['rollout', '--json'],
    ],
    [
      ['--verbose', 'migrate', 'plan', '--all-services'],
      ['--verbose', 'migrate', 'plan', '--all-services'],
    ],
  ])('%j runs as %j', (words, command) => {
    expect(runCommandArg(words)).toEqual(command);
  });

  it.each([
    [[], /name the meshctl command to run after --/],
    [['meshctl'], /name the meshctl command/],
    [['sandbox', 'down'], /cannot be a sandbox command itself/],
    [['rollout', '--endpoint-url', 'https://ecs.us-west-2.amazonaws.com'], /--endpoint-url would point the command away from the sandbox/],
    [['rollout', '--profile=prod'], /--profile would point the command away/],
  ])('%j is refused before anything starts (exit 2)', (words, message) => {
    expect(() => runCommandArg(words)).toThrow(UsageError);
    expect(() => runCommandArg(words)).toThrow(message);
  });

  it('every problem at once with the sandbox flags; no --dir means a temp folder', () => {
    expect(() => toSandboxRunOptions({ world: 'prod', port: '80' }, [])).toThrow(/3 problems with the input/);
    expect(toSandboxRunOptions({ json: true }, ['doctor'])).toMatchObject({ dir: undefined, command: ['doctor'], captureStdout: true });
    expect(toSandboxRunOptions({ dir: 'sb' }, ['doctor'])).toMatchObject({ dir: 'sb', captureStdout: false });
  });

  it("gets the sandbox's cfn-output.json unless it names one", () => {
    expect(runArguments(['rollout'], '/tmp/sb/cfn-output.json')).toEqual(['--cfn-output', '/tmp/sb/cfn-output.json', 'rollout']);
    expect(runArguments(['rollout', '--cfn-output', 'x.json'], '/s')).toEqual(['rollout', '--cfn-output', 'x.json']);
    expect(runArguments(['--cfn-output=x.json', 'rollout'], '/s')).toEqual(['--cfn-output=x.json', 'rollout']);
  });

  it("runs with the sandbox's environment and none of the user's AWS variables", () => {
    const env = runEnvironment(
      {
        PATH: '/bin',
        HOME: '/home/me',
        NO_COLOR: '1',
        AWS_PROFILE: 'prod',
        AWS_ENDPOINT_URL_ECS: 'https://ecs.us-east-1.amazonaws.com',
        AWS_SESSION_TOKEN: 'secret',
        AWS_ROLE_ARN: 'arn:aws:iam::1:role/x',
        AWS_REGION: 'eu-west-1',
        UNSET: undefined,
      },
      info,
    );
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/home/me',
      NO_COLOR: '1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      MESHCTL_SANDBOX: 'http://127.0.0.1:5000',
      AWS_CONFIG_FILE: '/tmp/sb/config',
      AWS_SHARED_CREDENTIALS_FILE: '/tmp/sb/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
});

describe('sandbox run: how it ends', () => {
  it.each([
    [{ exitCode: 0 }, undefined, /ended with exit 0 \(done\); the sandbox is stopped and its files removed$/],
    [{ exitCode: 1 }, 1, /ended with exit 1 \(a check failed or a wait timed out\)/],
    [{ exitCode: 2 }, 2, /ended with exit 2 \(bad input\)/],
    [{ exitCode: 3 }, 3, /ended with exit 3 \(AWS \(here: moto\) refused a call\)/],
    [{ exitCode: 130 }, 130, /ended with exit 130 \(interrupted\)/],
    [{ exitCode: 130, interrupted: true }, 130, /ended with exit 130 \(interrupted\) after the interrupt was passed on/],
    [{ exitCode: null, signal: 'SIGKILL' as const }, 1, /was ended by SIGKILL/],
    [{ exitCode: null, signal: 'SIGTERM' as const }, 130, /was ended by SIGTERM/],
    [{ exitCode: 7 }, 1, /ended with exit 7 \(not an exit code of meshctl\)/],
  ])('%j: run exits %s', (r, code, line) => {
    const failure = runFailure(result(r));
    expect(failure?.exitCode).toBe(code);
    expect(runEndedLine(result(r))).toMatch(line);
    if (failure) expect(failure.message).toBe(runEndedLine(result(r)));
    // The command's own resume line names the removed sandbox: a failure it could resume says how to try again.
    const again = /; to try again \(a resume command above names the removed sandbox\): meshctl sandbox run -- \S/;
    expect(again.test(runEndedLine(result(r)))).toBe([1, 3, 7].includes(r.exitCode ?? -1));
    expect(runEndedLine(result({ ...r, reused: true, down: undefined }))).not.toMatch(again);
  });

  it('a reused sandbox is said to run on; files left behind are named', () => {
    expect(runEndedLine(result({ reused: true, down: undefined }))).toMatch(/; the sandbox in \/tmp\/sb runs on \(it ran before\)$/);
    const left = result({ down: { ...result().down!, left: ['cfn-output.json'] } });
    expect(runEndedLine(left)).toMatch(/stopped and its files removed, but for cfn-output\.json \(changed since up wrote them\)$/);
  });

  it("--json: one object, the command's JSON inside it, as schemas/sandbox-run.json says", () => {
    const ok = sandboxRunReport(result({ stdout: '{"ok": true, "services": []}\n' }));
    expect(ok.lines).toEqual([]);
    expect(ok.data).toMatchObject({ ok: true, command: ['rollout'], exitCode: 0, output: { ok: true, services: [] } });
    expect(schemaErrors('sandbox-run.json', ok.data)).toEqual([]);
    for (const r of [
      result({ exitCode: 1, stdout: 'payments: unchanged\n' }),
      result({ reused: true, down: undefined }),
      result({ exitCode: null, signal: 'SIGKILL' }),
    ]) {
      expect(schemaErrors('sandbox-run.json', sandboxRunReport(r).data)).toEqual([]);
    }
    expect(sandboxRunReport(result({ exitCode: 1, stdout: 'text\n' })).data).toMatchObject({ ok: false, output: 'text\n' });
    expect(sandboxRunReport(result()).data.output).toBeNull();
  });
});
