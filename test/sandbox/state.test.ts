import { mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { readRecord, recordPath, recordsDir, trustedSandbox, writeSandboxState } from '../../src/sandbox/record.js';
import { formatSandboxState, parseSandboxState, type SandboxState } from '../../src/sandbox/state.js';

const TOKEN = 'A'.repeat(43);
const state: SandboxState = {
  version: 2,
  token: TOKEN,
  world: 'workshop',
  dir: '/tmp/sb',
  endpoint: 'http://127.0.0.1:5000',
  port: 5000,
  region: 'us-west-2',
  createdAt: '2026-12-01T00:00:00.000Z',
  createdDir: false,
  scheduler: { cluster: 'appmesh-workshop', subnetId: 'subnet-1', securityGroupId: 'sg-1', taskDelayMs: 0, failNewTasks: false },
  processes: [
    { name: 'moto', pid: 100, path: '/x/dist/moto_launcher.py', option: ['-p', '5000'] },
    { name: 'scheduler', pid: 101, path: '/x/dist/sandbox-scheduler.js', option: ['--endpoint', 'http://127.0.0.1:5000'] },
  ],
  files: [
    { name: 'cfn-output.json', size: 120, mtimeMs: 1764547200000.25, ino: 42 },
    { name: 'moto.log', size: 0, mtimeMs: 1764547200000, ino: 43, grows: true },
  ],
};
const withProcess = (p: object) => JSON.stringify({ ...state, processes: [p] });
const withFile = (f: object) => JSON.stringify({ ...state, files: [f] });
const file = { name: 'cfn-output.json', size: 1, mtimeMs: 1, ino: 1 };

describe('the sandbox state file', () => {
  it('reads back what it wrote', () => {
    expect(parseSandboxState(formatSandboxState(state), 'f')).toEqual(state);
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['a state of an earlier meshctl (version 1, no token)', JSON.stringify({ ...state, version: 1, token: undefined }), /"version": 2/],
    ['no token', JSON.stringify({ ...state, token: undefined }), /"token"/],
    ['a short token', JSON.stringify({ ...state, token: 'abc' }), /"token"/],
    ['an unknown world', JSON.stringify({ ...state, world: 'prod' }), /"world"/],
    ['an endpoint off loopback', JSON.stringify({ ...state, endpoint: 'http://10.0.0.1:5000' }), /loopback/],
    ['a relative folder', JSON.stringify({ ...state, dir: 'sb' }), /"dir"/],
    ['PID 1', withProcess({ ...state.processes[0], pid: 1 }), /"processes"/],
    ['PID -1 (every process)', withProcess({ ...state.processes[0], pid: -1 }), /"processes"/],
    ['the old match words instead of a path', withProcess({ name: 'moto', pid: 100, match: ['sleep'] }), /"processes"/],
    ['a path that is not the launcher', withProcess({ ...state.processes[0], path: '/usr/bin/sleep' }), /"processes"/],
    ['a relative launcher path', withProcess({ ...state.processes[0], path: 'dist/moto_launcher.py' }), /"processes"/],
    ["the stand-in's path for moto", withProcess({ ...state.processes[0], path: '/x/dist/sandbox-scheduler.js' }), /"processes"/],
    ['an option of one word', withProcess({ ...state.processes[0], option: ['-p'] }), /"processes"/],
    ['an unknown process', withProcess({ ...state.processes[0], name: 'sshd' }), /"processes"/],
    ['a file outside the folder', withFile({ ...file, name: '../etc/passwd' }), /"files"/],
    ['a path into a subfolder', withFile({ ...file, name: 'a/b' }), /"files"/],
    ['a bare file name, as earlier meshctl wrote', JSON.stringify({ ...state, files: ['keep.txt'] }), /"files"/],
    ['a file without its size', withFile({ ...file, size: undefined }), /"files"/],
    ['the state file itself', withFile({ ...file, name: '.meshctl-sandbox.json' }), /"files"/],
  ])('refuses %s, naming the file', (_what, text, reason) => {
    expect(() => parseSandboxState(text, '/tmp/sb/.meshctl-sandbox.json')).toThrow(InputError);
    expect(() => parseSandboxState(text, '/tmp/sb/.meshctl-sandbox.json')).toThrow(reason);
    expect(() => parseSandboxState(text, '/tmp/sb/.meshctl-sandbox.json')).toThrow(
      /^\/tmp\/sb\/\.meshctl-sandbox\.json: not a meshctl sandbox state file/,
    );
  });
});

describe('the private record', () => {
  it.each([
    [{ XDG_STATE_HOME: '/s', HOME: '/h' }, '/s/meshctl/sandboxes'],
    [{ XDG_STATE_HOME: 'relative', HOME: '/h' }, '/h/.local/state/meshctl/sandboxes'],
    [{ XDG_STATE_HOME: '', HOME: '/h' }, '/h/.local/state/meshctl/sandboxes'],
    [{ HOME: '/h' }, '/h/.local/state/meshctl/sandboxes'],
  ])('lives under the user state directory: %j is %s', (env, dir) => {
    expect(recordsDir(env)).toBe(dir);
  });

  /** A folder with the user's state directory and a sandbox folder, both fresh. */
  const world = () => {
    const root = mkdtempSync(join(tmpdir(), 'meshctl-record-'));
    const dir = join(root, 'sb');
    mkdirSync(dir);
    return { root, dir, env: { XDG_STATE_HOME: join(root, 'state'), HOME: '/nonexistent' }, mine: { ...state, dir } };
  };

  it('is written 0600 in folders made 0700, with the same text as the folder state, and read back', async () => {
    const w = world();
    await writeSandboxState(w.env, w.mine);
    const path = await recordPath(w.env, w.dir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(w.root, 'state/meshctl')).mode & 0o777).toBe(0o700);
    expect(statSync(join(w.root, 'state/meshctl/sandboxes')).mode & 0o777).toBe(0o700);
    expect(statSync(join(w.dir, '.meshctl-sandbox.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(w.root, 'state/meshctl/sandboxes'))).toEqual([path.split('/').pop()]);
    expect(await readRecord(w.env, w.dir)).toEqual(w.mine);
    expect(await trustedSandbox(w.env, w.dir, 'down')).toEqual({ state: w.mine, stateFileGone: false });
  });

  it('a folder with neither: no sandbox', async () => {
    const w = world();
    expect(await trustedSandbox(w.env, w.dir, 'down')).toBeUndefined();
  });

  it('a state file that came without the record (a cloned or copied folder) is refused: exit 2, saying why and what to do', async () => {
    const w = world();
    writeFileSync(join(w.dir, '.meshctl-sandbox.json'), formatSandboxState(w.mine));
    const refused = trustedSandbox(w.env, w.dir, 'down');
    await expect(refused).rejects.toThrow(InputError);
    await expect(trustedSandbox(w.env, w.dir, 'down')).rejects.toThrow(
      /was not written by a sandbox up of yours in this folder: there is no private record .* \(a copied or cloned folder carries the state file, not the record\); meshctl sandbox down acts only on a sandbox it recorded itself, so it stopped, removed and changed nothing\. If no sandbox of yours runs from this folder, remove /,
    );
  });

  it.each([
    ['another token', (s: SandboxState) => formatSandboxState({ ...s, token: 'B'.repeat(43) })],
    ['no token', (s: SandboxState) => JSON.stringify({ ...s, token: undefined })],
    ['a token of another length', (s: SandboxState) => JSON.stringify({ ...s, token: `${s.token}A` })],
    ['not JSON', () => '{'],
  ])('a folder state with %s beside a real record is refused, the record kept', async (_what, text) => {
    const w = world();
    await writeSandboxState(w.env, w.mine);
    writeFileSync(join(w.dir, '.meshctl-sandbox.json'), text(w.mine));
    await expect(trustedSandbox(w.env, w.dir, 'reset')).rejects.toThrow(
      /its token differs from the private record .*; meshctl sandbox reset acts only on a sandbox it recorded itself.* Remove .* and run meshctl sandbox down --dir .* again/,
    );
    expect(await readRecord(w.env, w.dir)).toEqual(w.mine);
  });

  it('a state of an earlier meshctl says how to stop it by hand', async () => {
    const w = world();
    writeFileSync(join(w.dir, '.meshctl-sandbox.json'), JSON.stringify({ ...w.mine, version: 1, token: undefined }));
    await expect(trustedSandbox(w.env, w.dir, 'down')).rejects.toThrow(
      /written by an earlier meshctl, which kept no private record.*ps -ef/,
    );
  });

  it("the record alone (the folder's state file removed) is still the sandbox up started", async () => {
    const w = world();
    await writeSandboxState(w.env, w.mine);
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(w.dir, '.meshctl-sandbox.json'));
    expect(await trustedSandbox(w.env, w.dir, 'down')).toEqual({ state: w.mine, stateFileGone: true });
  });

  it('a record for another folder is refused; so is a records folder that is a link', async () => {
    const w = world();
    await writeSandboxState(w.env, w.mine);
    const other = join(w.root, 'other');
    mkdirSync(other);
    const { copyFileSync } = await import('node:fs');
    copyFileSync(await recordPath(w.env, w.dir), await recordPath(w.env, other));
    await expect(readRecord(w.env, other)).rejects.toThrow(/records .*\/sb, not .*\/other; remove it/);
    const linked = { XDG_STATE_HOME: join(w.root, 'linked'), HOME: '/nonexistent' };
    mkdirSync(join(w.root, 'linked'));
    symlinkSync(join(w.root, 'state/meshctl'), join(w.root, 'linked/meshctl'));
    await expect(writeSandboxState(linked, w.mine)).rejects.toThrow(UsageError);
    await expect(writeSandboxState(linked, w.mine)).rejects.toThrow(/linked\/meshctl is not a folder of yours/);
  });
});
