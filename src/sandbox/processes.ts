import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { SandboxProcess } from './state.js';

const hasProc = () => existsSync('/proc/self/stat');

/**
 * The command line of a live process: its argv from /proc (Linux), else one string from `ps` (macOS).
 * Undefined when there is no such process, or only its zombie: an orphan that PID 1 never reaps (a
 * container's init often does not) keeps its PID but runs nothing.
 */
export function commandLineOf(pid: number): string[] | undefined {
  if (hasProc()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ")".
      const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
      if (state === 'Z' || state === 'X') return undefined;
      // NUL-terminated arguments; kept in place (an empty one too), as the checks compare positions.
      const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return text === '' ? [] : text.replace(/\0$/, '').split('\0');
    } catch {
      return undefined;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'stat=', '-o', 'command=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const [state, ...command] = out.split(/\s+/);
    return out === '' || state?.startsWith('Z') ? undefined : [command.join(' ')];
  } catch {
    // ps exits 1 when there is no such process.
    return undefined;
  }
}

/**
 * Whether a command line still is the process `up` started: it runs `p.path` exactly, as the
 * interpreter's first argument (as up started it: `python3 LAUNCHER …`, `node SCRIPT …`; a pyenv shim
 * execs the interpreter with the same arguments), with `p.option` (two words) later on. From /proc
 * each argument is compared whole, so a command that only mentions the path (an editor, `grep -r`,
 * `sh -c "… path …"`) is not ours. `ps` (macOS) gives one string: there the words are matched between
 * spaces, the path before the option.
 */
export function isSameProcess(commandLine: readonly string[], p: Pick<SandboxProcess, 'path' | 'option'>, fromPs = !hasProc()): boolean {
  const [flag, value] = p.option;
  if (fromPs) {
    const line = ` ${commandLine.join(' ')} `;
    const at = line.indexOf(` ${p.path} `);
    return at > 0 && line.indexOf(` ${flag} ${value} `, at + p.path.length + 1) > 0;
  }
  if (commandLine[1] !== p.path) return false;
  for (let i = 2; i < commandLine.length - 1; i++) if (commandLine[i] === flag && commandLine[i + 1] === value) return true;
  return false;
}

export type ProcessStatus = 'running' | 'gone' | 'not-ours';

/** running: the recorded PID is still our process; not-ours: the PID now belongs to another program. */
export function processStatus(p: SandboxProcess): ProcessStatus {
  const commandLine = commandLineOf(p.pid);
  if (commandLine === undefined) return 'gone';
  return isSameProcess(commandLine, p) ? 'running' : 'not-ours';
}

const signal = (pid: number, name: NodeJS.Signals): boolean => {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    // ESRCH: it ended in between.
    return false;
  }
};

export type StopOutcome = 'stopped' | 'gone' | 'not-ours';

/**
 * Stops one recorded process, and only while its PID still is that process: SIGTERM, then SIGKILL
 * after `graceMs`. `gone`: it had already ended; `not-ours`: the PID is another program's, left alone.
 */
export async function stopProcess(p: SandboxProcess, sleep: (ms: number) => Promise<void>, graceMs = 5000): Promise<StopOutcome> {
  const status = processStatus(p);
  if (status !== 'running') return status;
  signal(p.pid, 'SIGTERM');
  for (let waited = 0; waited < graceMs; waited += 100) {
    if (commandLineOf(p.pid) === undefined) return 'stopped';
    await sleep(100);
  }
  signal(p.pid, 'SIGKILL');
  for (let waited = 0; waited < 3000 && commandLineOf(p.pid) !== undefined; waited += 100) await sleep(100);
  return 'stopped';
}

/**
 * Starts `command` in its own session, detached from meshctl (it outlives it), stdin closed and
 * stdout and stderr appended to `logFile` (mode 0600). Resolves with its PID once it has started.
 */
export function spawnDetached(command: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv): Promise<number> {
  const log = openSync(logFile, 'a', 0o600);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid!);
    });
  }).finally(() => closeSync(log));
}
