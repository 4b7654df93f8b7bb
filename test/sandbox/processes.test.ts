import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { commandLineOf, isSameProcess, processStatus, stopProcess } from '../../src/sandbox/processes.js';

// Real processes (a `sleep` child): what down relies on is how the OS reports them.
const children: ChildProcess[] = [];
const sleeper = () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  return child;
};
const briefly = () => new Promise<void>((r) => setTimeout(r, 10));

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('which process a recorded PID is', () => {
  it.each([
    [['python3', '/d/dist/moto_launcher.py', '-p', '5000'], ['/d/dist/moto_launcher.py', '5000'], true],
    [['python3', '/d/dist/moto_launcher.py', '-p', '5001'], ['/d/dist/moto_launcher.py', '5000'], false],
    [['python3', '/other/moto_launcher.py', '-p', '5000'], ['/d/dist/moto_launcher.py', '5000'], false],
    // ps (macOS) gives one string: words are matched between spaces.
    [
      ['/usr/bin/node /d/dist/sandbox-scheduler.js --endpoint http://127.0.0.1:5000'],
      ['/d/dist/sandbox-scheduler.js', 'http://127.0.0.1:5000'],
      true,
    ],
    [
      ['/usr/bin/node /d/dist/sandbox-scheduler.js --endpoint http://127.0.0.1:50001'],
      ['/d/dist/sandbox-scheduler.js', 'http://127.0.0.1:5000'],
      false,
    ],
  ])('%j is the process recorded with %j: %s', (commandLine, match, same) => {
    expect(isSameProcess(commandLine, match)).toBe(same);
  });

  it('reads a live command line, and none for a PID that does not run', async () => {
    const child = sleeper();
    await new Promise((r) => child.once('spawn', r));
    expect(commandLineOf(child.pid!)?.join(' ')).toMatch(/sleep 30/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(commandLineOf(child.pid!)).toBeUndefined();
  });

  it('leaves a PID alone that is another program now, and stops the one that still is ours', async () => {
    const child = sleeper();
    await new Promise((r) => child.once('spawn', r));
    const notOurs = { name: 'moto' as const, pid: child.pid!, match: ['/d/dist/moto_launcher.py', '5000'] };
    expect(processStatus(notOurs)).toBe('not-ours');
    expect(await stopProcess(notOurs, briefly)).toBe('not-ours');
    expect(child.exitCode === null && child.signalCode === null).toBe(true);
    const ours = { ...notOurs, match: ['sleep', '30'] };
    expect(await stopProcess(ours, briefly)).toBe('stopped');
    expect(child.signalCode ?? (await new Promise((r) => child.once('exit', (_c, s) => r(s))))).toBe('SIGTERM');
    expect(await stopProcess(ours, briefly)).toBe('gone');
  });
});
