import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readRecord, recordPath, writeSandboxState } from '../../src/sandbox/record.js';
import type { SandboxFile, SandboxState } from '../../src/sandbox/state.js';
import { sandboxDown } from '../../src/sandbox/lifecycle.js';

// down against a record written here (no moto): what it stops, removes and leaves, and what it refuses.
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/** A folder up would have made, its files recorded, and an unrelated process whose command line holds the launcher's words. */
async function sandboxFolder() {
  const root = mkdtempSync(join(tmpdir(), 'meshctl-down-'));
  const dir = join(root, 'sb');
  mkdirSync(dir);
  const env = { XDG_STATE_HOME: join(root, 'state'), HOME: '/nonexistent' };
  const launcher = join(root, 'dist/moto_launcher.py');
  const unrelated = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', launcher, '-p', '5000'], { stdio: 'ignore' });
  children.push(unrelated);
  await new Promise((r) => unrelated.once('spawn', r));
  const files: SandboxFile[] = [];
  for (const [name, grows] of [
    ['cfn-output.json', false],
    ['config', false],
    ['credentials', false],
    ['moto.log', true],
  ] as const) {
    writeFileSync(join(dir, name), `${name}\n`);
    const info = lstatSync(join(dir, name));
    files.push({ name, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, ...(grows ? { grows: true as const } : {}) });
  }
  const state: SandboxState = {
    version: 2,
    token: 'T'.repeat(43),
    world: 'workshop',
    dir,
    endpoint: 'http://127.0.0.1:5000',
    port: 5000,
    region: 'us-west-2',
    createdAt: '2026-12-01T00:00:00.000Z',
    createdDir: true,
    processes: [{ name: 'moto', pid: unrelated.pid!, path: launcher, option: ['-p', '5000'] }],
    files,
  };
  await writeSandboxState(env, state);
  const info = (): void => undefined;
  return { root, dir, env, state, unrelated, deps: { env, info } };
}

describe('sandbox down', () => {
  it('removes only the files up wrote that are unchanged, lists the others, signals no process that is not the launcher', async () => {
    const s = await sandboxFolder();
    writeFileSync(join(s.dir, 'keep.txt'), 'mine\n');
    writeFileSync(join(s.dir, 'cfn-output.json'), '{"EcsClusterName": "edited by the user"}\n');
    // credentials replaced by another file of the same name and size.
    writeFileSync(join(s.dir, 'credentials.new'), 'credentials\n');
    renameSync(join(s.dir, 'credentials.new'), join(s.dir, 'credentials'));
    appendFileSync(join(s.dir, 'moto.log'), 'a line moto wrote later\n');
    const r = await sandboxDown(s.deps, s.dir);
    expect(r).toMatchObject({
      found: true,
      processes: [{ name: 'moto', pid: s.unrelated.pid, outcome: 'not-ours' }],
      removed: ['config', 'moto.log', '.meshctl-sandbox.json'],
      left: ['cfn-output.json', 'credentials'],
      removedDir: false,
    });
    expect(alive(s.unrelated)).toBe(true);
    expect(readdirSync(s.dir).sort()).toEqual(['cfn-output.json', 'credentials', 'keep.txt']);
    expect(existsSync(await recordPath(s.env, s.dir))).toBe(false);
  });

  it('removes the folder it made once nothing else is in it', async () => {
    const s = await sandboxFolder();
    const r = await sandboxDown(s.deps, s.dir);
    expect(r).toMatchObject({ found: true, left: [], removedDir: true });
    expect(existsSync(s.dir)).toBe(false);
  });

  it('a copied sandbox folder: refused (exit 2), nothing signalled or removed, and the original still recorded', async () => {
    const s = await sandboxFolder();
    const copy = join(s.root, 'copy');
    cpSync(s.dir, copy, { recursive: true });
    writeFileSync(join(copy, 'keep.txt'), 'mine\n');
    const before = readdirSync(copy).sort();
    const down = sandboxDown(s.deps, copy);
    await expect(down).rejects.toThrow(InputError);
    await expect(sandboxDown(s.deps, copy)).rejects.toThrow(/was not written by a sandbox up of yours in this folder/);
    expect(readdirSync(copy).sort()).toEqual(before);
    expect(alive(s.unrelated)).toBe(true);
    expect(await readRecord(s.env, s.dir)).toEqual(s.state);
  });

  it("a hand-written state file naming the user's files and a process: refused, all of them stay", async () => {
    const s = await sandboxFolder();
    const cloned = join(s.root, 'cloned');
    mkdirSync(cloned);
    writeFileSync(join(cloned, 'keep.txt'), 'mine\n');
    writeFileSync(join(cloned, 'notes.md'), 'mine\n');
    const hostile = {
      ...s.state,
      dir: cloned,
      files: [{ name: 'keep.txt', size: 5, mtimeMs: 0, ino: 0 }, 'notes.md'],
      processes: [{ name: 'moto', pid: s.unrelated.pid, match: ['-e'] }],
    };
    writeFileSync(join(cloned, '.meshctl-sandbox.json'), JSON.stringify(hostile));
    await expect(sandboxDown(s.deps, cloned)).rejects.toThrow(/was not written by a sandbox up of yours/);
    expect(readdirSync(cloned).sort()).toEqual(['.meshctl-sandbox.json', 'keep.txt', 'notes.md']);
    expect(alive(s.unrelated)).toBe(true);
  });

  it("the folder's state file removed: down still acts on the record", async () => {
    const s = await sandboxFolder();
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(s.dir, '.meshctl-sandbox.json'));
    const said: string[] = [];
    const r = await sandboxDown({ env: s.env, info: (l) => said.push(l) }, s.dir);
    expect(r).toMatchObject({ found: true, removed: ['cfn-output.json', 'config', 'credentials', 'moto.log'], removedDir: true });
    expect(said).toEqual([expect.stringMatching(/\.meshctl-sandbox\.json is gone from .*; stopping what meshctl's own record lists/)]);
  });

  it('no state and no record: nothing to do', async () => {
    const root = mkdtempSync(join(tmpdir(), 'meshctl-down-none-'));
    const r = await sandboxDown({ env: { XDG_STATE_HOME: join(root, 'state') }, info: () => undefined }, root);
    expect(r).toMatchObject({ found: false, removed: [], left: [] });
  });
});
