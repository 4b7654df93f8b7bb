import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_MOTO_ENV } from './moto.js';
import { projectRoot } from './paths.js';

export const BIN = join(projectRoot(), 'bin/meshctl.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to a clean environment: PATH, HOME, dummy credentials, CI=true, no region, moto's one managed policy. */
  env?: Record<string, string | undefined>;
  /** Called with the child once it runs (to send signals, say). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

/** The runs of this worker that have not ended yet. */
const running = new Set<ReturnType<typeof spawn>>();

/**
 * Ends (SIGKILL) every run still going, as one a timed-out test left behind: the next file shares this
 * worker's moto, and nothing of one file may run on into the next.
 */
export function killLeftoverRuns(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Runs the built CLI as a user would, with a clean environment and no stdin. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.cwd ?? '/nonexistent',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
    // A sandbox these runs start holds only the managed policy meshctl reads and logs no requests (see TEST_MOTO_ENV).
    MESHCTL_MOTO_MANAGED_POLICIES: TEST_MOTO_ENV.MESHCTL_MOTO_MANAGED_POLICIES,
    MESHCTL_MOTO_QUIET: TEST_MOTO_ENV.MESHCTL_MOTO_QUIET,
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    running.add(child);
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/** Environment for a CLI run against moto. */
export function motoEnv(url: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { AWS_ENDPOINT_URL: url, AWS_REGION: 'us-west-2', ...extra };
}

/**
 * An onSpawn that sends one SIGINT, as a user's Ctrl-C, once stderr has matched `marker`: a second
 * SIGINT means "out now", and one that lands after meshctl has let go of its handlers ends it by the signal.
 */
export function interruptOnce(marker: RegExp): NonNullable<CliOptions['onSpawn']> {
  return (child) => {
    let err = '';
    let sent = false;
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && marker.test(err)) sent = child.kill('SIGINT');
    });
  };
}

/**
 * An onSpawn that waits for stderr to match `marker`, and `seen`, which resolves then, or when the run
 * ends without it (so a test never waits for a line that cannot come, and its assertions tell why).
 */
export function stderrMatches(marker: RegExp): { onSpawn: NonNullable<CliOptions['onSpawn']>; seen: Promise<void> } {
  let done: () => void = () => undefined;
  const seen = new Promise<void>((resolve) => (done = resolve));
  return {
    seen,
    onSpawn: (child) => {
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (marker.test(err)) done();
      });
      child.once('close', () => done());
    },
  };
}
