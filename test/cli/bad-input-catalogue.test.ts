import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY_CASES, CASES, catalogueDir, IN_PROCESS_CASES, NEVER_PRINTED } from '../support/bad-input-catalogue.js';
import { runWithRealAws } from '../support/fake-deps.js';

/**
 * The bad-input catalogue (test/support/bad-input-catalogue.ts) in-process: the program main() builds, its
 * error report and exit code, with the real AWS clients pointed at a loopback port nothing answers (a call
 * would end in exit 3), in the catalogue's folder. The cases a process must show run through the built
 * binary too (test/e2e/bad-input-catalogue.test.ts).
 */

let dir: string;
const home = process.cwd();
// Port 9 (discard) on loopback: nothing listens there in the tests' machines; a call is refused at once.
const DEAD_ENDPOINT = 'http://127.0.0.1:9';

beforeAll(() => {
  dir = catalogueDir();
  process.chdir(dir);
});
afterAll(() => process.chdir(home));

describe('bad input catalogue', () => {
  it('has at least 40 cases, each run here or through the binary (most in both or here)', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter((c) => !IN_PROCESS_CASES.includes(c) && !BINARY_CASES.includes(c))).toEqual([]);
    expect(IN_PROCESS_CASES.length).toBeGreaterThan(CASES.length * 0.8);
  });

  it.each(IN_PROCESS_CASES)('%s: exit 2 with a message and no stack trace', async (_name, args, message, where = {}) => {
    const r = await runWithRealAws(args, DEAD_ENDPOINT, { AWS_MAX_ATTEMPTS: '1', ...where.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    // No stack trace, no "meshctl bug", no control character from the input (meshctl's own line breaks
    // aside), no password from a URL.
    for (const never of NEVER_PRINTED) expect(r.stderr).not.toMatch(never);
  });
});
