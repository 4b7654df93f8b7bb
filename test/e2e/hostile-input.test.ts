import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliOptions } from '../support/cli.js';
import { BINARY_CASES, expectRefusedLocally, hostileInputDir } from '../support/hostile-input-cases.js';
import { startRecordingEndpoint, type RecordingEndpoint } from '../support/recording-endpoint.js';

/**
 * Issue 18's classes of hostile input (test/support/hostile-input-cases.ts) through the real binary: the
 * cases only a process shows and a sample of the rest (every other case runs in-process,
 * test/cli/hostile-input.test.ts); a second signal; a reader that went away.
 */

let dir: string;
let endpoint: RecordingEndpoint;

beforeAll(async () => {
  dir = hostileInputDir();
  endpoint = await startRecordingEndpoint();
});
afterAll(async () => endpoint?.close());
beforeEach(() => endpoint.clear());

/** A run that outlasts this is killed (SIGKILL: a process stuck in a read ignores SIGTERM) and fails. */
const WATCHDOG_MS = 8_000;

/** runCli with a watchdog: a run stuck in a read ends with SIGKILL, and the test fails. */
function run(args: string[], options: CliOptions) {
  return runCli(args, {
    ...options,
    onSpawn: (child) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), WATCHDOG_MS);
      child.on('exit', () => clearTimeout(timer));
      options.onSpawn?.(child);
    },
  });
}

describe('hostile input: refused before any request', () => {
  it.each(BINARY_CASES)('%s: exit 2, named, nothing sent', async (_name, args, message, where = {}) => {
    const r = await run(args, {
      cwd: join(dir, where.cwd ?? '.'),
      env: { AWS_ENDPOINT_URL: endpoint.url, AWS_REGION: 'us-west-2', AWS_MAX_ATTEMPTS: '1', ...where.env },
    });
    expectRefusedLocally(r, message, endpoint.seen);
  });
});

describe('a second signal ends meshctl at once', () => {
  it('even while the SDK is blocked in a read no signal reaches (an SSO token cache that is a FIFO)', async () => {
    // The SDK reads the token of an SSO profile from ~/.aws/sso/cache/<sha1 of the start URL>.json, in
    // its thread pool: a FIFO there blocks that thread, and process.exit would wait for it for ever.
    const home = join(dir, 'sso-home');
    const url = 'https://example.awsapps.com/start';
    mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
    writeFileSync(
      join(home, '.aws', 'config'),
      `[profile sso]\nsso_start_url = ${url}\nsso_account_id = 123456789012\nsso_region = us-east-1\nsso_role_name = r\nregion = us-west-2\n`,
    );
    execFileSync('mkfifo', [join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(url).digest('hex')}.json`)]);
    let err = '';
    let signals = 0;
    const r = await run(['update-service', '--cluster', 'c', '--service', 's', '--verbose'], {
      cwd: home,
      env: { AWS_ENDPOINT_URL: endpoint.url, AWS_PROFILE: 'sso', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
      onSpawn: (child) => {
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          // The first once the ECS client is made (its credentials come next), the second once meshctl heard it.
          if (signals === 0 && /aws ECS: endpoint/.test(err)) signals += Number(child.kill('SIGINT'));
          else if (signals === 1 && /stopping at the next safe point/.test(err)) signals += Number(child.kill('SIGINT'));
        });
      },
    });
    expect(signals, r.stderr).toBe(2);
    // Ended by the signal's own default action (a shell shows 130), not by the watchdog's SIGKILL.
    expect(r.signal, r.stderr).toBe('SIGINT');
    expect(endpoint.seen).toEqual([]);
  });
});

describe('a reader that went away', () => {
  it.each([
    ['migrate apply --help', ['migrate', 'apply', '--help']],
    ['--help (from the cache)', ['--help']],
    ['completion bash', ['completion', 'bash']],
    [
      'mesh import to stdout',
      ['mesh', 'import', '--from-cloudformation', new URL('../fixtures/cfn-appmesh.yaml', import.meta.url).pathname],
    ],
  ])('%s | head: a closed stdout ends meshctl quietly, exit 0', async (_name, args) => {
    const r = await run(args, {
      cwd: dir,
      env: { AWS_ENDPOINT_URL: endpoint.url, AWS_REGION: 'us-west-2' },
      // The reading end closed before meshctl writes: each write of its answers EPIPE.
      onSpawn: (child) => void child.stdout!.destroy(),
    });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code, r.stderr).toBe(0);
  });
});
