import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runWithRealAws, useProcessEnv } from '../support/fake-deps.js';
import { CASES, expectRefusedLocally, hostileInputDir, IN_PROCESS_CASES } from '../support/hostile-input-cases.js';
import { startRecordingEndpoint, type RecordingEndpoint } from '../support/recording-endpoint.js';

/**
 * Issue 18's classes of hostile input (test/support/hostile-input-cases.ts) in-process: the program main()
 * builds, its error report and exit code, with the real AWS clients pointed at an endpoint that records
 * every request (none may reach it), in each case's folder. The cases a process must show run through the
 * built binary (test/e2e/hostile-input.test.ts).
 */

let dir: string;
let endpoint: RecordingEndpoint;
const home = process.cwd();

beforeAll(async () => {
  dir = hostileInputDir();
  endpoint = await startRecordingEndpoint();
});
afterAll(async () => {
  process.chdir(home);
  await endpoint?.close();
});
beforeEach(() => endpoint.clear());
useProcessEnv(() => ({
  AWS_ENDPOINT_URL: endpoint.url,
  AWS_REGION: 'us-west-2',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
}));

describe('hostile input, in-process: refused before any request', () => {
  it('runs most cases here, and every case here or through the binary', () => {
    expect(IN_PROCESS_CASES.length).toBeGreaterThan(CASES.length * 0.6);
  });

  it.each(IN_PROCESS_CASES)('%s: exit 2, named, nothing sent', async (_name, args, message, where = {}) => {
    process.chdir(join(dir, where.cwd ?? '.'));
    const r = await runWithRealAws(args, endpoint.url, { AWS_MAX_ATTEMPTS: '1', ...where.env });
    expectRefusedLocally(r, message, endpoint.seen);
  });
});
