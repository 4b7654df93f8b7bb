import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithRealAws, useProcessEnv } from '../support/fake-deps.js';
import { expectJsonMatchesSchema, expectUnreachableAws, type ErrorOut } from '../support/json-schemas.js';
import { cfnFolders } from '../support/cfn-folders.js';
import { freePort } from '../support/moto.js';
import { projectRoot } from '../support/paths.js';

/**
 * --json with no AWS to answer, in-process (the program main() builds, the real AWS clients at a loopback
 * port nothing listens on): every failure is one error object on stdout, valid for its command's schema and
 * error.json. commander's own usage errors, --help, --version and one case of each kind run through the
 * built binary (test/e2e/json-everywhere.test.ts).
 */

const FIXTURE = join(projectRoot(), 'test/fixtures/crystal-describe.json');

let deadEndpoint = '';
let withCfn = '';
let empty = '';
const home = process.cwd();
const environment = () => ({
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_ENDPOINT_URL: deadEndpoint,
  AWS_REGION: 'us-west-2',
});
beforeAll(async () => {
  deadEndpoint = `http://127.0.0.1:${await freePort()}`;
  ({ withCfn, empty } = cfnFolders());
});
afterAll(() => process.chdir(home));
useProcessEnv(environment);

const run = (args: string[], cwd: 'cfn' | 'empty' = 'cfn') => {
  process.chdir(cwd === 'cfn' ? withCfn : empty);
  return runWithRealAws(args, deadEndpoint);
};

describe('--json with no AWS to answer, in-process: one error object for every failure', () => {
  it.each([
    // meshctl's own validation
    ['a bad duration', 2, 'usage', ['--json', 'wait-running', '--timeout', '5x'], /error: --timeout: "5x" is not a duration/],
    ['a bad count', 2, 'usage', ['rollout', '--json', '--concurrency', '0'], /error: --concurrency/],
    ['a bad service name', 2, 'usage', ['update-service', '--json', '--service', 'no spaces'], /error: --service: "no spaces"/],
    ['a bad revision', 2, 'usage', ['rollback', '--json', '--to', 'x'], /error: --to: "x" is not a revision/],
    ['--json with a mesh delete that would ask', 2, 'usage', ['mesh', 'delete', '--json', '-f', 'mesh.yaml'], /pass --yes/],
  ] as const)('%s: exit %i, kind %s', async (_what, code, kind, args, stderr) => {
    const r = await run([...args]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(stderr);
    const out = expectJsonMatchesSchema([...args], r.stdout);
    expect(out).toEqual({ ok: false, resumeCommand: null, error: expect.objectContaining({ exitCode: code, kind }) });
    const error = out.error as ErrorOut;
    expect(error.message).not.toMatch(/^error: /);
    expect({ operation: error.operation, hint: error.hint }).toEqual({ operation: null, hint: null });
  });

  it.each([
    ['no cfn-output.json', ['update-service', '--json'], 'empty', /error: \.\/cfn-output\.json: no such file/],
    ['a missing --cfn-output', ['wait-running', '--json', '--cfn-output', 'nope.json'], 'cfn', /error: nope\.json: no such file/],
    ['a missing --from-file', ['add-envoy', '--json', '--dry-run', '--from-file', 'nope.json'], 'cfn', /error: nope\.json: no such file/],
    ['a missing mesh file', ['mesh', 'plan', '--json', '-f', 'nope.yaml'], 'cfn', /error: .*nope\.yaml/],
  ] as const)('%s: exit 2, kind input', async (_what, args, cwd, stderr) => {
    const r = await run([...args], cwd);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(stderr);
    expect(expectJsonMatchesSchema([...args], r.stdout).error).toMatchObject({ exitCode: 2, kind: 'input', operation: null, hint: null });
  });

  it.each([
    [['update-service', '--json', '--cluster', 'nope']],
    [['wait-running', '--json', '--count', '3']],
    [['rollback', '--json']],
    [['doctor', '--json']],
    [['verify', '--json', '--instance-id', 'i-0123456789abcdef0']],
    [['verify', '--service-connect', '--json']],
    [['add-envoy', '--json']],
    [['migrate', 'plan', '--json', '--all-services']],
    [['migrate', 'apply', '--json', '--dry-run']],
    [['migrate', 'status', '--json']],
    [['migrate', 'cleanup', '--json']],
  ])('%j against an endpoint that refuses: exit 3, kind aws-call, the operation and a hint', async (args) => {
    expectUnreachableAws(args, await run(args));
  });

  it('add-envoy --dry-run --from-file needs no AWS: its report matches add-envoy.json', async () => {
    const args = ['add-envoy', '--dry-run', '--from-file', FIXTURE, '--json'];
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    expect(expectJsonMatchesSchema(args, r.stdout)).toMatchObject({
      action: 'dry-run',
      family: expect.any(String),
      registerInput: expect.any(Object),
    });
  });
});
