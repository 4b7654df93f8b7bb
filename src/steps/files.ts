import { closeSync, constants, fsyncSync, lstatSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, UsageError } from '../errors.js';

// Synchronous on purpose: a CLI reads and writes one small file at a time, and node:fs/promises
// (with the streams it loads) would cost every start several milliseconds.

/** No input meshctl reads is anywhere near this; a bigger file is a mistake, not a task definition. */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;

function checkSize(path: string): void {
  const info = statSync(path);
  if (info.isFile() && info.size > MAX_INPUT_BYTES) {
    throw new InputError(
      `${path}: ${Math.round(info.size / 1024 / 1024)} MiB is too large for this input (the limit is ${MAX_INPUT_BYTES / 1024 / 1024} MiB); is it the right file?`,
    );
  }
}

/** Reads a user-named file; a missing, unreadable or huge file is an InputError that names it. */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    checkSize(path);
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file (${what})`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a folder, expected a file (${what})`);
    throw new InputError(`${path}: cannot read it (${code ?? (err as Error).message})`);
  }
}

/** Reads and parses a user-named JSON file (a UTF-8 byte-order mark is accepted); errors name the file. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = (await readTextFile(path, what)).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Reads a file, or returns undefined when it does not exist. */
export async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    checkSize(path);
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Throws UsageError when `path` exists and `force` is off: checked before any work, and again before writing. */
export function refuseExisting(path: string, force: boolean, flag: string): void {
  if (force) return;
  let exists = true;
  try {
    lstatSync(path);
  } catch {
    exists = false;
  }
  if (exists) throw new UsageError(`${flag}: ${path} already exists; pass --force to replace it`);
}

/**
 * Writes `text` to `path` atomically: a private temp file (mode 0600) in the same folder, then a
 * rename, so a reader never sees half a file. Refuses to replace an existing file unless `force`.
 */
export async function writeFileAtomic(path: string, text: string, force: boolean, flag = '--write'): Promise<void> {
  refuseExisting(path, force, flag);
  // node:crypto loads only when a file is written: it costs every start several milliseconds.
  const { randomBytes } = await import('node:crypto');
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // nothing was created
    }
    throw new InputError(`${flag}: cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
