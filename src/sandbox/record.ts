import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { escapeControls } from '../core/escape.js';
import { shellQuote } from '../core/shell-quote.js';
import { InputError, UsageError } from '../errors.js';
import { readOptionalFile, writeFileAtomic } from '../runtime/files.js';
import { formatSandboxState, isToken, parseSandboxState, SANDBOX_FILES, type SandboxState } from './state.js';

// `up` keeps a private record of each sandbox it starts, beside the state it writes into the folder:
// a state file in a folder can come from anywhere (a cloned repository, a copied folder, a hand), the
// record only from an `up` of this user. status, reset and down act on the record, and only when the
// folder's state carries the record's token.

type Env = Readonly<Record<string, string | undefined>>;
const shown = (path: string) => escapeControls(path);

/**
 * The folder of the records: $XDG_STATE_HOME/meshctl/sandboxes (an absolute XDG_STATE_HOME only, as
 * the XDG spec says), else ~/.local/state/meshctl/sandboxes.
 */
export function recordsDir(env: Env): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'meshctl', 'sandboxes');
}

/** The record of the sandbox in `dir` (absolute, links resolved): one file per folder, named by its hash. */
export async function recordPath(env: Env, dir: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return join(recordsDir(env), `${createHash('sha256').update(dir).digest('hex').slice(0, 32)}.json`);
}

/** A new token: 32 random bytes. */
export async function newToken(): Promise<string> {
  const { randomBytes } = await import('node:crypto');
  return randomBytes(32).toString('base64url');
}

const ownedByMe = (uid: number) => process.getuid === undefined || uid === process.getuid();

/** The records' folder and meshctl's above it: made 0700 when missing, and refused when not a private folder of this user. */
function ensureRecordsDir(env: Env): string {
  const dir = recordsDir(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new UsageError(`sandbox: cannot make ${shown(dir)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  for (const folder of [join(dir, '..'), dir]) {
    const info = lstatSync(folder);
    if (!info.isDirectory() || !ownedByMe(info.uid)) {
      throw new UsageError(
        `sandbox: ${shown(folder)} is not a folder of yours (a link, a file or another user's); meshctl keeps its private sandbox records there: remove it or set XDG_STATE_HOME`,
      );
    }
    if ((info.mode & 0o077) !== 0) chmodSync(folder, 0o700);
  }
  return dir;
}

/** Writes the record of `state` (atomically, 0600), then its state into the folder: a record never misses a running sandbox. */
export async function writeSandboxState(env: Env, state: SandboxState): Promise<void> {
  ensureRecordsDir(env);
  const text = formatSandboxState(state);
  await writeFileAtomic(await recordPath(env, state.dir), text, true, 'sandbox');
  await writeFileAtomic(join(state.dir, SANDBOX_FILES.state), text, true, 'sandbox');
}

/** The record of the sandbox in `dir`, or undefined when up recorded none there. */
export async function readRecord(env: Env, dir: string): Promise<SandboxState | undefined> {
  const path = await recordPath(env, dir);
  let info;
  try {
    info = lstatSync(path);
  } catch {
    return undefined;
  }
  if (!info.isFile() || !ownedByMe(info.uid)) {
    throw new UsageError(`sandbox: ${shown(path)} is not a record meshctl wrote (not a file of yours); remove it`);
  }
  const text = await readOptionalFile(path);
  if (text === undefined) return undefined;
  const state = parseSandboxState(text, path);
  if (state.dir !== dir) throw new UsageError(`sandbox: ${shown(path)} records ${shown(state.dir)}, not ${shown(dir)}; remove it`);
  return state;
}

/** Removes the record of the sandbox in `dir` (nothing when there is none). */
export async function removeRecord(env: Env, dir: string): Promise<void> {
  try {
    unlinkSync(await recordPath(env, dir));
  } catch {
    // none was there
  }
}

async function sameToken(a: string, b: string): Promise<boolean> {
  const { timingSafeEqual } = await import('node:crypto');
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token a folder's state text holds, when it holds one (the rest of it is never used). */
function tokenOf(text: string): { token?: string; version?: unknown } {
  try {
    const value = JSON.parse(text) as { token?: unknown; version?: unknown };
    return { token: isToken(value?.token) ? value.token : undefined, version: value?.version };
  } catch {
    return {};
  }
}

/** A sandbox `up` recorded, as its record holds it; `stateFileGone`: the folder's state file was not there. */
export interface TrustedSandbox {
  state: SandboxState;
  stateFileGone: boolean;
}

/**
 * The sandbox in `dir` that this user's `up` recorded, or undefined when there is none (neither a state
 * file nor a record). A state file without the record, or with another token, is refused (exit 2)
 * before anything is stopped or removed: `command` (down, status, reset, up) says what did nothing.
 */
export async function trustedSandbox(env: Env, dir: string, command: string): Promise<TrustedSandbox | undefined> {
  const stateFile = join(dir, SANDBOX_FILES.state);
  const text = await readOptionalFile(stateFile);
  const record = await readRecord(env, dir);
  if (text === undefined) return record && { state: record, stateFileGone: true };
  const file = shown(stateFile);
  const nothing = `meshctl sandbox ${command} acts only on a sandbox it recorded itself, so it stopped, removed and changed nothing`;
  const folder = tokenOf(text);
  if (record === undefined) {
    if (folder.version === 1) {
      throw new InputError(
        `sandbox: ${file} was written by an earlier meshctl, which kept no private record of its sandbox; ${nothing}. ` +
          'Stop its moto and stand-in yourself if they still run (ps -ef | grep -e moto_launcher.py -e sandbox-scheduler.js), ' +
          'then remove the files it lists that are yours to remove, and the state file',
      );
    }
    throw new InputError(
      `sandbox: ${file} was not written by a sandbox up of yours in this folder: ` +
        `there is no private record of a sandbox in ${shown(dir)} under ${shown(recordsDir(env))} ` +
        `(a copied or cloned folder carries the state file, not the record); ${nothing}. ` +
        `If no sandbox of yours runs from this folder, remove ${file} yourself; a sandbox started in another folder stops with meshctl sandbox down --dir <that folder>`,
    );
  }
  if (folder.token === undefined || !(await sameToken(folder.token, record.token))) {
    throw new InputError(
      `sandbox: ${file} is not the state up wrote for the sandbox in ${shown(dir)}: ` +
        `its token differs from the private record ${shown(await recordPath(env, dir))} ` +
        `(the file was replaced, or copied from another sandbox's folder); ${nothing}. ` +
        `Remove ${file} and run meshctl sandbox down --dir ${shown(shellQuote(dir))} again: down then stops what the record lists and removes the files up wrote that are unchanged`,
    );
  }
  return { state: record, stateFileGone: false };
}
