import { describe, expect, it } from 'vitest';
import { sandboxDownReport, sandboxResetReport, sandboxStatusReport, sandboxUpReport } from '../../src/cli/sandbox.js';
import type { SandboxInfo } from '../../src/sandbox/lifecycle.js';
import { schemaErrors } from '../support/json-schemas.js';

// The sandbox commands' --json against their schemas, from plain data (the e2e sandbox tests check up,
// status and down as a user runs them; reset's output is only cheap to make here).
const info = (scheduler = true): SandboxInfo => ({
  state: {
    version: 2,
    token: 'T'.repeat(43),
    world: 'workshop',
    dir: '/tmp/s',
    endpoint: 'http://127.0.0.1:40123',
    port: 40123,
    region: 'us-west-2',
    createdAt: '2026-12-01T12:00:00.000Z',
    createdDir: true,
    scheduler: scheduler
      ? { cluster: 'appmesh-workshop', subnetId: 'subnet-1', securityGroupId: 'sg-1', taskDelayMs: 0, failNewTasks: false }
      : undefined,
    processes: [
      { name: 'moto', pid: 101, path: '/d/dist/moto_launcher.py', option: ['-p', '40123'] },
      { name: 'scheduler', pid: 102, path: '/d/dist/sandbox-scheduler.js', option: ['--endpoint', 'http://127.0.0.1:40123'] },
    ],
    files: ['cfn-output.json', 'config', 'credentials'].map((name, i) => ({ name, size: 1, mtimeMs: 1, ino: i + 10 })),
  },
  stateFile: '/tmp/s/.meshctl-sandbox.json',
  env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:40123', AWS_REGION: 'us-west-2' },
  profile: {
    name: 'meshctl-sandbox',
    configFile: '/tmp/s/config',
    credentialsFile: '/tmp/s/credentials',
    usage: 'AWS_CONFIG_FILE=/tmp/s/config ...',
  },
});

describe('sandbox --json matches schemas/sandbox-*.json', () => {
  it('up, reset: every key, the PIDs without their command lines, scheduler null when there is none', () => {
    for (const i of [info(), info(false)]) {
      expect(schemaErrors('sandbox-up.json', sandboxUpReport(i, false).data)).toEqual([]);
      const reset = sandboxResetReport(i).data;
      expect(schemaErrors('sandbox-reset.json', reset)).toEqual([]);
      expect(JSON.stringify(reset)).not.toContain('moto_launcher.py');
    }
    expect(sandboxResetReport(info(false)).data.scheduler).toBeNull();
    expect(schemaErrors('sandbox-up.json', { ...sandboxUpReport(info(), false).data, endpoint: 'http://10.0.0.1:1' })).not.toEqual([]);
  });

  it('status: running or not, and with no sandbox the same keys, null', () => {
    const processes = [
      { name: 'moto' as const, pid: 101, status: 'running' as const },
      { name: 'scheduler' as const, pid: 102, status: 'gone' as const },
    ];
    expect(
      schemaErrors('sandbox-status.json', sandboxStatusReport({ dir: '/tmp/s', info: info(), processes, running: false }).data),
    ).toEqual([]);
    const none = sandboxStatusReport({ dir: '/tmp/s', processes: [], running: false }).data;
    expect(schemaErrors('sandbox-status.json', none)).toEqual([]);
    expect(Object.keys(none).sort()).toEqual(
      Object.keys(sandboxStatusReport({ dir: '/tmp/s', info: info(), processes, running: true }).data).sort(),
    );
  });

  it('down: found or not, world and endpoint null when nothing was recorded', () => {
    const found = sandboxDownReport({
      dir: '/tmp/s',
      found: true,
      world: 'runbook',
      endpoint: 'http://127.0.0.1:40123',
      processes: [{ name: 'moto', pid: 101, outcome: 'stopped' }],
      removed: ['cfn-output.json'],
      left: ['config'],
      removedDir: true,
    }).data;
    expect(schemaErrors('sandbox-down.json', found)).toEqual([]);
    const none = sandboxDownReport({ dir: '/tmp/s', found: false, processes: [], removed: [], left: [], removedDir: false }).data;
    expect(none).toMatchObject({ world: null, endpoint: null });
    expect(schemaErrors('sandbox-down.json', none)).toEqual([]);
  });
});
