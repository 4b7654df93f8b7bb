import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { escapeControls } from '../core/escape.js';
import { CheckFailedError, UsageError } from '../errors.js';
import { commandLineOf } from './processes.js';

/** The one line that makes `python3` able to run the sandbox. */
export const MOTO_INSTALL = "python3 -m pip install 'moto[server]==5.2.1'";

/**
 * The launcher that patches moto 5.2.1's two bugs (see its docstring), beside this module: in dist/
 * (the build copies it there) and in src/sandbox/ when run from source.
 */
export function launcherPath(): string {
  return fileURLToPath(new URL('./moto_launcher.py', import.meta.url));
}

/** AWS managed policies (AWSAppMeshEnvoyAccess, for doctor) exist in moto only when asked for. */
export const MANAGED_POLICIES_ENV = { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } as const;

/**
 * The arguments for `python3` that start moto through the launcher on 127.0.0.1:`port`: with
 * `pidFile`, the launcher writes its own PID there; with `untilStdinCloses`, it ends when its stdin
 * (a pipe from the process that started it) closes.
 */
export function motoArgs(port: number, options: { pidFile?: string; untilStdinCloses?: boolean } = {}): string[] {
  return [
    launcherPath(),
    ...(options.pidFile === undefined ? [] : ['--pid-file', options.pidFile]),
    ...(options.untilStdinCloses ? ['--until-stdin-closes'] : []),
    '-H',
    '127.0.0.1',
    '-p',
    String(port),
  ];
}

/**
 * Finds moto and what its server needs without importing them (importing moto's server costs a second or
 * more of CPU, which the launcher pays again right after): a missing one fails as its import would. Prints
 * moto's version and the interpreter's own path.
 */
const CHECK_MOTO = [
  'import importlib.metadata, importlib.util, sys',
  'for name in ("moto", "flask", "flask_cors", "werkzeug"):',
  '    if importlib.util.find_spec(name) is None: raise ModuleNotFoundError(f"No module named {name!r}")',
  'print(importlib.metadata.version("moto"))',
  'print(sys.executable)',
].join('\n');

export interface MotoPython {
  /** moto's version. */
  version: string;
  /**
   * The interpreter that found it, by its own path (`sys.executable`): the launcher starts with it directly,
   * not through `python3` again, which may be a shim (pyenv's runs a few shell scripts first, a third of a
   * second of CPU); `python` itself when the interpreter does not know its path.
   */
  python: string;
}

/**
 * Checks that `python` finds moto 5.2.x and its server's packages (the launcher patches 5.2.1's internals);
 * returns its version and the interpreter, or throws a UsageError (exit 2) that ends with the install line.
 */
export function checkMoto(python = 'python3'): MotoPython {
  const r = spawnSync(python, ['-c', CHECK_MOTO], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    throw new UsageError(
      `sandbox: ${python} is not on the PATH; the sandbox runs moto, a Python AWS emulator. Install Python 3, then:\n  ${MOTO_INSTALL}`,
    );
  }
  if (r.error || r.status !== 0) {
    const why = (r.stderr ?? '').trim().split('\n').pop()?.trim() || (r.error?.message ?? `exit ${r.status}`);
    throw new UsageError(`sandbox: ${python} cannot import moto (${escapeControls(why)}); install it with:\n  ${MOTO_INSTALL}`);
  }
  const [version = '', executable = ''] = r.stdout
    .trim()
    .split('\n')
    .map((line) => line.trim());
  if (!/^5\.2\.\d+/.test(version)) {
    throw new UsageError(
      `sandbox: ${python} has moto ${escapeControls(version)}; the sandbox needs moto 5.2.x (its launcher patches two moto 5.2.1 bugs):\n  ${MOTO_INSTALL}`,
    );
  }
  return { version, python: executable || python };
}

/** A free TCP port on loopback, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether `port` can be bound on 127.0.0.1 now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const tail = (file: string) => {
  try {
    return escapeControls(readFileSync(file, 'utf8').trim().split('\n').slice(-8).join('\n'));
  } catch {
    return '(no log)';
  }
};

/** Waits until moto at `url` answers /moto-api/; fails early when process `pid` has ended. */
export async function waitForMoto(url: string, pid: number, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (commandLineOf(pid) === undefined)
      throw new CheckFailedError(`sandbox: moto ended before it answered on ${url}; the end of ${logFile}:\n${tail(logFile)}`);
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new CheckFailedError(
    `sandbox: moto did not answer on ${url} within ${timeoutMs / 1000}s; the end of ${logFile}:\n${tail(logFile)}`,
  );
}

async function post(url: string, body?: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new CheckFailedError(`sandbox: moto answered HTTP ${res.status} to POST ${url}`);
}

/**
 * moto moves a task one state further on every DescribeTasks (RUNNING, DEACTIVATING, ... STOPPED).
 * Manual progression with a huge count keeps tasks where RunTask and StopTask put them, as ECS would.
 */
export function keepTasksWhereTheyAre(url: string): Promise<void> {
  return post(`${url}/moto-api/state-manager/set-transition`, {
    model_name: 'ecs::task',
    transition: { progression: 'manual', times: 1_000_000_000 },
  });
}

/**
 * A moto started through the launcher with MESHCTL_MOTO_SNAPSHOTS=1 (the tests') keeps a deep copy of every
 * resource it holds under `name` (POST /meshctl-api/snapshot) and puts a fresh copy of it back on restore:
 * false when the launcher could not (no such snapshot, something moto holds that cannot be copied, another server).
 */
export async function snapshotMoto(url: string, name = 'default'): Promise<boolean> {
  return (await fetch(`${url}/meshctl-api/snapshot?name=${encodeURIComponent(name)}`, { method: 'POST' })).ok;
}

/** Puts back what snapshotMoto kept (see there), then keeps ECS tasks where RunTask puts them; false when it could not. */
export async function restoreMoto(url: string, name = 'default'): Promise<boolean> {
  if (!(await fetch(`${url}/meshctl-api/restore?name=${encodeURIComponent(name)}`, { method: 'POST' })).ok) return false;
  await keepTasksWhereTheyAre(url);
  return true;
}

/** Clears every resource in moto, then keeps ECS tasks where RunTask puts them again. */
export async function resetMoto(url: string): Promise<void> {
  await post(`${url}/moto-api/reset`);
  await keepTasksWhereTheyAre(url);
}
