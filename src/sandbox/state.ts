import { escapeControls } from '../core/escape.js';
import { InputError } from '../errors.js';

export const WORLDS = ['workshop', 'runbook'] as const;
export type World = (typeof WORLDS)[number];

/** The files `sandbox up` writes into its folder, by role. `down` removes those the state lists. */
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

/** A process `up` started: `match` holds words its command line has while it still is that process. */
export interface SandboxProcess {
  name: 'moto' | 'scheduler';
  pid: number;
  match: string[];
}

/** What the scheduler stand-in was started with (reset starts it again the same way). */
export interface SchedulerSettings {
  cluster: string;
  subnetId: string;
  securityGroupId: string;
  taskDelayMs: number;
  failNewTasks: boolean;
}

/** The state file: written atomically, mode 0600, by up and reset; read by status, down and reset. */
export interface SandboxState {
  version: 1;
  world: World;
  /** The sandbox folder, absolute. */
  dir: string;
  endpoint: string;
  port: number;
  region: string;
  createdAt: string;
  /** up made the folder: down removes it when it is empty. */
  createdDir: boolean;
  scheduler?: SchedulerSettings;
  processes: SandboxProcess[];
  /** Names, inside `dir`, of the files up wrote (the state file itself is not listed). */
  files: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPid = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 1;
const isName = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9._-]+$/.test(v) && v !== '.' && v !== '..';

/** Reads the state file's text; anything that is not a state `up` wrote is an InputError naming `file`. */
export function parseSandboxState(text: string, file: string): SandboxState {
  const bad = (why: string) =>
    new InputError(`${escapeControls(file)}: not a meshctl sandbox state file (${why}); remove it if no sandbox runs from this folder`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('not valid JSON');
  }
  if (!isObject(value) || value.version !== 1) throw bad('no "version": 1');
  if (!WORLDS.includes(value.world as World)) throw bad(`"world" must be one of ${WORLDS.join(', ')}`);
  if (typeof value.endpoint !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+$/.test(value.endpoint))
    throw bad('"endpoint" is not a loopback URL');
  if (!Number.isInteger(value.port) || (value.port as number) < 1 || (value.port as number) > 65535) throw bad('"port" is not a port');
  if (typeof value.dir !== 'string' || !value.dir.startsWith('/')) throw bad('"dir" is not an absolute path');
  const processes = value.processes;
  if (!Array.isArray(processes) || !processes.every((p) => isObject(p) && isPid(p.pid) && Array.isArray(p.match) && p.match.length > 0))
    throw bad('"processes" must list { name, pid, match }');
  if (
    !processes.every(
      (p) => (p.name === 'moto' || p.name === 'scheduler') && p.match.every((m: unknown) => typeof m === 'string' && m !== ''),
    )
  )
    throw bad('a process has an unknown name or an empty match');
  if (!Array.isArray(value.files) || !value.files.every(isName)) throw bad('"files" must be plain file names');
  const s = value.scheduler;
  if (
    s !== undefined &&
    !(isObject(s) && typeof s.cluster === 'string' && Number.isInteger(s.taskDelayMs) && typeof s.failNewTasks === 'boolean')
  )
    throw bad('"scheduler" is malformed');
  return value as unknown as SandboxState;
}

/** The state file's text. */
export function formatSandboxState(state: SandboxState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}
