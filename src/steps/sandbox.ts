import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeControls } from '../core/escape.js';
import { AwsCallError, CheckFailedError, InterruptedError, UsageError } from '../errors.js';
import { SANDBOX_PROFILE } from '../sandbox/detect.js';
import { profileConfigText, profileCredentialsText, profileUsage, SANDBOX_REGION, sandboxEnvironment } from '../sandbox/environment.js';
import {
  checkMoto,
  freePort,
  keepTasksWhereTheyAre,
  launcherPath,
  MANAGED_POLICIES_ENV,
  motoArgs,
  portIsFree,
  resetMoto,
  waitForMoto,
} from '../sandbox/moto.js';
import { commandLineOf, processStatus, spawnDetached, stopProcess, type ProcessStatus, type StopOutcome } from '../sandbox/processes.js';
import {
  formatSandboxState,
  parseSandboxState,
  SANDBOX_FILES,
  type SandboxProcess,
  type SandboxState,
  type SchedulerSettings,
  type World,
} from '../sandbox/state.js';
import { readOptionalFile, writeFileAtomic } from './files.js';

/** What the sandbox's steps need from main.ts: the environment its processes inherit, and the signal. */
export interface SandboxDeps {
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  info(line: string): void;
}

export interface SandboxUpOptions {
  dir: string;
  /** Undefined: workshop for a new sandbox, whatever runs for a reused one. */
  world?: World;
  port?: number;
  force: boolean;
  taskDelayMs: number;
  failNewTasks: boolean;
}

/** A sandbox as `up` (or reset) leaves it, with what a shell or a profile needs to reach it. */
export interface SandboxInfo {
  state: SandboxState;
  stateFile: string;
  env: Record<string, string>;
  profile: { name: string; configFile: string; credentialsFile: string; usage: string };
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const at = (dir: string, name: string) => join(dir, name);
const shown = (path: string) => escapeControls(path);

/** The stand-in's script, beside the bundle (scripts/build.mjs makes dist/sandbox-scheduler.js). */
function schedulerScript(): string {
  const script = fileURLToPath(new URL('./sandbox-scheduler.js', import.meta.url));
  if (!existsSync(script)) throw new UsageError(`sandbox: ${script} is missing; run npm run build first`);
  return script;
}

export function infoOf(state: SandboxState): SandboxInfo {
  const configFile = at(state.dir, SANDBOX_FILES.config);
  const credentialsFile = at(state.dir, SANDBOX_FILES.credentials);
  return {
    state,
    stateFile: at(state.dir, SANDBOX_FILES.state),
    env: sandboxEnvironment(state.endpoint),
    profile: { name: SANDBOX_PROFILE, configFile, credentialsFile, usage: profileUsage(configFile, credentialsFile) },
  };
}

/** The state file of the sandbox in `dir`, or undefined when there is none. */
export async function readSandboxState(dir: string): Promise<SandboxState | undefined> {
  const file = at(dir, SANDBOX_FILES.state);
  const text = await readOptionalFile(file);
  return text === undefined ? undefined : parseSandboxState(text, file);
}

const writeState = (state: SandboxState) => writeFileAtomic(at(state.dir, SANDBOX_FILES.state), formatSandboxState(state), true, 'sandbox');

/**
 * Runs `work` holding the folder's lock file (O_EXCL), so two sandbox commands in one folder never
 * start two servers. A lock whose PID no longer runs is stale and taken over.
 */
async function withLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = at(dir, SANDBOX_FILES.lock);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new UsageError(`sandbox: cannot write ${shown(lock)} (${(err as Error).message})`);
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (attempt === 0 && !(Number.isInteger(holder) && holder > 1 && commandLineOf(holder) !== undefined)) {
        unlinkSync(lock);
        continue;
      }
      throw new UsageError(
        `sandbox: another meshctl sandbox command (PID ${holder}) is working in ${shown(dir)}; wait for it to end (or remove ${shown(lock)} if none runs)`,
      );
    }
  }
  try {
    return await work();
  } finally {
    removeFile(lock);
  }
}

function removeFile(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

const exists = (path: string) => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

function checkpoint(deps: SandboxDeps): void {
  if (deps.signal.aborted) throw new InterruptedError('interrupted');
}

/** What `up` writes into the folder besides its state file. */
const WRITTEN = [
  SANDBOX_FILES.cfnOutput,
  SANDBOX_FILES.config,
  SANDBOX_FILES.credentials,
  SANDBOX_FILES.motoLog,
  SANDBOX_FILES.schedulerLog,
];

function reuse(state: SandboxState, opts: SandboxUpOptions, deps: SandboxDeps): SandboxInfo {
  const down = state.processes.map((p) => [p, processStatus(p)] as const).filter(([, s]) => s !== 'running');
  const dir = shown(state.dir);
  if (down.length > 0) {
    const what = down.map(([p, s]) => `${p.name} PID ${p.pid}: ${s === 'gone' ? 'not running' : 'now another program'}`).join(', ');
    throw new UsageError(
      `sandbox: ${dir} holds a sandbox that is not running (${what}); run meshctl sandbox down --dir ${dir} to clean it up, then sandbox up again`,
    );
  }
  if (opts.world !== undefined && opts.world !== state.world) {
    throw new UsageError(
      `sandbox: the ${state.world} world already runs in ${dir} (${state.endpoint}); run meshctl sandbox down --dir ${dir} first, or use another --dir`,
    );
  }
  if (opts.port !== undefined && opts.port !== state.port) {
    throw new UsageError(
      `sandbox: the sandbox in ${dir} runs on port ${state.port}, not ${opts.port}; run meshctl sandbox down --dir ${dir} first`,
    );
  }
  deps.info(`sandbox: already running in ${dir} (${state.world} world, ${state.endpoint}); nothing started`);
  return infoOf(state);
}

/**
 * Starts the scheduler stand-in detached and waits until its first pass has seen what runs (its ready
 * file): a rollout started before then would be taken for the starting point. Its record for the state file.
 */
async function startScheduler(deps: SandboxDeps, state: SandboxState, settings: SchedulerSettings): Promise<SandboxProcess> {
  const script = schedulerScript();
  const ready = at(state.dir, SANDBOX_FILES.ready);
  removeFile(ready);
  const args = [
    script,
    ...['--dir', state.dir, '--endpoint', state.endpoint, '--cluster', settings.cluster],
    ...['--subnet', settings.subnetId, '--security-group', settings.securityGroupId, '--task-delay-ms', String(settings.taskDelayMs)],
    ...(settings.failNewTasks ? ['--fail-new-tasks'] : []),
    ...['--ready-file', ready],
  ];
  const log = at(state.dir, SANDBOX_FILES.schedulerLog);
  const scheduler: SandboxProcess = {
    name: 'scheduler',
    pid: await spawnDetached(process.execPath, args, log, { ...deps.env }),
    match: [script, state.endpoint],
  };
  // In the state before it is ready, so that a failure from here on stops it too.
  state.processes.push(scheduler);
  for (let waited = 0; !exists(ready); waited += 50) {
    if (waited >= 20_000 || commandLineOf(scheduler.pid) === undefined) {
      throw new CheckFailedError(`sandbox: the ECS scheduler stand-in did not get ready within 20s; see ${shown(log)}`);
    }
    await pause(50);
  }
  removeFile(ready);
  return scheduler;
}

/** Seeds the world and writes its cfn-output.json; the stand-in's settings. */
async function seed(state: SandboxState, scheduler: Pick<SchedulerSettings, 'taskDelayMs' | 'failNewTasks'>): Promise<SchedulerSettings> {
  const { seedWorld } = await import('../sandbox/worlds.js');
  let seeded;
  try {
    seeded = await seedWorld(state.world, state.endpoint);
  } catch (err) {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const log = shown(at(state.dir, SANDBOX_FILES.motoLog));
    throw new AwsCallError(
      'seed',
      e.name ?? 'Error',
      e.$metadata?.httpStatusCode,
      `sandbox: seeding the ${state.world} world into moto failed: ${e.name ?? 'Error'}: ${escapeControls(String(e.message ?? err))}; see ${log}`,
    );
  }
  await writeFileAtomic(at(state.dir, SANDBOX_FILES.cfnOutput), `${JSON.stringify(seeded.cfnOutput, null, 2)}\n`, true, 'sandbox');
  return { cluster: seeded.cluster, subnetId: seeded.net.subnetId, securityGroupId: seeded.net.securityGroupId, ...scheduler };
}

/** Stops what a half-done up started and removes what it wrote (its failure is rethrown by the caller). */
async function undo(state: SandboxState, createdDir: boolean): Promise<void> {
  for (const p of [...state.processes].reverse()) await stopProcess(p, pause);
  for (const name of [...state.files, SANDBOX_FILES.state, SANDBOX_FILES.pid, SANDBOX_FILES.ready]) removeFile(at(state.dir, name));
  if (createdDir) removeEmptyDir(state.dir, [SANDBOX_FILES.lock]);
}

function removeEmptyDir(dir: string, ignoring: readonly string[] = []): boolean {
  try {
    if (readdirSync(dir).some((f) => !ignoring.includes(f))) return false;
    for (const f of ignoring) removeFile(at(dir, f));
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * `sandbox up`: moto through the patching launcher on a free loopback port, the world seeded, its
 * cfn-output.json and profile files written, and the ECS scheduler stand-in started, both detached and
 * recorded by PID in the state file. A sandbox already running in the folder is reused.
 */
export async function sandboxUp(deps: SandboxDeps, opts: SandboxUpOptions): Promise<SandboxInfo & { reused: boolean }> {
  const dir = resolve(opts.dir);
  const createdDir = !existsSync(dir);
  if (createdDir) mkdirSync(dir, { recursive: true, mode: 0o700 });
  else if (!lstatSync(dir).isDirectory()) throw new UsageError(`--dir: ${shown(dir)} is not a folder`);
  try {
    return await withLock(dir, async () => {
      const existing = await readSandboxState(dir);
      if (existing) return { ...reuse(existing, opts, deps), reused: true };
      const taken = WRITTEN.filter((name) => exists(at(dir, name)));
      if (taken.length > 0 && !opts.force) {
        throw new UsageError(
          `sandbox: ${taken.join(', ')} already ${taken.length === 1 ? 'exists' : 'exist'} in ${shown(dir)}; pass --force to replace ${taken.length === 1 ? 'it' : 'them'}, or use another --dir`,
        );
      }
      const version = checkMoto();
      const port = opts.port ?? (await freePort());
      if (opts.port !== undefined && !(await portIsFree(opts.port))) {
        throw new UsageError(`--port: 127.0.0.1:${opts.port} is in use; choose another port, or leave --port out for a free one`);
      }
      checkpoint(deps);
      const state: SandboxState = {
        version: 1,
        world: opts.world ?? 'workshop',
        dir,
        endpoint: `http://127.0.0.1:${port}`,
        port,
        region: SANDBOX_REGION,
        createdAt: new Date().toISOString(),
        createdDir,
        processes: [],
        files: [],
      };
      try {
        await start(deps, state, opts, version);
      } catch (err) {
        await undo(state, false);
        throw err;
      }
      return { ...infoOf(state), reused: false };
    });
  } catch (err) {
    if (createdDir) removeEmptyDir(dir);
    throw err;
  }
}

async function start(deps: SandboxDeps, state: SandboxState, opts: SandboxUpOptions, version: string): Promise<void> {
  const launcher = launcherPath();
  const motoLog = at(state.dir, SANDBOX_FILES.motoLog);
  const pidFile = at(state.dir, SANDBOX_FILES.pid);
  state.files.push(...WRITTEN);
  for (const name of WRITTEN) removeFile(at(state.dir, name));
  removeFile(pidFile);
  const env = { ...deps.env, ...MANAGED_POLICIES_ENV };
  const spawned = await spawnDetached('python3', motoArgs(state.port, { pidFile }), motoLog, env);
  const moto: SandboxProcess = { name: 'moto', pid: spawned, match: [launcher, String(state.port)] };
  state.processes.push(moto);
  // Written now, so that down can clean up after an up that dies half-way.
  await writeState(state);
  await waitForMoto(state.endpoint, spawned, motoLog);
  // The launcher's own PID: `python3` may be a shim that started it as a child.
  const own = Number((await readOptionalFile(pidFile))?.trim());
  removeFile(pidFile);
  if (Number.isInteger(own) && own > 1) moto.pid = own;
  deps.info(`sandbox: moto ${version} answers on ${state.endpoint} (PID ${moto.pid}); seeding the ${state.world} world…`);
  checkpoint(deps);
  await keepTasksWhereTheyAre(state.endpoint);
  const settings = await seed(state, { taskDelayMs: opts.taskDelayMs, failNewTasks: opts.failNewTasks });
  checkpoint(deps);
  await writeFileAtomic(at(state.dir, SANDBOX_FILES.config), profileConfigText(state.endpoint), true, 'sandbox');
  await writeFileAtomic(at(state.dir, SANDBOX_FILES.credentials), profileCredentialsText(), true, 'sandbox');
  state.scheduler = settings;
  await startScheduler(deps, state, settings);
  await writeState(state);
}

export interface ProcessReport {
  name: SandboxProcess['name'];
  pid: number;
  status: ProcessStatus;
}

/** `sandbox status`: the recorded sandbox and whether each of its processes still runs. */
export async function sandboxStatus(
  dirFlag: string,
): Promise<{ dir: string; info?: SandboxInfo; processes: ProcessReport[]; running: boolean }> {
  const dir = resolve(dirFlag);
  const state = await readSandboxState(dir);
  if (!state) return { dir, processes: [], running: false };
  const processes = state.processes.map((p) => ({ name: p.name, pid: p.pid, status: processStatus(p) }));
  return { dir, info: infoOf(state), processes, running: processes.length === 2 && processes.every((p) => p.status === 'running') };
}

export interface SandboxDownResult {
  dir: string;
  found: boolean;
  world?: World;
  endpoint?: string;
  processes: { name: SandboxProcess['name']; pid: number; outcome: StopOutcome }[];
  removed: string[];
  removedDir: boolean;
}

/**
 * `sandbox down`: stops exactly the recorded PIDs (each only while its command line still is the
 * launcher's or the stand-in's), then removes what up wrote, and the folder when up made it and it is empty.
 */
export async function sandboxDown(dirFlag: string): Promise<SandboxDownResult> {
  const dir = resolve(dirFlag);
  if (!existsSync(dir)) return { dir, found: false, processes: [], removed: [], removedDir: false };
  const result = await withLock(dir, async (): Promise<SandboxDownResult> => {
    const state = await readSandboxState(dir);
    if (!state) return { dir, found: false, processes: [], removed: [], removedDir: false };
    const processes: SandboxDownResult['processes'] = [];
    // The stand-in first: it would only fail against a stopped moto.
    for (const p of [...state.processes].reverse()) processes.push({ name: p.name, pid: p.pid, outcome: await stopProcess(p, pause) });
    const removed = [...state.files, SANDBOX_FILES.pid, SANDBOX_FILES.ready, SANDBOX_FILES.state].filter((name) =>
      removeFile(at(dir, name)),
    );
    return { dir, found: true, world: state.world, endpoint: state.endpoint, processes, removed, removedDir: state.createdDir };
  });
  return { ...result, removedDir: result.removedDir && removeEmptyDir(dir) };
}

/**
 * `sandbox reset`: the stand-in stopped, moto emptied (/moto-api/reset), the world seeded again and
 * cfn-output.json rewritten, the stand-in started again (with new settings when given).
 */
export async function sandboxReset(
  deps: SandboxDeps,
  dirFlag: string,
  changes: { taskDelayMs?: number; failNewTasks?: boolean },
): Promise<SandboxInfo> {
  const dir = resolve(dirFlag);
  if (!existsSync(dir)) throw new UsageError(`sandbox: no sandbox in ${shown(dir)}; start one with meshctl sandbox up --dir ${shown(dir)}`);
  return withLock(dir, async () => {
    const state = await readSandboxState(dir);
    if (!state) throw new UsageError(`sandbox: no sandbox in ${shown(dir)}; start one with meshctl sandbox up --dir ${shown(dir)}`);
    const moto = state.processes.find((p) => p.name === 'moto');
    if (!moto || processStatus(moto) !== 'running') {
      throw new UsageError(
        `sandbox: moto of the sandbox in ${shown(dir)} is not running; run meshctl sandbox down --dir ${shown(dir)}, then sandbox up`,
      );
    }
    for (const p of state.processes.filter((x) => x.name === 'scheduler')) await stopProcess(p, pause);
    state.processes = [moto];
    await writeState(state);
    await resetMoto(state.endpoint);
    deps.info(`sandbox: moto at ${state.endpoint} emptied; seeding the ${state.world} world again…`);
    const settings = await seed(state, {
      taskDelayMs: changes.taskDelayMs ?? state.scheduler?.taskDelayMs ?? 0,
      failNewTasks: changes.failNewTasks ?? state.scheduler?.failNewTasks ?? false,
    });
    if (!state.files.includes(SANDBOX_FILES.cfnOutput)) state.files.push(SANDBOX_FILES.cfnOutput);
    state.scheduler = settings;
    await startScheduler(deps, state, settings);
    await writeState(state);
    return infoOf(state);
  });
}
