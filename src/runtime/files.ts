import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { escapeControls } from '../core/escape.js';
import { checkJsonDepth } from '../core/json.js';
import { InputError, UsageError } from '../errors.js';

// Synchronous on purpose: a CLI reads and writes one small file at a time, and node:fs/promises
// (with the streams it loads) would cost every start several milliseconds.

/** No input meshctl reads is anywhere near this; a bigger file is a mistake, not a task definition. */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

// O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer inside open(2), in the main
// thread, where no signal handler runs (only kill -9 ends it). O_NOCTTY: a terminal named as a file
// must not become meshctl's controlling terminal. Both are refused after the open anyway.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** What a file that is not a regular file is, for a message; undefined for a regular file. */
function kindOf(info: ReturnType<typeof fstatSync>): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** `bytes` is undefined when reading stopped at the limit, before the end. */
function tooLarge(name: string, bytes?: number): InputError {
  const limit = MAX_INPUT_BYTES / MiB;
  const size = bytes !== undefined && Math.round(bytes / MiB) > limit ? `${Math.round(bytes / MiB)} MiB` : `more than ${limit} MiB`;
  return new InputError(`${name}: ${size} is too large for this input (the limit is ${limit} MiB); is it the right file?`);
}

/**
 * The text of a regular file, or undefined when it does not exist. The descriptor is checked (not the
 * path, which could change in between), and at most the limit and one byte are read: a file that grows
 * while it is read, or one whose size stat does not know (/proc), stays within the limit too.
 */
function readRegularFile(path: string, what: string | undefined): string | undefined {
  const name = escapeControls(path);
  const purpose = what ? ` (${what})` : '';
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // open(2) answers ENXIO for a socket, and for a device that is not there.
    if (code === 'ENXIO') throw new InputError(`${name}: is a socket or a device that is not there, expected a regular file${purpose}`);
    if (code === 'EISDIR') throw new InputError(`${name}: is a folder, expected a file${purpose}`);
    throw new InputError(`${name}: cannot read it (${code ?? (err as Error).message})`);
  }
  try {
    const info = fstatSync(fd);
    const kind = kindOf(info);
    if (kind) throw new InputError(`${name}: is ${kind}, expected a ${info.isDirectory() ? '' : 'regular '}file${purpose}`);
    if (info.size > MAX_INPUT_BYTES) throw tooLarge(name, info.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, MAX_INPUT_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_INPUT_BYTES) throw tooLarge(name);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${name}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a user-named file; a missing, unreadable, huge or not regular file (a folder, a FIFO, a
 * device) is an InputError that names it.
 */
export async function readTextFile(path: string, what: string): Promise<string> {
  const text = readRegularFile(path, what);
  if (text === undefined) throw new InputError(`${escapeControls(path)}: no such file (${what})`);
  return text;
}

/**
 * Reads and parses a user-named JSON file (a UTF-8 byte-order mark is accepted); errors name the file.
 * Nesting deeper than any input meshctl reads is refused here, before anything walks it.
 */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = (await readTextFile(path, what)).replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8 quotes the text around the error: it may hold escape sequences meant for a terminal.
    throw new InputError(`${escapeControls(path)}: not valid JSON (${escapeControls((err as Error).message)})`);
  }
  checkJsonDepth(value, path);
  return value;
}

/** Reads a file, or returns undefined when it does not exist; anything else is as readTextFile. */
export async function readOptionalFile(path: string): Promise<string | undefined> {
  return readRegularFile(path, undefined);
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

// O_APPEND: what is there stays (another step's summary); O_NOFOLLOW: a symbolic link is refused, not
// followed; O_NONBLOCK: a FIFO with no reader is ENXIO at once instead of a blocked open(2).
const APPEND_FLAGS =
  constants.O_WRONLY |
  constants.O_APPEND |
  constants.O_CREAT |
  (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0) |
  (constants.O_NOCTTY ?? 0);

/**
 * Appends `text` to the regular file at `path` (named by `what`, an environment variable, in
 * messages), creating it private (0600) when it does not exist; never truncates. A FIFO, a device, a
 * socket, a folder or a symbolic link is refused before anything is written: an InputError.
 */
export function appendToFile(path: string, text: string, what: string): void {
  const name = `${what}: ${escapeControls(path)}`;
  const refuse = (kind: string) => new InputError(`${name} is ${kind}, expected a regular file; nothing was written to it`);
  try {
    // Looked at before it is opened: opening a device can act on it.
    const kind = kindOf(lstatSync(path));
    if (kind) throw refuse(kind);
  } catch (err) {
    if (err instanceof InputError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new InputError(`${name}: cannot read it (${(err as NodeJS.ErrnoException).code})`);
  }
  let fd: number;
  try {
    fd = openSync(path, APPEND_FLAGS, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ELOOP: a symbolic link put there since; ENXIO: a FIFO with no reader, or a socket.
    if (code === 'ELOOP') throw refuse('a symbolic link');
    if (code === 'ENXIO') throw refuse('a named pipe (FIFO) or a socket');
    throw new InputError(`${name}: cannot write it (${code ?? (err as Error).message})`);
  }
  try {
    // The descriptor is checked too: the path may have changed since lstat.
    const kind = kindOf(fstatSync(fd));
    if (kind) throw refuse(kind);
    const bytes = Buffer.from(text, 'utf8');
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${name}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    closeSync(fd);
  }
}
