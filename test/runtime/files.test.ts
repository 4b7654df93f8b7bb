import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { appendToFile, MAX_INPUT_BYTES, readJsonFile, readOptionalFile, readTextFile } from '../../src/runtime/files.js';

let dir: string;
const at = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-files-'));
  writeFileSync(at('plain.txt'), 'hello\n');
  writeFileSync(at('bom.json'), '\uFEFF{"a":1}');
  writeFileSync(at('at-limit.txt'), Buffer.alloc(MAX_INPUT_BYTES, 0x61));
  writeFileSync(at('over-limit.txt'), Buffer.alloc(MAX_INPUT_BYTES + 1, 0x61));
  writeFileSync(at('escapes.json'), `{"a": ${String.fromCharCode(27)}]0;owned${String.fromCharCode(7)}}`);
  writeFileSync(at('deep.json'), `{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  mkdirSync(at('a-folder'));
  execFileSync('mkfifo', [at('a-fifo')]);
  symlinkSync(at('plain.txt'), at('link-to-plain'));
  symlinkSync(at('a-fifo'), at('link-to-fifo'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The InputError `read` rejects with (the test fails when it resolves). */
async function refusal(read: Promise<unknown>): Promise<InputError> {
  const result = await read.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  expect(result).toHaveProperty('err');
  const err = (result as { err: unknown }).err;
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

let writers = 0;

/**
 * The refusal of `read` on the FIFO, with a writer that turns up after 3 s and leaves a mark first: an
 * open that waited for a writer would end only after the mark, and the test fails instead of hanging.
 */
async function refusedBeforeAWriter(read: () => Promise<unknown>): Promise<InputError> {
  const mark = at(`writer-came-${++writers}`);
  const script = `setTimeout(() => { const fs = require('fs'); fs.writeFileSync(${JSON.stringify(mark)}, ''); fs.writeFileSync(${JSON.stringify(at('a-fifo'))}, 'x'); }, 3000)`;
  const writer = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  try {
    const err = await refusal(read());
    expect(existsSync(mark), 'the read waited for a writer').toBe(false);
    return err;
  } finally {
    writer.kill('SIGKILL');
  }
}

describe('readTextFile', () => {
  it('reads a regular file, and one through a symbolic link', async () => {
    expect(await readTextFile(at('plain.txt'), 'test')).toBe('hello\n');
    expect(await readTextFile(at('link-to-plain'), 'test')).toBe('hello\n');
  });

  it('reads a file of exactly the limit', async () => {
    expect((await readTextFile(at('at-limit.txt'), 'test')).length).toBe(MAX_INPUT_BYTES);
  });

  it('refuses one byte more, naming the file and the limit', async () => {
    const err = await refusal(readTextFile(at('over-limit.txt'), 'test'));
    expect(err.message).toBe(
      `${at('over-limit.txt')}: more than 10 MiB is too large for this input (the limit is 10 MiB); is it the right file?`,
    );
  });

  it.runIf(existsSync('/proc/self/status'))('reads a regular file whose size stat does not know (/proc)', async () => {
    expect(await readTextFile('/proc/self/status', 'test')).toMatch(/^Name:/);
  });

  it('names a missing file and what it was for', async () => {
    expect((await refusal(readTextFile(at('nope.json'), '--from-file'))).message).toBe(`${at('nope.json')}: no such file (--from-file)`);
  });

  it('refuses a folder', async () => {
    expect((await refusal(readTextFile(at('a-folder'), '--from-file'))).message).toBe(
      `${at('a-folder')}: is a folder, expected a file (--from-file)`,
    );
  });

  it('refuses a device without reading it (/dev/null would read as empty)', async () => {
    expect((await refusal(readTextFile('/dev/null', 'the --cfn-output file'))).message).toBe(
      '/dev/null: is a device, expected a regular file (the --cfn-output file)',
    );
  });

  it.each(['a-fifo', 'link-to-fifo'])('refuses a FIFO (%s) at once instead of waiting for a writer', async (name) => {
    const err = await refusedBeforeAWriter(() => readTextFile(at(name), 'the mesh file'));
    expect(err.message).toBe(`${at(name)}: is a named pipe (FIFO), expected a regular file (the mesh file)`);
  });

  it('escapes control characters in the name it prints', async () => {
    const err = await refusal(readTextFile(at(`no${String.fromCharCode(27)}[2J`), 'test'));
    expect(err.message).toContain('no\\u001b[2J: no such file');
  });
});

describe('readOptionalFile', () => {
  it('returns undefined for a missing file: absent, not an error', async () => {
    expect(await readOptionalFile(at('cfn-output.json'))).toBeUndefined();
  });

  it('reads a regular file', async () => {
    expect(await readOptionalFile(at('plain.txt'))).toBe('hello\n');
  });

  it('refuses a FIFO all the same', async () => {
    const err = await refusedBeforeAWriter(() => readOptionalFile(at('a-fifo')));
    expect(err.message).toBe(`${at('a-fifo')}: is a named pipe (FIFO), expected a regular file`);
  });

  it.each([
    ['a-folder', /is a folder, expected a file$/],
    ['over-limit.txt', /too large/],
  ])('refuses %s all the same', async (name, message) => {
    expect((await refusal(readOptionalFile(at(name)))).message).toMatch(message);
  });
});

describe('readJsonFile', () => {
  it('accepts a UTF-8 byte-order mark', async () => {
    expect(await readJsonFile(at('bom.json'), 'test')).toEqual({ a: 1 });
  });

  it('quotes a parse error with the control characters of the file escaped', async () => {
    const err = await refusal(readJsonFile(at('escapes.json'), 'test'));
    expect(err.message).toMatch(/escapes\.json: not valid JSON \(.*\\u001b\]0;owned\\u0007/);
    expect(err.message).not.toMatch(/\p{Cc}/u);
  });

  it('refuses nesting deeper than 64 levels with the path, not a stack overflow', async () => {
    expect((await refusal(readJsonFile(at('deep.json'), 'test'))).message).toBe(
      `${at('deep.json')}: a[0][0][0][0][0][0][0]…: nested deeper than 64 levels; is this the right file?`,
    );
  });
});

describe('appendToFile (GITHUB_STEP_SUMMARY)', () => {
  it('appends to what is there, never truncating', () => {
    writeFileSync(at('summary.md'), 'earlier step\n');
    appendToFile(at('summary.md'), 'one\n', 'GITHUB_STEP_SUMMARY');
    appendToFile(at('summary.md'), 'two\n', 'GITHUB_STEP_SUMMARY');
    expect(readFileSync(at('summary.md'), 'utf8')).toBe('earlier step\none\ntwo\n');
  });

  it('creates a file that does not exist, private', () => {
    appendToFile(at('new-summary.md'), 'ü\n', 'GITHUB_STEP_SUMMARY');
    expect(readFileSync(at('new-summary.md'), 'utf8')).toBe('ü\n');
    expect(statSync(at('new-summary.md')).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['a-fifo', /is a named pipe \(FIFO\)/],
    ['link-to-plain', /is a symbolic link/],
    ['link-to-fifo', /is a symbolic link/],
    ['a-folder', /is a folder/],
  ])('refuses %s at once, writing nothing', (name, message) => {
    expect(() => appendToFile(at(name), 'x', 'GITHUB_STEP_SUMMARY')).toThrow(message);
    expect(readFileSync(at('plain.txt'), 'utf8')).toBe('hello\n');
  });

  it('refuses a device', () => {
    expect(() => appendToFile('/dev/null', 'x', 'GITHUB_STEP_SUMMARY')).toThrow(/^GITHUB_STEP_SUMMARY: \/dev\/null is a device/);
  });
});
