import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  keepTasksWhereTheyAre,
  launcherPath,
  MANAGED_POLICIES_ENV,
  motoArgs,
  resetMoto,
  waitForMoto,
} from '../../src/sandbox/moto.js';
import { stopProcess } from '../../src/sandbox/processes.js';

// Moto starts, waits and resets through the sandbox's own code (src/sandbox/moto.ts, and the launcher
// `meshctl sandbox up` ships in dist/); what only the tests add is the worker's one server below.

export { freePort, keepTasksWhereTheyAre };

/**
 * The tests' moto (and every sandbox a test starts): only the AWS managed policies meshctl reads (moto
 * builds every one of its ~1,300 again in each IAM backend after each reset, seconds each time; the
 * launcher keeps these), and no line per request in its log (a fifth of moto's time under the tests);
 * the worker's moto also keeps snapshots (snapshotMoto: the workshop's world is seeded once per server).
 */
export const TEST_MOTO_ENV = {
  ...MANAGED_POLICIES_ENV,
  MESHCTL_MOTO_MANAGED_POLICIES: 'AWSAppMeshEnvoyAccess',
  MESHCTL_MOTO_QUIET: '1',
  MESHCTL_MOTO_SNAPSHOTS: '1',
};

export interface Moto {
  url: string;
  pid: number;
  /** Whether the server still runs. */
  running(): boolean;
  /** Clears every resource, then keeps ECS tasks where RunTask puts them (see keepTasksWhereTheyAre). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Starts moto on a free loopback port through the patching launcher, waits for /moto-api/ and keeps
 * tasks where they are. Its stdin is a pipe from this process: moto ends when this process ends,
 * however it ends, so none outlives a test run. Its output goes to a log file named in any failure.
 */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(mkdtempSync(join(tmpdir(), 'meshctl-moto-')), 'moto.log');
  const log = openSync(logFile, 'a', 0o600);
  const env = { ...process.env, ...TEST_MOTO_ENV };
  let child: ChildProcess;
  try {
    child = spawn('python3', motoArgs(port, { untilStdinCloses: true }), { stdio: ['pipe', log, log], env });
  } finally {
    closeSync(log);
  }
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  const pid = child.pid!;
  await waitForMoto(url, pid, logFile);
  await keepTasksWhereTheyAre(url);
  return {
    url,
    pid,
    running: () => child.exitCode === null && child.signalCode === null,
    reset: () => resetMoto(url),
    async stop() {
      child.stdin?.end();
      await stopProcess({ name: 'moto', pid, path: launcherPath(), option: ['-p', String(port)] }, pause, 3000);
    },
  };
}

/** This worker's server, started by the first file that asks for it. */
let server: Promise<Moto> | undefined;

/**
 * The test worker's moto, reset: one server per worker (e2e files run without isolation,
 * one after another in the same worker, see vitest.config.ts) instead of one per file. It is started
 * by the first file that needs it and reset before every file that asks again; a server that has ended
 * is replaced. It ends with the worker (startMoto).
 */
export async function workerMoto(): Promise<Moto> {
  const known = await server?.catch(() => undefined);
  if (known?.running()) {
    await known.reset();
    return known;
  }
  server = startMoto();
  return server;
}
