import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest's global set-up: one private temporary folder for the whole run, which every test worker (and what
 * it starts) gets as TMPDIR, removed when the run ends. The tests' workshops, moto logs, tmux sockets and
 * fixtures written on the fly go there instead of piling up in the system's temporary folder. vitest calls
 * it once per project: the first call makes the folder, the others find it.
 */
export default function setup(): () => void {
  if (process.env.MESHCTL_TESTS_TMP) return () => {};
  const dir = mkdtempSync(join(tmpdir(), 'meshctl-tests-'));
  process.env.MESHCTL_TESTS_TMP = dir;
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
