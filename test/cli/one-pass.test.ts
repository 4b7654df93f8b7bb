import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { buildProgram } from '../../src/main.js';
import { fakeDeps, runInProcess } from '../support/fake-deps.js';

/** AWS clients that fail the test when anything asks for one. */
const noAws = (): AwsClients =>
  new Proxy({} as AwsClients, {
    get: (_t, name) => () => Promise.reject(new Error(`an AWS client (${String(name)}) was asked for`)),
  });

/** One command in-process, with --json, and no AWS at all: its exit code and error.problems. */
async function run(args: string[], env: Record<string, string> = { AWS_REGION: 'us-west-2' }) {
  const { code, stdout, stderr } = await runInProcess([...args, '--json'], {}, { env, awsClients: () => noAws() });
  const problems = stdout ? ((JSON.parse(stdout) as { error?: { problems: string[] } }).error?.problems ?? []) : [];
  return { code, problems, stderr };
}

let dir: string;
let badFile: string;
const FILE_PROBLEMS = [
  /^.*meshctl\.yaml: unknown key "clustr" \(did you mean "cluster"\?\)/,
  /meshctl\.yaml: timeouts\.wait: "5x" is not a duration/,
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-one-pass-'));
  badFile = join(dir, 'meshctl.yaml');
  writeFileSync(badFile, 'clustr: c\ntimeouts:\n  wait: 5x\n');
});

const expectProblems = (problems: string[], expected: readonly RegExp[]) => {
  expect(problems, problems.join(' | ')).toHaveLength(expected.length);
  for (const pattern of expected)
    expect(
      problems.some((p) => pattern.test(p)),
      `${pattern} in ${problems.join(' | ')}`,
    ).toBe(true);
};

describe('every problem of the flags in one pass', () => {
  it.each([
    [
      'blue-green: --shift, --step-wait and --max-5xx-ratio',
      [
        'migrate',
        'apply',
        '--service',
        'a',
        '--strategy',
        'blue-green',
        '--shift',
        '50,10,100',
        '--step-wait',
        '1y',
        '--max-5xx-ratio',
        '2',
      ],
      [/^--shift: "50,10,100": the steps must rise/, /^--step-wait: "1y" is not a duration/, /^--max-5xx-ratio: "2"/],
    ],
    [
      'blue-green: --green-name, --route53 and --shift',
      ['migrate', 'apply', '--service', 'a', '--strategy', 'blue-green', '--green-name', 'x y', '--route53', 'bad', '--shift', '0'],
      [/^--green-name: "x y"/, /^--route53: "bad"/, /^--shift: "0"/],
    ],
    [
      'blue-green: --route53 without one --service, and a bad record',
      ['migrate', 'apply', '--all-services', '--strategy', 'blue-green', '--route53', 'bad', '--window', '10s'],
      [/^--route53: "bad"/, /^--route53 names the record in front of one service/, /^--window: "10s" is shorter than 1m/],
    ],
    [
      'blue-green: --green-name with two services',
      ['migrate', 'apply', '--service', 'a', '--service', 'b', '--strategy', 'blue-green', '--green-name', 'g!', '--step-wait', '0'],
      [/^--green-name: "g!"/, /^--green-name names one green service/, /^--step-wait: must be more than zero/],
    ],
    [
      'migrate abort: --green-name and --route53',
      ['migrate', 'abort', '--service', 'a', '--service', 'b', '--green-name', 'x y', '--route53', 'bad', '--yes'],
      [/^--green-name: "x y"/, /^--green-name names one green service/, /^--route53: "bad"/, /^--route53 names the record/],
    ],
    [
      'the environment with the flags: region, endpoint and retries',
      ['wait-running', '--timeout', 'soon'],
      [/^AWS_REGION: "mars 1"/, /^AWS_ENDPOINT_URL: "ftp:/, /^AWS_MAX_ATTEMPTS: "99"/, /^--timeout: "soon"/],
      { AWS_REGION: 'mars 1', AWS_ENDPOINT_URL: 'ftp://x', AWS_MAX_ATTEMPTS: '99' },
    ],
    [
      'a gateway: the region with the other flags',
      ['add-envoy', '--virtual-gateway', 'gw', '--family', 'f f', '--cpu', '1'],
      [
        /^--task-role-arn, --execution-role-arn are needed/,
        /^--family: "f f"/,
        /^--cpu: 1 is out of range/,
        /^--virtual-gateway needs the region/,
      ],
      {},
    ],
    [
      '--app-ports: every bad port',
      ['add-envoy', '--app-ports', '0,abc,70000'],
      [/^--app-ports: 0 is out/, /^--app-ports: "abc"/, /^--app-ports: 70000/],
    ],
    [
      'sandbox reset: --dir and --task-delay',
      ['sandbox', 'reset', '--dir', ' ', '--task-delay', '1000h'],
      [/^--dir: must name a folder/, /^--task-delay: "1000h" is longer than 15 days/],
    ],
  ] as const)('%s', async (_name, args, expected, env = { AWS_REGION: 'us-west-2' }) => {
    const r = await run([...args], { ...env });
    expect(r.code, r.stderr).toBe(2);
    expectProblems(r.problems, expected);
    expect(r.stderr).not.toMatch(/was asked for/);
  });
});

describe('a bad meshctl.yaml and bad flags in one run', () => {
  it.each([
    [['wait-running', '--count', 'x'], [/^--count: "x"/]],
    [['migrate', 'apply', '--strategy', 'blue-green', '--shift', '5'], [/^--shift: "5"/]],
    [['rollout', '--from', 'deploy'], [/^--from: "deploy"/]],
    [['mesh', 'import', '--from-terraform', 'a', '--from-cloudformation', 'b'], [/^mesh import reads one source/]],
    [['sandbox', 'up', '--world', 'mars'], [/^--world: "mars"/]],
  ])('%j', async (args, expected) => {
    const r = await run([...args, '--config', badFile]);
    expect(r.code, r.stderr).toBe(2);
    expectProblems(r.problems, [...expected, ...FILE_PROBLEMS]);
  });

  it('a file that cannot be read is one problem among the flags', async () => {
    const r = await run(['wait-running', '--count', 'x', '--config', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expectProblems(r.problems, [/^--count: "x"/, /nope\.yaml: no such file/]);
  });

  it("a key with a bad value gives its flag nothing: the problem is the file's, said once", async () => {
    const file = join(dir, 'bad-cluster.yaml');
    writeFileSync(file, 'cluster: "a b"\n');
    const r = await run(['wait-running', '--config', file]);
    expect(r.code).toBe(2);
    expectProblems(r.problems, [/bad-cluster\.yaml: cluster: "a b" is not a valid name/]);
  });

  /** Every command of the program, with what it needs to reach its action. */
  const leaves = async (): Promise<string[][]> => {
    const program = await buildProgram(fakeDeps([], {}, { awsClients: () => noAws() }).deps);
    const walk = (cmd: Command, path: string[]): string[][] =>
      cmd.commands.length ? cmd.commands.flatMap((c) => walk(c, [...path, c.name()])) : [path];
    return walk(program, []);
  };
  const NEEDS: Record<string, string[]> = {
    completion: ['bash'],
    'mesh plan': ['-f', 'm.yaml'],
    'mesh apply': ['-f', 'm.yaml'],
    'mesh delete': ['-f', 'm.yaml', '--yes'],
    'mesh export': ['--mesh', 'm'],
    'mesh import': ['--from-terraform', 't.json'],
    'sandbox run': ['--', 'doctor'],
  };

  it('every command reports the file in its validation pass, before any work', async () => {
    const paths = await leaves();
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) {
      const sandboxDir = path[0] === 'sandbox' ? ['--dir', dir] : [];
      const r = await run([...path, ...sandboxDir, '--config', badFile, ...(NEEDS[path.join(' ')] ?? [])]);
      expect(r.code, `${path.join(' ')}: ${r.stderr}`).toBe(2);
      expectProblems(r.problems, FILE_PROBLEMS);
    }
  });
});
