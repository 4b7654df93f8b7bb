import { describe, expect, it } from 'vitest';
import { sandboxDownReport, sandboxUpReport, taskDelayFlag, toSandboxUpOptions } from '../../src/cli/sandbox.js';
import { UsageError } from '../../src/errors.js';
import { infoOf } from '../../src/sandbox/lifecycle.js';
import type { SandboxState } from '../../src/sandbox/state.js';

describe('sandbox up flags', () => {
  it('defaults: the current folder, a free port, the world of a running sandbox or workshop, no delay', () => {
    expect(toSandboxUpOptions({})).toEqual({
      dir: '.',
      world: undefined,
      port: undefined,
      force: false,
      taskDelayMs: 0,
      failNewTasks: false,
    });
  });

  it.each([
    [{ world: 'prod' }, /--world: "prod" is not a sandbox world; choose workshop or runbook/],
    [{ port: '80' }, /--port: 80 is out of range \(1024 to 65535\)/],
    [{ port: 'x' }, /--port: "x" is not a whole number/],
    [{ dir: ' ' }, /--dir: must name a folder/],
    [{ taskDelay: 'soon' }, /--task-delay: "soon" is not a duration/],
    [{ taskDelay: '11m' }, /--task-delay: 11m00s is too long \(at most 10m\)/],
  ])('refuses %j before anything starts (exit 2)', (flags, message) => {
    expect(() => toSandboxUpOptions(flags)).toThrow(UsageError);
    expect(() => toSandboxUpOptions(flags)).toThrow(message);
  });

  it.each([
    ['0', 0],
    ['0s', 0],
    ['2s', 2000],
    ['1m30s', 90_000],
  ])('--task-delay %s is %i ms', (value, ms) => {
    expect(taskDelayFlag(value)).toBe(ms);
  });
});

const state: SandboxState = {
  version: 2,
  token: 'T'.repeat(43),
  world: 'runbook',
  dir: '/tmp/sb',
  endpoint: 'http://127.0.0.1:5000',
  port: 5000,
  region: 'us-west-2',
  createdAt: '2026-12-01T00:00:00.000Z',
  createdDir: true,
  processes: [
    { name: 'moto', pid: 100, path: '/d/dist/moto_launcher.py', option: ['-p', '5000'] },
    { name: 'scheduler', pid: 101, path: '/d/dist/sandbox-scheduler.js', option: ['--endpoint', 'http://127.0.0.1:5000'] },
  ],
  files: [{ name: 'cfn-output.json', size: 2, mtimeMs: 1, ino: 3 }],
};

describe('sandbox reports', () => {
  it('up: the export lines on stdout, and with --json the environment, the profile and the PIDs', () => {
    const report = sandboxUpReport(infoOf(state), false);
    expect(report.lines[0]).toBe('export AWS_ENDPOINT_URL=http://127.0.0.1:5000');
    expect(report.lines).toHaveLength(5);
    expect(report.data).toMatchObject({
      ok: true,
      reused: false,
      world: 'runbook',
      endpoint: 'http://127.0.0.1:5000',
      env: { AWS_REGION: 'us-west-2', MESHCTL_SANDBOX: 'http://127.0.0.1:5000' },
      profile: { name: 'meshctl-sandbox', configFile: '/tmp/sb/config', credentialsFile: '/tmp/sb/credentials' },
      processes: [
        { name: 'moto', pid: 100 },
        { name: 'scheduler', pid: 101 },
      ],
      stateFile: '/tmp/sb/.meshctl-sandbox.json',
      files: ['cfn-output.json'],
    });
    expect(JSON.stringify(report.data)).not.toContain(state.token);
  });

  it('down: what it stopped, what it left alone, what it removed', () => {
    const report = sandboxDownReport({
      dir: '/tmp/sb',
      found: true,
      processes: [
        { name: 'scheduler', pid: 101, outcome: 'not-ours' },
        { name: 'moto', pid: 100, outcome: 'stopped' },
      ],
      removed: ['config', '.meshctl-sandbox.json'],
      left: ['cfn-output.json'],
      removedDir: false,
    });
    expect(report.lines).toEqual([
      'left PID 101 alone: it is no longer the ECS scheduler stand-in',
      'stopped moto (PID 100)',
      'removed from /tmp/sb: config, .meshctl-sandbox.json',
      'left in /tmp/sb: cfn-output.json (changed or replaced since up wrote them)',
    ]);
  });
});
