import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, keepTasksWhereTheyAre } from '../../src/sandbox/moto.js';
import { projectRoot } from './paths.js';

// The launcher ships with meshctl (src/sandbox/, copied into dist/ by the build): `meshctl sandbox up`
// and these tests start moto through the same file.
const LAUNCHER = join(projectRoot(), 'src/sandbox/moto_launcher.py');

export { freePort, keepTasksWhereTheyAre };

export interface Moto {
  url: string;
  pid: number;
  /** Clears every resource, then keeps ECS tasks where RunTask puts them (see keepTasksWhereTheyAre). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForMoto(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`moto_server did not answer on ${url} within 30s:\n${log()}`);
}

/** Starts moto on a free loopback port through the patching launcher and waits for /moto-api/. */
export async function startMoto(options: { managedPolicies?: boolean } = {}): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // AWS managed policies (AWSAppMeshEnvoyAccess, for doctor) exist in moto only when asked for; they
  // make every reset slower, so only the files that need them ask.
  const env = { ...process.env, ...(options.managedPolicies ? { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } : {}) };
  const child = spawn('python3', [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  await waitForMoto(url, child, () => log);
  await keepTasksWhereTheyAre(url);
  return {
    url,
    pid: child.pid!,
    async reset() {
      const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
      await keepTasksWhereTheyAre(url);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(child.pid!, 'SIGTERM');
        setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 3000).unref();
      }),
  };
}
