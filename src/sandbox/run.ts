import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellJoin, shellQuote } from '../core/shell-quote.js';
import { InterruptedError, UsageError } from '../errors.js';
import { sandboxDown, sandboxUp, type SandboxDeps, type SandboxDownResult, type SandboxInfo, type SandboxUpOptions } from './lifecycle.js';
import { SANDBOX_FILES } from './state.js';

/** What `sandbox run` starts (as up does) and the meshctl command it runs against it. */
export interface SandboxRunOptions extends Omit<SandboxUpOptions, 'dir' | 'force'> {
  /** Undefined: a new folder under the temp folder, which down removes. */
  dir?: string;
  /** The meshctl command and its flags, without `meshctl`. */
  command: string[];
  /** --json: the command's stdout is kept for the report instead of passed through. */
  captureStdout: boolean;
}

export interface SandboxRunResult {
  info: SandboxInfo;
  /** A sandbox already ran in --dir: used, and left running. */
  reused: boolean;
  command: string[];
  /** The command's exit code; null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** SIGINT or SIGTERM reached sandbox run while the command ran (it was passed on). */
  interrupted: boolean;
  /** The command's stdout, when kept. */
  stdout?: string;
  down?: SandboxDownResult;
}

/** No command's output comes near this; more is cut (and said so) rather than held. */
const MAX_STDOUT = 16 * 1024 * 1024;
/** After passing on SIGINT, how long the command gets to end by itself before SIGKILL. */
const GRACE_MS = 15_000;

/** meshctl's own entry point, beside the bundle (dist/ → bin/meshctl.js): the command runs on the same node and build. */
function meshctlBin(): string {
  const bin = fileURLToPath(new URL('../bin/meshctl.js', import.meta.url));
  if (!existsSync(bin)) throw new UsageError(`sandbox run: ${bin} is missing; run npm run build first`);
  return bin;
}

/**
 * The command's environment: the user's, without a single AWS_ variable (a profile, a role, a
 * per-service endpoint or a session token must not lead it anywhere else), plus the sandbox's: the
 * variables `sandbox up` prints, and its own config and credentials files in place of ~/.aws.
 */
export function runEnvironment(env: Readonly<Record<string, string | undefined>>, info: SandboxInfo): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !name.startsWith('AWS_')) out[name] = value;
  return {
    ...out,
    ...info.env,
    AWS_CONFIG_FILE: info.profile.configFile,
    AWS_SHARED_CREDENTIALS_FILE: info.profile.credentialsFile,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** The command's arguments: the sandbox's cfn-output.json first, unless the command names its own. */
export function runArguments(command: readonly string[], cfnOutput: string): string[] {
  const own = command.some((a) => a === '--cfn-output' || a.startsWith('--cfn-output='));
  return own ? [...command] : ['--cfn-output', cfnOutput, ...command];
}

async function runChild(
  deps: SandboxDeps,
  args: string[],
  env: Record<string, string>,
  capture: boolean,
): Promise<Pick<SandboxRunResult, 'exitCode' | 'signal' | 'interrupted' | 'stdout'>> {
  const child = spawn(process.execPath, args, { env, stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'] });
  const chunks: Buffer[] = [];
  let kept = 0;
  child.stdout?.on('data', (d: Buffer) => {
    if (kept < MAX_STDOUT) chunks.push(d.subarray(0, MAX_STDOUT - kept));
    kept += d.length;
  });
  let interrupted = false;
  let killer: NodeJS.Timeout | undefined;
  // A Ctrl-C in a terminal reaches the command too (one process group); a signal sent to sandbox run
  // alone does not: it is passed on once, then the command has GRACE_MS to end by itself.
  const onAbort = () => {
    interrupted = true;
    child.kill('SIGINT');
    killer = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
  };
  deps.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => resolve([code, sig]));
    });
    const text = Buffer.concat(chunks).toString('utf8');
    const stdout = !capture ? undefined : kept > MAX_STDOUT ? `${text}\n[cut at ${MAX_STDOUT / 1024 / 1024} MiB]` : text;
    return { exitCode, signal, interrupted, stdout };
  } finally {
    deps.signal.removeEventListener('abort', onAbort);
    clearTimeout(killer);
  }
}

/**
 * `sandbox run`: starts a sandbox as `up` does (in a new temp folder unless --dir), runs one meshctl
 * command against it as a child of the same node and build, with the sandbox's environment and its
 * cfn-output.json, then stops the sandbox as `down` does, whatever the command did (a sandbox that
 * already ran in --dir is used and left running). The caller turns the command's end into the exit code.
 */
export async function sandboxRun(deps: SandboxDeps, opts: SandboxRunOptions): Promise<SandboxRunResult> {
  const bin = meshctlBin();
  const dir = opts.dir ?? join(tmpdir(), `meshctl-sandbox-${(await import('node:crypto')).randomBytes(6).toString('hex')}`);
  const up = await sandboxUp(deps, { ...opts, dir, force: false });
  const { state } = up;
  let ran: Awaited<ReturnType<typeof runChild>>;
  let down: SandboxDownResult | undefined;
  try {
    if (deps.signal.aborted) throw new InterruptedError('sandbox run: interrupted before the command started');
    deps.info(`sandbox run: meshctl ${shellJoin(opts.command)}, against the ${state.world} world at ${state.endpoint}`);
    const args = [bin, ...runArguments(opts.command, join(state.dir, SANDBOX_FILES.cfnOutput))];
    ran = await runChild(deps, args, runEnvironment(deps.env, up), opts.captureStdout);
  } finally {
    if (!up.reused) {
      // A second Ctrl-C ends meshctl at once: the one command that then stops the sandbox is said first.
      deps.info(`sandbox run: stopping the sandbox (should this be cut short: meshctl sandbox down --dir ${shellQuote(state.dir)})`);
      down = await sandboxDown(deps, state.dir);
    }
  }
  return { info: up, reused: up.reused, command: opts.command, ...ran, down };
}
