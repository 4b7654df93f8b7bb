import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { formatSandboxState, parseSandboxState, type SandboxState } from '../../src/sandbox/state.js';

const state: SandboxState = {
  version: 1,
  world: 'workshop',
  dir: '/tmp/sb',
  endpoint: 'http://127.0.0.1:5000',
  port: 5000,
  region: 'us-west-2',
  createdAt: '2026-12-01T00:00:00.000Z',
  createdDir: false,
  scheduler: { cluster: 'appmesh-workshop', subnetId: 'subnet-1', securityGroupId: 'sg-1', taskDelayMs: 0, failNewTasks: false },
  processes: [
    { name: 'moto', pid: 100, match: ['/x/dist/moto_launcher.py', '5000'] },
    { name: 'scheduler', pid: 101, match: ['/x/dist/sandbox-scheduler.js', 'http://127.0.0.1:5000'] },
  ],
  files: ['cfn-output.json', 'config', 'credentials', 'moto.log', 'scheduler.log'],
};

describe('the sandbox state file', () => {
  it('reads back what it wrote', () => {
    expect(parseSandboxState(formatSandboxState(state), 'f')).toEqual(state);
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['another version', JSON.stringify({ ...state, version: 2 }), /"version": 1/],
    ['an unknown world', JSON.stringify({ ...state, world: 'prod' }), /"world"/],
    ['an endpoint off loopback', JSON.stringify({ ...state, endpoint: 'http://10.0.0.1:5000' }), /loopback/],
    ['a relative folder', JSON.stringify({ ...state, dir: 'sb' }), /"dir"/],
    ['PID 1', JSON.stringify({ ...state, processes: [{ name: 'moto', pid: 1, match: ['x'] }] }), /"processes"/],
    ['a process without match words', JSON.stringify({ ...state, processes: [{ name: 'moto', pid: 100, match: [] }] }), /"processes"/],
    ['a file outside the folder', JSON.stringify({ ...state, files: ['../etc/passwd'] }), /"files"/],
    ['a path into a subfolder', JSON.stringify({ ...state, files: ['a/b'] }), /"files"/],
  ])('refuses %s, naming the file', (_what, text, reason) => {
    expect(() => parseSandboxState(text, '/tmp/sb/.meshctl-sandbox.json')).toThrow(InputError);
    expect(() => parseSandboxState(text, '/tmp/sb/.meshctl-sandbox.json')).toThrow(reason);
    expect(() => parseSandboxState(text, '/tmp/sb/.meshctl-sandbox.json')).toThrow(
      /^\/tmp\/sb\/\.meshctl-sandbox\.json: not a meshctl sandbox state file/,
    );
  });
});
