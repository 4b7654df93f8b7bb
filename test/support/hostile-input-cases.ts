import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Where } from './bad-input-catalogue.js';

/**
 * Issue 18's classes of hostile input: each case ends with exit 2, a message naming what is wrong, no stack
 * trace and no raw control character, and no request reaching AWS (the endpoint the tests point meshctl at
 * records every request it gets). test/cli/hostile-input.test.ts runs them in-process (the program main()
 * builds); test/e2e/hostile-input.test.ts runs through the built binary the cases only a process shows (the
 * SDK's files as FIFOs, devices or folders, which a read would wait on for ever; a home folder; commander's
 * own messages) and one of the others.
 */

const crystal = JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8'));
const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);

/** Files each case may name, written into `dir` (a folder name ending in / is a folder of files). */
const FILES: Record<string, string> = {
  'long-wait/meshctl.yaml': 'timeouts:\n  wait: 1000h\n',
  'bad-config/meshctl.yaml': 'clustr: c\ninterval: soon\n',
  'tagged-config/meshctl.yaml': 'cluster: !foo c\n',
  'tagged-template.yaml': 'Resources:\n  M:\n    Type: AWS::AppMesh::Mesh\n    Properties:\n      MeshName: !Bogus m\n',
  'tagged-mesh.yaml': 'mesh:\n  name: !unknown m\n',
  'undeclared-service.yaml': readFileSync(new URL('../../examples/local-mesh.yaml', import.meta.url), 'utf8').replace(
    'services: [payments, products]',
    'services: [payments]',
  ),
  'td-bad-family.json': JSON.stringify({
    taskDefinition: { ...crystal.taskDefinition, family: 'crystal lb!' },
  }),
  // A flow mapping: YAML allows a block mapping's plain key only 1024 characters.
  'huge-key/meshctl.yaml': `{${'k'.repeat(4 * 1024 * 1024)}: 1}\n`,
};

/** A fresh folder with every file of FILES, a FIFO `a-fifo` and a home folder whose ~/.aws/credentials is one. */
export function hostileInputDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshctl-hostile-'));
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  // Nothing ever writes to these FIFOs: a read that waited for a writer would wait forever.
  execFileSync('mkfifo', [join(dir, 'a-fifo')]);
  mkdirSync(join(dir, 'fifo-home', '.aws'), { recursive: true });
  execFileSync('mkfifo', [join(dir, 'fifo-home', '.aws', 'credentials')]);
  return dir;
}

const BG = ['migrate', 'apply', '--cluster', 'c', '--service', 'a', '--strategy', 'blue-green'];
const LONGER = /is longer than 15 days \(360h\), the longest duration meshctl takes/;

/** A message that holds every one of `parts`, in any order. */
const allOf = (...parts: string[]) => new RegExp(parts.map((p) => `(?=[\\s\\S]*${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`).join(''));

export const CASES: [name: string, args: string[], message: RegExp, where?: Where][] = [
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
  // 13. every problem in one run: the flags of blue/green, the environment, and meshctl.yaml with the flags
  [
    'blue-green --shift, --step-wait and --max-5xx-ratio',
    [...BG, '--shift', '50,10,100', '--step-wait', '1y', '--max-5xx-ratio', '2'],
    allOf('3 problems with the input', '--shift: "50,10,100": the steps must rise', '--step-wait: "1y"', '--max-5xx-ratio: "2"'),
  ],
  [
    'blue-green --green-name, --route53 and --shift',
    [...BG, '--green-name', 'x y', '--route53', 'bad', '--shift', '0'],
    allOf('3 problems with the input', '--green-name: "x y"', '--route53: "bad"', '--shift: "0"'),
  ],
  [
    'meshctl.yaml and a flag',
    ['wait-running', '--cluster', 'c', '--count', 'x'],
    allOf('3 problems with the input', '--count: "x"', 'meshctl.yaml: unknown key "clustr"', 'meshctl.yaml: interval: "soon"'),
    { cwd: 'bad-config' },
  ],
  [
    'region, endpoint and a flag',
    ['update-service', '--region', 'mars', '--endpoint-url', 'ftp://x', '--service', 'a b'],
    allOf('3 problems with the input', '--region: "mars"', '--endpoint-url: "ftp://x"', '--service: "a b"'),
  ],
  // 10. what would hang: files the SDK reads that are not regular files, keys no typo is that long
  [
    'AWS_CONFIG_FILE a FIFO',
    ['update-service', '--cluster', 'c', '--service', 's'],
    /AWS_CONFIG_FILE: ".*a-fifo" is a named pipe \(FIFO\), expected a regular file/,
    { env: { AWS_CONFIG_FILE: 'a-fifo' } },
  ],
  [
    'AWS_SHARED_CREDENTIALS_FILE a FIFO, credentials from the files',
    ['wait-running', '--cluster', 'c', '--service', 's'],
    /AWS_SHARED_CREDENTIALS_FILE: ".*a-fifo" is a named pipe/,
    { env: { AWS_SHARED_CREDENTIALS_FILE: 'a-fifo', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } },
  ],
  [
    'AWS_CONFIG_FILE a device',
    ['doctor', '--cluster', 'c'],
    /AWS_CONFIG_FILE: "\/dev\/zero" is a device/,
    { env: { AWS_CONFIG_FILE: '/dev/zero' } },
  ],
  [
    'AWS_SHARED_CREDENTIALS_FILE a folder, with a profile',
    ['migrate', 'plan', '--cluster', 'c'],
    /AWS_SHARED_CREDENTIALS_FILE: "\." is a folder/,
    { env: { AWS_SHARED_CREDENTIALS_FILE: '.', AWS_PROFILE: 'p' } },
  ],
  [
    '~/.aws/credentials a FIFO',
    ['update-service', '--cluster', 'c', '--service', 's'],
    /\.aws\/credentials \(the default of AWS_SHARED_CREDENTIALS_FILE\) is a named pipe/,
    { cwd: 'fifo-home', env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } },
  ],
  ['a 4 MiB key in meshctl.yaml', ['wait-running', '--cluster', 'c'], /unknown key "k{64}…" \(4194304 characters\)/, { cwd: 'huge-key' }],
  // 12. nothing printed raw: the YAML library's warnings are meshctl's errors, commander's messages are escaped
  [
    'unknown tag in meshctl.yaml',
    ['wait-running', '--cluster', 'c'],
    /meshctl\.yaml: cluster \(line 1\): unknown tag "!foo"/,
    { cwd: 'tagged-config' },
  ],
  [
    'unknown tag in a template (mesh import)',
    ['mesh', 'import', '--from-cloudformation', 'tagged-template.yaml'],
    /tagged-template\.yaml: Resources\.M\.Properties\.MeshName \(line 5\): unknown tag "!Bogus"/,
  ],
  [
    'unknown tag in a template (migrate plan)',
    ['migrate', 'plan', '--cluster', 'c', '--from-cloudformation', 'tagged-template.yaml'],
    /tagged-template\.yaml: Resources\.M\.Properties\.MeshName \(line 5\): unknown tag "!Bogus"/,
  ],
  [
    'unknown tag in a mesh file',
    ['mesh', 'plan', '-f', 'tagged-mesh.yaml'],
    /tagged-mesh\.yaml: mesh\.name \(line 2\): unknown tag "!unknown"/,
  ],
  ['unknown command with escapes', [`dep${ESC}]0;owned${BEL}loy`], /unknown command 'dep\\u001b\]0;owned\\u0007loy'/],
  ['unknown option with escapes', ['add-envoy', `--col${ESC}[2Jour`], /unknown option '--col\\u001b\[2Jour'/],
  ['argument value with escapes', ['completion', `ba${ESC}[31msh`], /value 'ba\\u001b\[31msh' is invalid for argument 'shell'/],
  // 6. judged locally, before the first request
  [
    'a task definition file whose family ECS would refuse',
    ['add-envoy', '--from-file', 'td-bad-family.json', '--skip-mesh-check'],
    /td-bad-family\.json: taskDefinition\.family "crystal lb!" is not a family ECS takes/,
  ],
  [
    '--namespace not a Cloud Map name (migrate plan)',
    ['migrate', 'plan', '--cluster', 'c', '--namespace', 'a b'],
    /--namespace: namespace "a b" has characters Cloud Map rejects/,
  ],
  [
    '--namespace an ARN (migrate apply)',
    ['migrate', 'apply', '--cluster', 'c', '--namespace', 'arn:aws:servicediscovery:us-west-2:123456789012:namespace/ns-1', '--dry-run'],
    /--namespace: namespace "arn:aws:servicediscovery:.*" starts with "arn:"/,
  ],
  [
    '--namespace not a Cloud Map name (mesh export)',
    ['mesh', 'export', '--mesh', 'm', '--namespace', ''],
    /--namespace: namespace name is empty/,
  ],
  [
    "a mesh file whose node's Cloud Map service is not declared",
    ['mesh', 'apply', '-f', 'undeclared-service.yaml'],
    /undeclared-service\.yaml: virtualNodes\[1\]\.serviceDiscovery\.cloudMap\.service: "products" is not among namespace\.services \(payments\)/,
  ],
];

/** Cases whose input is a file the SDK would read (a FIFO, a device, a folder, a home folder): a process with a watchdog. */
const SDK_FILES = /^(AWS_CONFIG_FILE|AWS_SHARED_CREDENTIALS_FILE|~\/\.aws)/;
/** commander's own messages (its errors are written before meshctl's program is in charge). */
const COMMANDER_OWN = new Set(['unknown command with escapes', 'unknown option with escapes', 'argument value with escapes']);
/** One of the rest through the binary too. */
const SAMPLE = new Set(['blue-green --shift, --step-wait and --max-5xx-ratio']);

export const BINARY_CASES = CASES.filter(([name]) => SDK_FILES.test(name) || COMMANDER_OWN.has(name) || SAMPLE.has(name));
export const IN_PROCESS_CASES = CASES.filter(([name]) => !SDK_FILES.test(name) && !COMMANDER_OWN.has(name));

/**
 * What every case must end with: exit 2, `message`, no stack trace or "meshctl bug", no raw control
 * character, nothing sent to the recording endpoint (`seen`), and output that ends its last line.
 */
export function expectRefusedLocally(r: { code: number | null; stdout: string; stderr: string }, message: RegExp, seen: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr).not.toMatch(/meshctl bug|TimeoutOverflowWarning/);
  expect(r.stderr + r.stdout).not.toMatch(/(?!\n)\p{Cc}/u);
  expect(seen, r.stderr).toEqual([]);
  expect(r.stderr).toMatch(/\n$/);
  expect(r.stdout === '' || r.stdout.endsWith('\n')).toBe(true);
}
