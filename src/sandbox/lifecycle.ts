import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeControls } from '../core/escape.js';
import { shellQuote } from '../core/shell-quote.js';
import { AwsCallError, CheckFailedError, InterruptedError, UsageError } from '../errors.js';
import { readOptionalFile, writeFileAtomic } from '../runtime/files.js';
import { SANDBOX_PROFILE } from './detect.js';
import { profileConfigText, profileCredentialsText, profileUsage, SANDBOX_REGION, sandboxEnvironment } from './environment.js';
import {
  checkMoto,
  type MotoPython,
  freePort,
  keepTasksWhereTheyAre,
  launcherPath,
  MANAGED_POLICIES_ENV,
  motoArgs,
  portIsFree,
  resetMoto,
  waitForMoto,
} from './moto.js';
import { commandLineOf, processStatus, spawnDetached, stopProcess, type ProcessStatus, type StopOutcome } from './processes.js';
import { newToken, removeRecord, trustedSandbox, writeSandboxState } from './record.js';
import { SANDBOX_FILES, type SandboxFile, type SandboxProcess, type SandboxState, type SchedulerSettings, type World } from './state.js';

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

/** The folder, absolute, its symbolic links resolved when it exists (the record is kept by that path). */
function canonical(dirFlag: string): string {
  const dir = resolve(dirFlag);
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

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
      const text = readFileSync(lock, 'utf8').trim();
      const holder = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      // Taken over only when it holds a PID that no longer runs: a lock file is all this removes.
      if (attempt === 0 && holder > 1 && commandLineOf(holder) === undefined) {
        unlinkSync(lock);
        continue;
      }
      throw new UsageError(
        Number.isNaN(holder)
          ? `sandbox: ${shown(lock)} is not a lock meshctl wrote (no PID in it); remove it if no meshctl sandbox command works in ${shown(dir)}`
          : `sandbox: another meshctl sandbox command (PID ${holder}) is working in ${shown(dir)}; wait for it to end (or remove ${shown(lock)} if none runs)`,
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

/** Records the file `name` of the folder as up left it (replacing an earlier record of it). */
function noteFile(state: SandboxState, name: string, grows = false): void {
  const info = lstatSync(at(state.dir, name));
  const file: SandboxFile = { name, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, ...(grows ? { grows: true as const } : {}) };
  state.files = [...state.files.filter((f) => f.name !== name), file];
}

/** Removes a file up wrote while it is still that file; `changed`: it is another file now, or was written since, and stays. */
function removeOwnFile(dir: string, f: SandboxFile): 'removed' | 'gone' | 'changed' {
  let info;
  try {
    info = lstatSync(at(dir, f.name));
  } catch {
    return 'gone';
  }
  const same = info.isFile() && info.ino === f.ino && (f.grows === true || (info.size === f.size && info.mtimeMs === f.mtimeMs));
  return same && removeFile(at(dir, f.name)) ? 'removed' : 'changed';
}

/** Removes a PID file or ready file a recorded process wrote, while it holds that process's PID and nothing else. */
function removeIfHolds(path: string, pids: readonly number[]): boolean {
  try {
    const info = lstatSync(path);
    if (!info.isFile() || info.size > 20) return false;
    return pids.map(String).includes(readFileSync(path, 'utf8').trim()) && removeFile(path);
  } catch {
    return false;
  }
}

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
    path: script,
    option: ['--endpoint', state.endpoint],
  };
  noteFile(state, SANDBOX_FILES.schedulerLog, true);
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
  const { seedWorld } = await import('./worlds.js');
  let seeded;
  try {
    seeded = await seedWorld(state.world, state.endpoint);
  } catch (err) {
    // The AWS layer has translated moto's answer already (an AwsCallError names its operation).
    const call = err instanceof AwsCallError ? err : undefined;
    const name = call?.errorName ?? (err as Error).name ?? 'Error';
    const log = shown(at(state.dir, SANDBOX_FILES.motoLog));
    throw new AwsCallError(
      call?.operation ?? 'seed',
      name,
      call?.httpStatus,
      `sandbox: seeding the ${state.world} world into moto failed: ${escapeControls(String((err as Error).message ?? err))}; see ${log}`,
    );
  }
  await writeFileAtomic(at(state.dir, SANDBOX_FILES.cfnOutput), `${JSON.stringify(seeded.cfnOutput, null, 2)}\n`, true, 'sandbox');
  noteFile(state, SANDBOX_FILES.cfnOutput);
  return { cluster: seeded.cluster, subnetId: seeded.net.subnetId, securityGroupId: seeded.net.securityGroupId, ...scheduler };
}

/** Stops what a half-done up started and removes what it wrote (its failure is rethrown by the caller). */
async function undo(deps: SandboxDeps, state: SandboxState): Promise<void> {
  for (const p of [...state.processes].reverse()) await stopProcess(p, pause);
  for (const f of state.files) removeOwnFile(state.dir, f);
  const pids = state.processes.map((p) => p.pid);
  for (const name of [SANDBOX_FILES.pid, SANDBOX_FILES.ready]) removeIfHolds(at(state.dir, name), pids);
  removeFile(at(state.dir, SANDBOX_FILES.state));
  await removeRecord(deps.env, state.dir);
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
  const createdDir = !existsSync(resolve(opts.dir));
  if (createdDir) mkdirSync(resolve(opts.dir), { recursive: true, mode: 0o700 });
  const dir = canonical(opts.dir);
  if (!createdDir && !lstatSync(dir).isDirectory()) throw new UsageError(`--dir: ${shown(dir)} is not a folder`);
  try {
    return await withLock(dir, async () => {
      const existing = await trustedSandbox(deps.env, dir, 'up');
      if (existing?.stateFileGone) {
        throw new UsageError(
          `sandbox: a sandbox up started in ${shown(dir)} lost its state file ${SANDBOX_FILES.state}; run meshctl sandbox down --dir ${shown(shellQuote(dir))} to stop it, then sandbox up again`,
        );
      }
      if (existing) return { ...reuse(existing.state, opts, deps), reused: true };
      const taken = WRITTEN.filter((name) => exists(at(dir, name)));
      if (taken.length > 0 && !opts.force) {
        throw new UsageError(
          `sandbox: ${taken.join(', ')} already ${taken.length === 1 ? 'exists' : 'exist'} in ${shown(dir)}; pass --force to replace ${taken.length === 1 ? 'it' : 'them'}, or use another --dir`,
        );
      }
      const moto = checkMoto();
      const port = opts.port ?? (await freePort());
      if (opts.port !== undefined && !(await portIsFree(opts.port))) {
        throw new UsageError(`--port: 127.0.0.1:${opts.port} is in use; choose another port, or leave --port out for a free one`);
      }
      checkpoint(deps);
      const state: SandboxState = {
        version: 2,
        token: await newToken(),
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
        await start(deps, state, opts, moto);
      } catch (err) {
        await undo(deps, state);
        throw err;
      }
      return { ...infoOf(state), reused: false };
    });
  } catch (err) {
    if (createdDir) removeEmptyDir(dir);
    throw err;
  }
}

async function start(deps: SandboxDeps, state: SandboxState, opts: SandboxUpOptions, found: MotoPython): Promise<void> {
  const launcher = launcherPath();
  const motoLog = at(state.dir, SANDBOX_FILES.motoLog);
  const pidFile = at(state.dir, SANDBOX_FILES.pid);
  // Only --force gets here with these files present: the user asked to replace them.
  for (const name of WRITTEN) removeFile(at(state.dir, name));
  removeFile(pidFile);
  const env = { ...deps.env, ...MANAGED_POLICIES_ENV };
  const spawned = await spawnDetached(found.python, motoArgs(state.port, { pidFile }), motoLog, env);
  const moto: SandboxProcess = { name: 'moto', pid: spawned, path: launcher, option: ['-p', String(state.port)] };
  state.processes.push(moto);
  noteFile(state, SANDBOX_FILES.motoLog, true);
  // Written now, so that down can clean up after an up that dies half-way.
  await writeSandboxState(deps.env, state);
  await waitForMoto(state.endpoint, spawned, motoLog);
  // The launcher's own PID, should the interpreter be a shim that started it as a child.
  const own = Number((await readOptionalFile(pidFile))?.trim());
  if (Number.isInteger(own) && own > 1) moto.pid = own;
  removeIfHolds(pidFile, [moto.pid]);
  await writeSandboxState(deps.env, state);
  deps.info(`sandbox: moto ${found.version} answers on ${state.endpoint} (PID ${moto.pid}); seeding the ${state.world} world…`);
  checkpoint(deps);
  await keepTasksWhereTheyAre(state.endpoint);
  const settings = await seed(state, { taskDelayMs: opts.taskDelayMs, failNewTasks: opts.failNewTasks });
  checkpoint(deps);
  await writeFileAtomic(at(state.dir, SANDBOX_FILES.config), profileConfigText(state.endpoint), true, 'sandbox');
  noteFile(state, SANDBOX_FILES.config);
  await writeFileAtomic(at(state.dir, SANDBOX_FILES.credentials), profileCredentialsText(), true, 'sandbox');
  noteFile(state, SANDBOX_FILES.credentials);
  state.scheduler = settings;
  await startScheduler(deps, state, settings);
  await writeSandboxState(deps.env, state);
}

export interface ProcessReport {
  name: SandboxProcess['name'];
  pid: number;
  status: ProcessStatus;
}

/** `sandbox status`: the recorded sandbox and whether each of its processes still runs. */
export async function sandboxStatus(
  deps: Pick<SandboxDeps, 'env'>,
  dirFlag: string,
): Promise<{ dir: string; info?: SandboxInfo; processes: ProcessReport[]; running: boolean }> {
  const dir = canonical(dirFlag);
  const state = (await trustedSandbox(deps.env, dir, 'status'))?.state;
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
  /** Files up wrote that are another file now, or were written since: they stay. */
  left: string[];
  removedDir: boolean;
}

/**
 * `sandbox down`, on the sandbox up recorded in the folder (and only when the folder's state carries
 * the record's token): stops exactly the recorded PIDs (each only while its command line still runs the
 * launcher or the stand-in), removes the files up wrote that are unchanged, the record, and the folder
 * when up made it and it is empty.
 */
export async function sandboxDown(deps: Pick<SandboxDeps, 'env' | 'info'>, dirFlag: string): Promise<SandboxDownResult> {
  const dir = canonical(dirFlag);
  const work = async (): Promise<SandboxDownResult & { createdDir: boolean }> => {
    const none = { dir, found: false, processes: [], removed: [], left: [], removedDir: false, createdDir: false };
    const trusted = await trustedSandbox(deps.env, dir, 'down');
    if (!trusted) return none;
    const { state } = trusted;
    if (trusted.stateFileGone)
      deps.info(`sandbox: ${SANDBOX_FILES.state} is gone from ${shown(dir)}; stopping what meshctl's own record lists`);
    const processes: SandboxDownResult['processes'] = [];
    // The stand-in first: it would only fail against a stopped moto.
    for (const p of [...state.processes].reverse()) processes.push({ name: p.name, pid: p.pid, outcome: await stopProcess(p, pause) });
    const removed: string[] = [];
    const left: string[] = [];
    for (const f of state.files) {
      const outcome = removeOwnFile(dir, f);
      if (outcome === 'removed') removed.push(f.name);
      if (outcome === 'changed') left.push(f.name);
    }
    const pids = state.processes.map((p) => p.pid);
    for (const name of [SANDBOX_FILES.pid, SANDBOX_FILES.ready]) if (removeIfHolds(at(dir, name), pids)) removed.push(name);
    if (!trusted.stateFileGone && removeFile(at(dir, SANDBOX_FILES.state))) removed.push(SANDBOX_FILES.state);
    await removeRecord(deps.env, dir);
    return { ...none, found: true, world: state.world, endpoint: state.endpoint, processes, removed, left, createdDir: state.createdDir };
  };
  // A folder removed by hand: its record still says what runs.
  const { createdDir, ...result } = existsSync(dir) ? await withLock(dir, work) : await work();
  return { ...result, removedDir: createdDir && removeEmptyDir(dir) };
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
  const dir = canonical(dirFlag);
  const noSandbox = () =>
    new UsageError(`sandbox: no sandbox in ${shown(dir)}; start one with meshctl sandbox up --dir ${shown(shellQuote(dir))}`);
  if (!existsSync(dir)) throw noSandbox();
  return withLock(dir, async () => {
    const trusted = await trustedSandbox(deps.env, dir, 'reset');
    if (!trusted || trusted.stateFileGone) throw noSandbox();
    const { state } = trusted;
    const moto = state.processes.find((p) => p.name === 'moto');
    if (!moto || processStatus(moto) !== 'running') {
      throw new UsageError(
        `sandbox: moto of the sandbox in ${shown(dir)} is not running; run meshctl sandbox down --dir ${shown(shellQuote(dir))}, then sandbox up`,
      );
    }
    for (const p of state.processes.filter((x) => x.name === 'scheduler')) await stopProcess(p, pause);
    state.processes = [moto];
    await writeSandboxState(deps.env, state);
    await resetMoto(state.endpoint);
    deps.info(`sandbox: moto at ${state.endpoint} emptied; seeding the ${state.world} world again…`);
    const settings = await seed(state, {
      taskDelayMs: changes.taskDelayMs ?? state.scheduler?.taskDelayMs ?? 0,
      failNewTasks: changes.failNewTasks ?? state.scheduler?.failNewTasks ?? false,
    });
    state.scheduler = settings;
    await startScheduler(deps, state, settings);
    await writeSandboxState(deps.env, state);
    return infoOf(state);
  });
}
