import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appWith, BINARY_CASES, catalogueDir, NEVER_PRINTED } from '../support/bad-input-catalogue.js';
import { runCli, type CliOptions } from '../support/cli.js';
import { freePort } from '../support/moto.js';

/**
 * The bad-input catalogue (test/support/bad-input-catalogue.ts) through the built binary: the cases only a
 * process shows (a FIFO or a device, which a read would wait on for ever; a working folder of their own)
 * and one case of each kind; every other case runs in-process (test/cli/bad-input-catalogue.test.ts).
 * The endpoint here answers nothing, so a call to AWS would end in exit 3.
 */

let dir: string;
let deadEndpoint: string;

beforeAll(async () => {
  dir = catalogueDir();
  deadEndpoint = `http://127.0.0.1:${await freePort()}`;
});

/** A run that outlasts this is killed (SIGKILL: a process stuck in a read ignores SIGTERM) and fails. */
const WATCHDOG_MS = 8_000;

describe('bad input catalogue, through the binary', () => {
  it.each(BINARY_CASES)('%s: exit 2 with a message and no stack trace', async (_name, args, message, where = {}) => {
    const r = await run(args, {
      cwd: join(dir, where.cwd ?? '.'),
      env: { AWS_ENDPOINT_URL: deadEndpoint, AWS_REGION: 'us-west-2', ...where.env },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    // No stack trace, no "meshctl bug", no control character from the input (meshctl's own line breaks
    // aside), no password from a URL.
    for (const never of NEVER_PRINTED) expect(r.stderr).not.toMatch(never);
  });
});

/** runCli with a watchdog: a run stuck in a read ends with code null, and the test fails. */
function run(args: string[], options: CliOptions) {
  return runCli(args, {
    ...options,
    onSpawn: (child) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), WATCHDOG_MS);
      child.on('exit', () => clearTimeout(timer));
    },
  });
}

describe('what input never makes meshctl print', () => {
  it('the userinfo of an endpoint AWS could not be reached at (exit 3)', async () => {
    const endpoint = deadEndpoint.replace('http://', 'http://ci:s3cr3t@');
    const r = await run(
      ['update-service', '--cluster', 'c', '--service', 's', '--task-definition', 'crystal:1', '--endpoint-url', endpoint],
      {
        cwd: dir,
        env: { AWS_REGION: 'us-west-2', AWS_MAX_ATTEMPTS: '1' },
      },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`could not reach AWS at ${deadEndpoint.replace('http://', 'http://***@')}`);
    expect(r.stderr + r.stdout).not.toMatch(/s3cr3t/);
  });

  it.each([
    ['--dry-run --json', ['--dry-run', '--json']],
    ['--diff --json', ['--dry-run', '--diff', '--json']],
  ])('values of *_PASS and *_PWD variables, nor URL passwords, with %s', async (_name, flags) => {
    const file = join(dir, 'td-secrets.json');
    writeFileSync(
      file,
      appWith((c) => {
        c.environment = [
          { name: 'DB_PASS', value: 'hunter2' },
          { name: 'MYSQL_PWD', value: 'hunter3' },
          { name: 'DATABASE_URL', value: 'postgres://u:pw0rd@db/x' },
        ];
      }),
    );
    const r = await run(['add-envoy', '--from-file', file, '--envoy-image', 'envoy:1', ...flags], {
      cwd: dir,
      env: { AWS_ENDPOINT_URL: deadEndpoint },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/hunter2|hunter3|pw0rd/);
    expect(r.stdout).toContain('postgres://u:***@db/x');
  });
});
