import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkMoto } from '../../src/sandbox/moto.js';

// checkMoto asks the real python3 (moto is installed on every machine the tests run on) without importing moto.

describe('checkMoto', () => {
  // The interpreter python3 runs, by its own path (asked once: a python3 shim such as pyenv's costs a third of a second).
  let real = '';
  beforeAll(() => {
    real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  });

  it("answers moto's version from the package's metadata, and the interpreter by its own path", () => {
    expect(checkMoto()).toEqual({ version: expect.stringMatching(/^5\.2\.\d+$/), python: real });
  });

  it('a python3 that cannot find moto fails as the import would, with the install line', () => {
    // -S: no site-packages, so none of moto, flask or werkzeug is found.
    const python = join(mkdtempSync(join(tmpdir(), 'meshctl-python-')), 'python3');
    writeFileSync(python, `#!/bin/sh\nexec '${real}' -S "$@"\n`);
    chmodSync(python, 0o755);
    expect(() => checkMoto(python)).toThrow(
      /^sandbox: .*python3 cannot import moto \(ModuleNotFoundError: No module named 'moto'\); install it with:\n {2}python3 -m pip install/,
    );
  });
});
