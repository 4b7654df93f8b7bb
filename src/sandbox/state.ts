import { escapeControls } from '../core/escape.js';
import { InputError } from '../errors.js';

export const WORLDS = ['workshop', 'runbook'] as const;
export type World = (typeof WORLDS)[number];

/** The files `sandbox up` writes into its folder, by role. `down` removes those the private record lists. */
export const SANDBOX_FILES = {
  state: '.meshctl-sandbox.json',
  lock: '.meshctl-sandbox.lock',
  pid: '.meshctl-sandbox-moto.pid',
  ready: '.meshctl-sandbox-scheduler.ready',
  cfnOutput: 'cfn-output.json',
  config: 'config',
  credentials: 'credentials',
  motoLog: 'moto.log',
  schedulerLog: 'scheduler.log',
} as const;

/** The script each process runs, by the name its path ends with. */
export const PROCESS_SCRIPTS = { moto: 'moto_launcher.py', scheduler: 'sandbox-scheduler.js' } as const;

/**
 * A process `up` started. It still is that process while its command line runs `path` (the launcher's
 * or the stand-in's exact path, as the interpreter's first argument) with `option` after it: `-p PORT`
 * for moto, `--endpoint URL` for the stand-in.
 */
export interface SandboxProcess {
  name: 'moto' | 'scheduler';
  pid: number;
  path: string;
  option: [string, string];
}

/**
 * A file `up` wrote into the folder, as it left it: `down` removes it only while it is still that file
 * (same inode, and for a file that does not grow, same size and mtime). The logs grow while the
 * sandbox runs (`grows`): their inode alone tells them.
 */
export interface SandboxFile {
  name: string;
  size: number;
  mtimeMs: number;
  ino: number;
  grows?: true;
}

/** What the scheduler stand-in was started with (reset starts it again the same way). */
export interface SchedulerSettings {
  cluster: string;
  subnetId: string;
  securityGroupId: string;
  taskDelayMs: number;
  failNewTasks: boolean;
}

/**
 * The state of a sandbox: written atomically, mode 0600, by up and reset, twice: into the folder
 * (`.meshctl-sandbox.json`, for people and tools) and as the private record under the user's state
 * directory (record.ts), which is what status, reset and down act on. `token` ties the two together:
 * a folder copied, cloned or written by hand carries no record with its token.
 */
export interface SandboxState {
  version: 2;
  /** Random, made by up; the folder's state and the record hold the same one. */
  token: string;
  world: World;
  /** The sandbox folder, absolute, symbolic links resolved. */
  dir: string;
  endpoint: string;
  port: number;
  region: string;
  createdAt: string;
  /** up made the folder: down removes it when it is empty. */
  createdDir: boolean;
  scheduler?: SchedulerSettings;
  processes: SandboxProcess[];
  /** The files up wrote inside `dir` (the state file itself is not listed). */
  files: SandboxFile[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPid = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 1;
const isName = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9._-]+$/.test(v) && v !== '.' && v !== '..';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isProcess = (p: unknown): boolean =>
  isObject(p) &&
  (p.name === 'moto' || p.name === 'scheduler') &&
  isPid(p.pid) &&
  typeof p.path === 'string' &&
  p.path.startsWith('/') &&
  p.path.endsWith(`/${PROCESS_SCRIPTS[p.name]}`) &&
  Array.isArray(p.option) &&
  p.option.length === 2 &&
  p.option.every((w: unknown) => typeof w === 'string' && w !== '');
const isFile = (f: unknown): boolean =>
  isObject(f) &&
  isName(f.name) &&
  f.name !== SANDBOX_FILES.state &&
  isCount(f.size) &&
  isCount(f.mtimeMs) &&
  isCount(f.ino) &&
  (f.grows === undefined || f.grows === true);

/** The token's shape: what up makes (32 random bytes, base64url). */
export const isToken = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);

/** Reads a state's text; anything that is not a state `up` wrote is an InputError naming `file`. */
export function parseSandboxState(text: string, file: string): SandboxState {
  const bad = (why: string) =>
    new InputError(`${escapeControls(file)}: not a meshctl sandbox state file (${why}); remove it if no sandbox runs from this folder`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('not valid JSON');
  }
  if (!isObject(value) || value.version !== 2) throw bad('no "version": 2');
  if (!isToken(value.token)) throw bad('no "token"');
  if (!WORLDS.includes(value.world as World)) throw bad(`"world" must be one of ${WORLDS.join(', ')}`);
  if (typeof value.endpoint !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+$/.test(value.endpoint))
    throw bad('"endpoint" is not a loopback URL');
  if (!Number.isInteger(value.port) || (value.port as number) < 1 || (value.port as number) > 65535) throw bad('"port" is not a port');
  if (typeof value.dir !== 'string' || !value.dir.startsWith('/')) throw bad('"dir" is not an absolute path');
  if (typeof value.createdDir !== 'boolean') throw bad('"createdDir" is not true or false');
  if (!Array.isArray(value.processes) || !value.processes.every(isProcess))
    throw bad('"processes" must list { name, pid, path, option }, path the launcher\'s or the stand-in\'s');
  if (!Array.isArray(value.files) || !value.files.every(isFile)) throw bad('"files" must list { name, size, mtimeMs, ino }, plain names');
  const s = value.scheduler;
  if (
    s !== undefined &&
    !(isObject(s) && typeof s.cluster === 'string' && Number.isInteger(s.taskDelayMs) && typeof s.failNewTasks === 'boolean')
  )
    throw bad('"scheduler" is malformed');
  return value as unknown as SandboxState;
}

/** The state's text. */
export function formatSandboxState(state: SandboxState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}
