import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliOptions } from '../support/cli.js';
import { startRecordingEndpoint, type RecordingEndpoint } from '../support/recording-endpoint.js';

/**
 * Issue 18's classes of hostile input, through the real binary: each case ends with exit 2, a message
 * naming what is wrong, no stack trace and no raw control character, and no request reaching AWS (the
 * endpoint records every request it gets). The bad-input catalogue holds the older cases.
 */

let dir: string;
let endpoint: RecordingEndpoint;

/** Files each case may name, written into `dir` (a folder name ending in / is a folder of files). */
const FILES: Record<string, string> = {
  'long-wait/meshctl.yaml': 'timeouts:\n  wait: 1000h\n',
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-hostile-'));
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  endpoint = await startRecordingEndpoint();
});
afterAll(async () => endpoint?.close());
beforeEach(() => endpoint.clear());

/** A run that outlasts this is killed (SIGKILL: a process stuck in a read ignores SIGTERM) and fails. */
const WATCHDOG_MS = 8_000;

function run(args: string[], options: CliOptions) {
  return runCli(args, {
    ...options,
    onSpawn: (child) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), WATCHDOG_MS);
      child.on('exit', () => clearTimeout(timer));
    },
  });
}

interface Where {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

const BG = ['migrate', 'apply', '--cluster', 'c', '--service', 'a', '--strategy', 'blue-green'];
const LONGER = /is longer than 15 days \(360h\), the longest duration meshctl takes/;

const CASES: [name: string, args: string[], message: RegExp, where?: Where][] = [
  // 3. durations past what a timer holds fired at once: every duration has one maximum
  ['--step-wait past the maximum', [...BG, '--step-wait', '1000h'], new RegExp(`--step-wait: "1000h" ${LONGER.source}`)],
  ['--step-wait of 2^31 ms', [...BG, '--step-wait', '2147484s'], LONGER],
  ['--timeout of 25 days', ['wait-running', '--cluster', 'c', '--timeout', '25d'], /--timeout: "25d" is longer than 15 days/],
  ['--interval of 400 digits', ['wait-running', '--cluster', 'c', '--interval', '9'.repeat(400)], /--interval: "9{400}" is longer/],
  ['--verify-timeout past the maximum', ['rollout', '--cluster', 'c', '--verify-timeout', '597h'], /--verify-timeout: "597h" is longer/],
  ['verify --timeout past the maximum', ['verify', '--asg', 'a', '--timeout', '1000h'], /--timeout: "1000h" is longer/],
  ['--window past the maximum', ['verify', '--service-connect', '--cluster', 'c', '--window', '16d'], /--window: "16d" is longer/],
  [
    'meshctl.yaml timeouts.wait past the maximum',
    ['wait-running', '--cluster', 'c'],
    /meshctl\.yaml: timeouts\.wait: "1000h" is longer/,
    { cwd: 'long-wait' },
  ],
];

describe('hostile input: refused before any request', () => {
  it.each(CASES)('%s: exit 2, named, nothing sent', async (_name, args, message, where = {}) => {
    const r = await run(args, {
      cwd: join(dir, where.cwd ?? '.'),
      env: { AWS_ENDPOINT_URL: endpoint.url, AWS_REGION: 'us-west-2', AWS_MAX_ATTEMPTS: '1', ...where.env },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.stderr).not.toMatch(/meshctl bug|TimeoutOverflowWarning/);
    expect(r.stderr + r.stdout).not.toMatch(/(?!\n)\p{Cc}/u);
    expect(endpoint.seen, r.stderr).toEqual([]);
  });
});
