import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { buildProgram, reportError } from '../../src/main.js';
import type { Deps } from '../../src/runtime/context.js';
import { createUi } from '../../src/ui/output.js';
import { captureStream, fakeClock } from '../support/fake-deps.js';

/** AWS clients that fail the test when anything asks for one: these cases must stop before AWS. */
const noAws = (): AwsClients =>
  new Proxy({} as AwsClients, {
    get: (_t, name) => () => Promise.reject(new Error(`an AWS client (${String(name)}) was asked for`)),
  });

/** One command in-process, as main.ts runs it, with no AWS at all. */
async function run(args: string[], env: Record<string, string> = { AWS_REGION: 'us-west-2' }) {
  const stdout = captureStream();
  const stderr = captureStream();
  const ui = createUi({ stderrIsTTY: false, ci: true, json: args.includes('--json'), color: false, verbose: false }, { stdout, stderr });
  let asked = false;
  const deps: Deps = {
    ui,
    clock: fakeClock(),
    signal: new AbortController().signal,
    env,
    argv: args,
    awsClients: () => ((asked = true), noAws()),
  };
  let code = 0;
  try {
    await (await buildProgram(deps, args)).parseAsync(args, { from: 'user' });
  } catch (err) {
    code = reportError(err, ui, args);
  }
  return { code, stdout: stdout.text(), stderr: stderr.text(), asked };
}

// Flag validation, in-process: exit 2, the flag named as the user wrote it, no AWS client even built
// for most, and no AWS call for any. (About ten subprocess cases in test/e2e/bad-input.test.ts check
// the same through the real binary.)
describe('flags are checked before any AWS call', () => {
  it.each([
    [['wait-running', '--timeout', 'soon'], /--timeout: "soon" is not a duration/],
    [['wait-running', '--count', '-1'], /--count: -1 is out of range/],
    [['verify', '--port', '70000'], /--port: 70000 is out of range \(1 to 65535\)/],
    [['verify', '--host', 'a;rm -rf /'], /--host: "a;rm -rf \/" is not a DNS name/],
    [['verify', '--path', '/a b'], /--path: "\/a b" must start with \/ and hold only URL path characters/],
    [['verify', '--expect-header', 'server'], /--expect-header: "server" is not NAME=VALUE/],
    [['verify', '--instance-id', 'i-xyz'], /--instance-id: "i-xyz" is not an EC2 instance id/],
    [['add-envoy', '--app-ports', '3000,abc'], /--app-ports: "abc" is not a whole number/],
    [['add-envoy', '--app-ports', '3000,3000'], /--app-ports: "3000,3000" names a port twice/],
    [['add-envoy', '--mesh', 'bad name!'], /--mesh: "bad name!" is not a valid App Mesh name/],
    [['add-envoy', '--region', 'mars-1'], /--region: "mars-1" is not an AWS region name/],
    [['add-envoy', '--cpu', '512'], /--cpu does not apply without --virtual-gateway/],
    [['add-envoy', '--virtual-gateway', 'gw', '--diff'], /--diff does not apply with --virtual-gateway/],
    [
      ['add-envoy', '--virtual-gateway', 'gw', '--from-file', 'x.json', '--app-ports', '1'],
      /--app-ports, --from-file do not apply with --virtual-gateway/,
    ],
    [['add-envoy', '--virtual-gateway', 'gw', '--family', 'f'], /--task-role-arn, --execution-role-arn are needed with --virtual-gateway/],
    [['rollout', '--from', 'deploy'], /--from: "deploy" is not a step/],
    [['rollout', '--concurrency', '0'], /--concurrency: 0 is out of range/],
    [['rollout', '--all-services', '--service', 'a'], /--all-services and --service both choose the services/],
    [['rollback', '--to', 'not a revision'], /--to: "not a revision" is not a revision number/],
    [['migrate', 'plan', '--app-protocol', 'udp'], /--app-protocol: "udp" is not one of http, http2, grpc/],
    [['migrate', 'apply', '--all-services', '--service', 'x'], /--all-services and --service both choose the services/],
    [['migrate', 'plan', '--service', 'a b'], /--service: "a b" is not a valid name/],
    [['mesh', 'export', '--mesh', 'bad name!'], /--mesh: "bad name!" is not a valid App Mesh name/],
    [['mesh', 'import'], /pass --from-cloudformation or --from-terraform/],
  ])('%j: exit 2', async (args, message) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/was asked for/);
  });

  it('a usage error of commander exits 2, help exits 0', async () => {
    expect((await run(['rolout'])).code).toBe(2);
    expect((await run(['rollout', '--help'])).code).toBe(0);
    expect((await run(['completion', 'tcsh'])).code).toBe(2);
  });
});

// One validation pass per command: every problem of the flags, files and environment at once.
describe('one validation pass: every problem at once, then exit 2 and no AWS', () => {
  const problemsOf = (stdout: string) => (JSON.parse(stdout) as { error: { problems: string[]; kind: string } }).error;

  it.each([
    [
      ['rollout', '--from', 'deploy', '--concurrency', '0', '--timeout', '5x', '--verify-timeout', '2x', '--mesh', 'bad name!'],
      { AWS_REGION: 'us-west-2' },
      [/^--from: "deploy"/, /^--concurrency: 0 is out of range/, /^--mesh: "bad name!"/, /^--verify-timeout: "2x"/, /^--timeout: "5x"/],
    ],
    [
      ['update-service', '--cluster', 'arn:aws:s3:::bucket', '--service', 'bad name', '--task-definition', 'a:b:c'],
      { AWS_REGION: 'mars 1' },
      [/^AWS_REGION: "mars 1"/, /^--service: "bad name"/, /^--cluster: "arn:aws:s3:::bucket"/, /^--task-definition: "a:b:c"/],
    ],
    [
      ['wait-running', '--count', 'x', '--interval', '0.4ms', '--timeout', 'soon'],
      { AWS_REGION: 'us-west-2', AWS_MAX_ATTEMPTS: '99' },
      [/^--count: "x"/, /^--interval: "0.4ms"/, /^--timeout: "soon"/, /^AWS_MAX_ATTEMPTS: "99"/],
    ],
    [
      ['verify', '--service-connect', '--window', '10s', '--max-5xx-ratio', '7', '--discovery-name', 'bad name', '--port', '80'],
      { AWS_REGION: 'us-west-2' },
      [/^--port: only for the SSM check/, /^--discovery-name: /, /^--window: "10s" is shorter than 1m/, /^--max-5xx-ratio: "7"/],
    ],
    [
      ['migrate', 'apply', '--all-services', '--service', 'a', '--app-protocol', 'tcp', '--shift', '10,5', '--concurrency', '99'],
      { AWS_REGION: 'us-west-2' },
      [/^--all-services and --service/, /^--app-protocol: "tcp"/, /^--concurrency: 99/, /^--shift only apply with --strategy blue-green/],
    ],
  ] as const)('%j', async (args, env, expected) => {
    const r = await run([...args, '--json'], { ...env });
    // The context (and so the client factory) may be built in the same pass; any AWS call would end in exit 1.
    expect(r.code, r.stderr).toBe(2);
    const error = problemsOf(r.stdout);
    expect(error.kind).toBe('usage');
    expect(error.problems).toHaveLength(expected.length);
    for (const pattern of expected)
      expect(
        error.problems.some((p) => pattern.test(p)),
        `${pattern} in ${error.problems.join(' | ')}`,
      ).toBe(true);
    expect(r.stderr).toContain(`error: ${expected.length} problems with the input; nothing was done:\n  - `);
    for (const p of error.problems) expect(r.stderr).toContain(`  - ${p.split('\n')[0]}`);
  });

  it('one problem is said as before, with problems holding just it', async () => {
    const r = await run(['wait-running', '--timeout', 'soon', '--json']);
    expect(r.code).toBe(2);
    expect(problemsOf(r.stdout).problems).toEqual([expect.stringMatching(/^--timeout: "soon" is not a duration/)]);
    expect(r.stderr).toMatch(/^error: --timeout: "soon" is not a duration/);
  });
});
