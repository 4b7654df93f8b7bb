import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandLineOf, isSameProcess, processStatus, stopProcess } from '../../src/sandbox/processes.js';
import type { SandboxProcess } from '../../src/sandbox/state.js';

// Real processes (children of this test): what down relies on is how the OS reports them.
const children: ChildProcess[] = [];
const start = async (command: string, args: string[]) => {
  const child = spawn(command, args, { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => child.once('spawn', r));
  return child;
};
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
const briefly = () => new Promise<void>((r) => setTimeout(r, 10));

afterEach(() => {
  for (const c of children.splice(0)) if (alive(c)) c.kill('SIGKILL');
});

const LAUNCHER = '/d/dist/moto_launcher.py';
const moto = { path: LAUNCHER, option: ['-p', '5000'] as [string, string] };
const scheduler = { path: '/d/dist/sandbox-scheduler.js', option: ['--endpoint', 'http://127.0.0.1:5000'] as [string, string] };

describe('which process a recorded PID is (/proc: whole arguments)', () => {
  it.each([
    ['the launcher up started', ['python3', LAUNCHER, '--pid-file', '/s/p', '-H', '127.0.0.1', '-p', '5000'], moto, true],
    ['the launcher as pyenv execs it', ['/root/.pyenv/versions/3.11.7/bin/python3', LAUNCHER, '-p', '5000'], moto, true],
    ['the launcher after an interpreter flag (up never starts it so)', ['python3', '-u', LAUNCHER, '-p', '5000'], moto, false],
    ['the stand-in', ['/usr/bin/node', scheduler.path, '--dir', '/s', '--endpoint', 'http://127.0.0.1:5000'], scheduler, true],
    ['another port', ['python3', LAUNCHER, '-p', '5001'], moto, false],
    ['another launcher path', ['python3', '/other/dist/moto_launcher.py', '-p', '5000'], moto, false],
    ['the port before the path', ['python3', '-p', '5000', LAUNCHER], moto, false],
    ['the words inside one argument (sh -c)', ['sh', '-c', `python3 ${LAUNCHER} -p 5000`], moto, false],
    ['an editor on the launcher', ['vim', LAUNCHER], moto, false],
    ['grep for the words', ['grep', '-r', LAUNCHER, '-p', '5000'], moto, false],
    ['node -e with the words as arguments', ['node', '-e', 'setTimeout(() => {}, 1e6)', LAUNCHER, '-p', '5000'], moto, false],
    ['the path as a prefix of an argument', ['python3', `${LAUNCHER}.bak`, '-p', '5000'], moto, false],
    ['the option split over one argument', ['python3', LAUNCHER, '-p 5000'], moto, false],
    ['an endpoint that only starts the same', ['node', scheduler.path, '--endpoint', 'http://127.0.0.1:50001'], scheduler, false],
    ['nothing at all', [], moto, false],
  ])('%s: %j is ours: %s', (_what, commandLine, p, same) => {
    expect(isSameProcess(commandLine, p, false)).toBe(same);
  });
});

describe('which process a recorded PID is (ps on macOS: one string)', () => {
  it.each([
    [`/usr/bin/python3 ${LAUNCHER} -H 127.0.0.1 -p 5000`, moto, true],
    [`/usr/bin/python3 ${LAUNCHER} -p 50001`, moto, false],
    [`/usr/bin/python3 -p 5000 ${LAUNCHER}`, moto, false],
    [`/usr/bin/python3 ${LAUNCHER}.bak -p 5000`, moto, false],
    [`/usr/bin/node ${scheduler.path} --endpoint http://127.0.0.1:5000`, scheduler, true],
  ])('%j is ours: %s', (line, p, same) => {
    expect(isSameProcess([line], p, true)).toBe(same);
  });
});

describe('stopping a recorded process', () => {
  it('reads a live command line argument by argument, and none for a PID that does not run', async () => {
    const child = await start('sleep', ['30']);
    expect(commandLineOf(child.pid!)).toEqual(['sleep', '30']);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(commandLineOf(child.pid!)).toBeUndefined();
  });

  it('leaves alone an unrelated process whose command line holds the words, and stops the launcher itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshctl-processes-'));
    const launcher = join(dir, 'moto_launcher.py');
    writeFileSync(launcher, 'import time\ntime.sleep(30)\n');
    const unrelated = await start(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', launcher, '-p', '5000']);
    const recordedUnrelated: SandboxProcess = { name: 'moto', pid: unrelated.pid!, path: launcher, option: ['-p', '5000'] };
    expect(processStatus(recordedUnrelated)).toBe('not-ours');
    expect(await stopProcess(recordedUnrelated, briefly)).toBe('not-ours');
    expect(alive(unrelated)).toBe(true);

    const ours = await start('python3', [launcher, '-H', '127.0.0.1', '-p', '5000']);
    const recorded: SandboxProcess = { name: 'moto', pid: ours.pid!, path: launcher, option: ['-p', '5000'] };
    // `python3` may be a shim (pyenv) that execs the interpreter under the same PID a moment later.
    for (let i = 0; i < 500 && processStatus(recorded) !== 'running'; i++) await briefly();
    expect(processStatus(recorded)).toBe('running');
    expect(await stopProcess(recorded, briefly)).toBe('stopped');
    expect(ours.signalCode ?? (await new Promise((r) => ours.once('exit', (_c, s) => r(s))))).toBe('SIGTERM');
    expect(await stopProcess(recorded, briefly)).toBe('gone');
    expect(alive(unrelated)).toBe(true);
  });
});
