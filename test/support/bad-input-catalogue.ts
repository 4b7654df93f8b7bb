import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The bad-input catalogue: malformed input of every kind must end with exit 2, a message naming what is
 * wrong, and no stack trace, before any AWS call. test/cli/bad-input-catalogue.test.ts runs every case
 * in-process (the same program main() builds, with a dead endpoint: a call would end in exit 3);
 * test/e2e/bad-input-catalogue.test.ts runs through the built binary the cases only a process shows
 * (FIFOs and devices, which a read would wait on for ever, and the working folder) and a sample of the rest.
 */

const td = JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8'));
const tdWith = (change: (t: Record<string, unknown>) => void) => {
  const copy = structuredClone(td);
  change(copy.taskDefinition);
  return JSON.stringify(copy);
};
/** The fixture with one change to its first (the app) container. */
export const appWith = (change: (c: Record<string, unknown>) => void) =>
  tdWith((t) => change((t.containerDefinitions as Record<string, unknown>[])[0]!));
const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
/** JSON text nested `levels` deep: `[[[...]]]`. */
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const FILES: Record<string, string> = {
  'cfn-empty.json': '',
  'cfn-blank.json': '  \n\t',
  'cfn-broken.json': '{"EcsClusterName": "a",',
  'cfn-array.json': '[{"OutputKey":"EcsClusterName","OutputValue":"a"}]',
  'cfn-string.json': '"appmesh-workshop"',
  'cfn-null.json': 'null',
  'cfn-number.json': '42',
  'cfn-no-cluster.json': JSON.stringify({ CrystalTaskDefinition: 'crystal', RubyAutoScalingGroupName: 'asg' }),
  'cfn-no-td.json': JSON.stringify({ EcsClusterName: 'c', RubyAutoScalingGroupName: 'asg' }),
  'cfn-no-asg.json': JSON.stringify({ EcsClusterName: 'c', CrystalTaskDefinition: 'crystal' }),
  'cfn-cluster-number.json': JSON.stringify({ EcsClusterName: 7, CrystalTaskDefinition: 'crystal' }),
  'cfn-cluster-object.json': JSON.stringify({ EcsClusterName: { name: 'c' }, CrystalTaskDefinition: 'crystal' }),
  'cfn-cluster-empty.json': JSON.stringify({ EcsClusterName: '', CrystalTaskDefinition: 'crystal' }),
  'cfn-cluster-shell.json': JSON.stringify({ EcsClusterName: 'c; rm -rf /', CrystalTaskDefinition: 'crystal' }),
  'cfn-td-garbage.json': JSON.stringify({ EcsClusterName: 'c', CrystalTaskDefinition: 'not a task definition' }),
  'cfn-huge.json': JSON.stringify({ EcsClusterName: 'c', Padding: 'x'.repeat(11 * 1024 * 1024) }),
  'td-broken.json': '{"taskDefinition": ',
  'td-array.json': '[]',
  'td-no-containers.json': tdWith((t) => delete t.containerDefinitions),
  'td-empty-containers.json': tdWith((t) => (t.containerDefinitions = [])),
  'td-containers-object.json': tdWith((t) => (t.containerDefinitions = { name: 'crystal' })),
  'td-duplicate-names.json': tdWith((t) => (t.containerDefinitions as unknown[]).push({ name: 'crystal', image: 'x' })),
  'td-nameless-container.json': tdWith((t) => (t.containerDefinitions as unknown[]).push({ image: 'x' })),
  'td-no-family.json': tdWith((t) => delete t.family),
  'td-other-envoy.json': tdWith((t) =>
    (t.containerDefinitions as unknown[]).push({
      name: 'envoy',
      image: 'e',
      environment: [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/other/virtualNode/other' }],
    }),
  ),
  'td-tags-object.json': JSON.stringify({ ...td, tags: { team: 'a' } }),
  'td-portmappings-object.json': appWith((c) => (c.portMappings = { containerPort: 3000 })),
  'td-portmappings-string.json': appWith((c) => (c.portMappings = '3000:3000')),
  'td-containerport-string.json': appWith((c) => (c.portMappings = [{ containerPort: '3000' }])),
  'td-dependson-string.json': appWith((c) => (c.dependsOn = 'envoy')),
  'td-dependson-object.json': appWith((c) => (c.dependsOn = { containerName: 'envoy', condition: 'HEALTHY' })),
  'td-environment-object.json': appWith((c) => (c.environment = { APP_ENV: 'workshop' })),
  'td-environment-string.json': appWith((c) => (c.environment = 'APP_ENV=workshop')),
  'td-name-number.json': appWith((c) => (c.name = 7)),
  'td-deep.json': appWith((c) => (c.logConfiguration = '@DEEP@')).replace('"@DEEP@"', deep(100_000)),
  'td-escapes.json': `{"taskDefinition": ${ESC}]0;owned${BEL}${ESC}[2J}`,
  'cfn-escapes.json': `{"EcsClusterName": ${ESC}[31mred}`,
  'cfn-deep.json': `{"EcsClusterName": ${deep(100_000)}}`,
  'cfn-bom-shell.json': `\uFEFF${JSON.stringify({ EcsClusterName: 'c; rm -rf /', CrystalTaskDefinition: 'crystal' })}`,
};

/** A fresh folder holding every catalogue file, the FIFOs and the folders the cases name. */
export function catalogueDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshctl-bad-'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  mkdirSync(join(dir, 'a-folder'));
  // Nothing ever writes to these FIFOs: a read that waited for a writer would wait forever.
  execFileSync('mkfifo', [join(dir, 'a-fifo')]);
  mkdirSync(join(dir, 'fifo-default'));
  execFileSync('mkfifo', [join(dir, 'fifo-default', 'cfn-output.json')]);
  mkdirSync(join(dir, 'folder-default', 'cfn-output.json'), { recursive: true });
  return dir;
}

/** Where a case runs: a folder of `dir`, and variables over the catalogue's (undefined removes one). */
export interface Where {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

export const CASES: [name: string, args: string[], message: RegExp, where?: Where][] = [
  // cfn-output files
  ['empty cfn-output', ['update-service', '--cfn-output', 'cfn-empty.json'], /cfn-empty\.json: the file is empty/],
  ['blank cfn-output', ['update-service', '--cfn-output', 'cfn-blank.json'], /cfn-blank\.json: the file is empty/],
  ['cfn-output not JSON', ['update-service', '--cfn-output', 'cfn-broken.json'], /cfn-broken\.json: not valid JSON/],
  [
    'cfn-output an array',
    ['update-service', '--cfn-output', 'cfn-array.json'],
    /cfn-array\.json: expected a JSON object of stack outputs, found a list/,
  ],
  ['cfn-output a string', ['update-service', '--cfn-output', 'cfn-string.json'], /found a string/],
  ['cfn-output null', ['update-service', '--cfn-output', 'cfn-null.json'], /found null/],
  ['cfn-output a number', ['update-service', '--cfn-output', 'cfn-number.json'], /found a number/],
  [
    'cfn-output without EcsClusterName',
    ['update-service', '--cfn-output', 'cfn-no-cluster.json'],
    /key "EcsClusterName" is missing; pass --cluster/,
  ],
  [
    'cfn-output without CrystalTaskDefinition',
    ['add-envoy', '--cfn-output', 'cfn-no-td.json'],
    /key "CrystalTaskDefinition" is missing; pass --task-definition/,
  ],
  [
    'cfn-output without RubyAutoScalingGroupName',
    ['verify', '--cfn-output', 'cfn-no-asg.json'],
    /key "RubyAutoScalingGroupName" is missing; pass --asg/,
  ],
  [
    'EcsClusterName a number',
    ['update-service', '--cfn-output', 'cfn-cluster-number.json'],
    /key "EcsClusterName" must be a non-empty string, found 7/,
  ],
  [
    'EcsClusterName an object',
    ['update-service', '--cfn-output', 'cfn-cluster-object.json'],
    /key "EcsClusterName" must be a non-empty string/,
  ],
  [
    'EcsClusterName empty',
    ['update-service', '--cfn-output', 'cfn-cluster-empty.json'],
    /key "EcsClusterName" must be a non-empty string, found ""/,
  ],
  [
    'EcsClusterName with shell characters',
    ['wait-running', '--cfn-output', 'cfn-cluster-shell.json'],
    /EcsClusterName: "c; rm -rf \/" is not a valid name/,
  ],
  [
    'CrystalTaskDefinition not a reference',
    ['add-envoy', '--cfn-output', 'cfn-td-garbage.json'],
    /CrystalTaskDefinition "not a task definition" is not a task definition ARN or family/,
  ],
  ['huge cfn-output', ['update-service', '--cfn-output', 'cfn-huge.json'], /cfn-huge\.json: 11 MiB is too large/],
  ['cfn-output missing', ['update-service', '--cfn-output', 'nope.json'], /nope\.json: no such file/],
  ['cfn-output a folder', ['update-service', '--cfn-output', 'a-folder'], /a-folder: is a folder, expected a file/],
  [
    'cfn-output nested 100000 deep',
    ['update-service', '--cfn-output', 'cfn-deep.json'],
    /cfn-deep\.json: EcsClusterName\[0\].*: nested deeper than 64 levels/,
  ],
  [
    'cfn-output with a byte-order mark is read',
    ['wait-running', '--cfn-output', 'cfn-bom-shell.json'],
    /EcsClusterName: "c; rm -rf \/" is not a valid name/,
  ],
  // files that are not regular files: refused at once, never waited on
  [
    'cfn-output a FIFO',
    ['update-service', '--cfn-output', 'a-fifo'],
    /a-fifo: is a named pipe \(FIFO\), expected a regular file \(the --cfn-output file\)/,
  ],
  [
    'default ./cfn-output.json a FIFO',
    ['update-service'],
    /\.\/cfn-output\.json: is a named pipe \(FIFO\), expected a regular file/,
    { cwd: 'fifo-default' },
  ],
  [
    'default ./cfn-output.json a folder',
    ['update-service'],
    /\.\/cfn-output\.json: is a folder, expected a file/,
    { cwd: 'folder-default' },
  ],
  [
    'task definition file a FIFO',
    ['add-envoy', '--from-file', 'a-fifo', '--dry-run'],
    /a-fifo: is a named pipe \(FIFO\), expected a regular file \(--from-file\)/,
  ],
  ['mesh file a FIFO', ['mesh', 'plan', '-f', 'a-fifo'], /a-fifo: is a named pipe \(FIFO\), expected a regular file \(the mesh file\)/],
  [
    'template a FIFO',
    ['mesh', 'import', '--from-cloudformation', 'a-fifo'],
    /a-fifo: is a named pipe \(FIFO\), expected a regular file \(the template\)/,
  ],
  ['cfn-output a device', ['update-service', '--cfn-output', '/dev/zero'], /\/dev\/zero: is a device, expected a regular file/],
  [
    'task definition file a device',
    ['add-envoy', '--from-file', '/dev/zero', '--dry-run'],
    /\/dev\/zero: is a device, expected a regular file \(--from-file\)/,
  ],
  // input that would reach the terminal: control characters are escaped
  [
    'cfn-output JSON error quoting terminal escapes',
    ['update-service', '--cfn-output', 'cfn-escapes.json'],
    /cfn-escapes\.json: not valid JSON \(.*\\u001b\[31mred/,
  ],
  [
    'task definition JSON error quoting terminal escapes',
    ['add-envoy', '--from-file', 'td-escapes.json', '--dry-run'],
    /td-escapes\.json: not valid JSON \(.*\\u001b\]0;owned\\u0007/,
  ],
  ['file name with terminal escapes', ['add-envoy', '--from-file', `no${ESC}[2J.json`, '--dry-run'], /no\\u001b\[2J\.json: no such file/],
  [
    'flag value with terminal escapes',
    ['update-service', '--cluster', 'c', '--service', `svc${ESC}]0;owned${BEL}`],
    /--service: "svc\\u001b\]0;owned\\u0007" is not a valid name/,
  ],
  // task definition files
  ['task definition not JSON', ['add-envoy', '--from-file', 'td-broken.json', '--dry-run'], /td-broken\.json: not valid JSON/],
  [
    'task definition an array',
    ['add-envoy', '--from-file', 'td-array.json', '--dry-run'],
    /td-array\.json: expected a DescribeTaskDefinition JSON object/,
  ],
  [
    'no containerDefinitions',
    ['add-envoy', '--from-file', 'td-no-containers.json', '--dry-run'],
    /taskDefinition\.containerDefinitions is missing or empty/,
  ],
  [
    'empty containerDefinitions',
    ['add-envoy', '--from-file', 'td-empty-containers.json', '--dry-run'],
    /containerDefinitions is missing or empty/,
  ],
  [
    'containerDefinitions an object',
    ['add-envoy', '--from-file', 'td-containers-object.json', '--dry-run'],
    /td-containers-object\.json: taskDefinition\.containerDefinitions: must be a list, found an object/,
  ],
  [
    'duplicate container names',
    ['add-envoy', '--from-file', 'td-duplicate-names.json', '--dry-run'],
    /containerDefinitions\[1\]\.name "crystal" is used by two containers/,
  ],
  [
    'a container without a name',
    ['add-envoy', '--from-file', 'td-nameless-container.json', '--dry-run'],
    /containerDefinitions\[1\]\.name is missing/,
  ],
  ['no family', ['add-envoy', '--from-file', 'td-no-family.json', '--dry-run'], /taskDefinition\.family is missing/],
  [
    'an existing envoy with other settings',
    ['add-envoy', '--from-file', 'td-other-envoy.json', '--dry-run'],
    /already has an envoy container for "mesh\/other\/virtualNode\/other"/,
  ],
  [
    'no app container of that name',
    [
      'add-envoy',
      '--from-file',
      'td-broken.json'.replace('broken', 'other-envoy'),
      '--dry-run',
      '--app-container',
      'ruby',
      '--virtual-node',
      'other',
      '--mesh',
      'other',
    ],
    /--app-container: no container named "ruby"/,
  ],
  [
    'envoy as the app container',
    [
      'add-envoy',
      '--from-file',
      'td-other-envoy.json',
      '--dry-run',
      '--app-container',
      'envoy',
      '--mesh',
      'other',
      '--virtual-node',
      'other',
    ],
    /"envoy" is the sidecar itself/,
  ],
  [
    'tags not a list',
    ['add-envoy', '--from-file', 'td-tags-object.json', '--dry-run'],
    /td-tags-object\.json: tags: must be a list, found an object/,
  ],
  [
    'portMappings an object',
    ['add-envoy', '--from-file', 'td-portmappings-object.json', '--dry-run'],
    /td-portmappings-object\.json: taskDefinition\.containerDefinitions\[0\]\.portMappings: must be a list, found an object/,
  ],
  [
    'portMappings a string',
    ['add-envoy', '--from-file', 'td-portmappings-string.json', '--dry-run'],
    /taskDefinition\.containerDefinitions\[0\]\.portMappings: must be a list, found a string/,
  ],
  [
    'containerPort a string',
    ['add-envoy', '--from-file', 'td-containerport-string.json', '--dry-run'],
    /taskDefinition\.containerDefinitions\[0\]\.portMappings\[0\]\.containerPort: must be a number, found a string/,
  ],
  [
    'dependsOn a string',
    ['add-envoy', '--from-file', 'td-dependson-string.json', '--dry-run'],
    /taskDefinition\.containerDefinitions\[0\]\.dependsOn: must be a list, found a string/,
  ],
  [
    'dependsOn an object',
    ['add-envoy', '--from-file', 'td-dependson-object.json', '--dry-run'],
    /taskDefinition\.containerDefinitions\[0\]\.dependsOn: must be a list, found an object/,
  ],
  [
    'environment an object',
    ['add-envoy', '--from-file', 'td-environment-object.json', '--dry-run'],
    /taskDefinition\.containerDefinitions\[0\]\.environment: must be a list, found an object/,
  ],
  [
    'environment a string',
    ['add-envoy', '--from-file', 'td-environment-string.json', '--dry-run'],
    /taskDefinition\.containerDefinitions\[0\]\.environment: must be a list, found a string/,
  ],
  [
    'container name a number',
    ['add-envoy', '--from-file', 'td-name-number.json', '--dry-run'],
    /taskDefinition\.containerDefinitions\[0\]\.name: must be a string, found a number/,
  ],
  [
    'task definition nested 100000 deep',
    ['add-envoy', '--from-file', 'td-deep.json', '--dry-run'],
    /td-deep\.json: taskDefinition\.containerDefinitions\[0\]\.logConfiguration\[0\].*: nested deeper than 64 levels/,
  ],
  [
    'task definition file missing',
    ['add-envoy', '--from-file', 'missing.json', '--dry-run'],
    /missing\.json: no such file \(--from-file\)/,
  ],
  [
    '--from-file and --task-definition',
    ['add-envoy', '--from-file', 'td-broken.json', '--task-definition', 'crystal'],
    /--from-file and --task-definition both name the task definition/,
  ],
  [
    '--write into a missing folder',
    [
      'add-envoy',
      '--from-file',
      'td-other-envoy.json',
      '--mesh',
      'other',
      '--virtual-node',
      'other',
      '--dry-run',
      '--write',
      'no/such/dir/out.json',
    ],
    /--write: cannot write no\/such\/dir\/out\.json \(ENOENT\)/,
  ],
  // flags
  ['bad duration', ['wait-running', '--cluster', 'c', '--timeout', 'soon'], /--timeout: "soon" is not a duration/],
  ['zero interval', ['wait-running', '--cluster', 'c', '--interval', '0'], /--interval: must be more than zero/],
  ['negative interval', ['wait-running', '--cluster', 'c', '--interval', '-1s'], /--interval: "-1s" is not a duration/],
  ['negative count', ['wait-running', '--cluster', 'c', '--count', '-1'], /--count: -1 is out of range/],
  ['zero count', ['wait-running', '--cluster', 'c', '--count', '0'], /--count: 0 is out of range/],
  ['fractional count', ['wait-running', '--cluster', 'c', '--count', '1.5'], /--count: "1\.5" is not a whole number/],
  ['port zero', ['verify', '--asg', 'a', '--port', '0'], /--port: 0 is out of range \(1 to 65535\)/],
  ['port too high', ['verify', '--asg', 'a', '--port', '65536'], /--port: 65536 is out of range/],
  ['port not a number', ['verify', '--asg', 'a', '--port', 'http'], /--port: "http" is not a whole number/],
  ['host with ;', ['verify', '--asg', 'a', '--host', 'crystal;reboot'], /--host: "crystal;reboot" is not a DNS name/],
  ['host with $()', ['verify', '--asg', 'a', '--host', '$(reboot)'], /--host: "\$\(reboot\)" is not a DNS name/],
  ['host with backticks', ['verify', '--asg', 'a', '--host', '`reboot`'], /--host: "`reboot`" is not a DNS name/],
  ['host with a newline', ['verify', '--asg', 'a', '--host', 'crystal\nreboot'], /--host: "crystal\nreboot" is not a DNS name/],
  ['path without /', ['verify', '--asg', 'a', '--path', 'crystal'], /--path: "crystal" must start with \//],
  ['path with a space', ['verify', '--asg', 'a', '--path', '/a b'], /--path: "\/a b" must start with \/ and hold only URL path characters/],
  ['path with backticks', ['verify', '--asg', 'a', '--path', '/`reboot`'], /--path: "\/`reboot`"/],
  ['path with a newline', ['verify', '--asg', 'a', '--path', '/a\nreboot'], /--path: "\/a\nreboot"/],
  ['path with a double quote', ['verify', '--asg', 'a', '--path', '/a"b'], /--path: "\/a"b"/],
  ['header without =', ['verify', '--asg', 'a', '--expect-header', 'server'], /--expect-header: "server" is not NAME=VALUE/],
  [
    'header with a bad name',
    ['verify', '--asg', 'a', '--expect-header', 'ser ver=envoy'],
    /--expect-header: "ser ver=envoy" is not NAME=VALUE/,
  ],
  ['instance id', ['verify', '--asg', 'a', '--instance-id', 'server-1'], /--instance-id: "server-1" is not an EC2 instance id/],
  ['unknown region', ['update-service', '--cluster', 'c', '--region', 'mars-1'], /--region: "mars-1" is not an AWS region name/],
  ['region with a space', ['update-service', '--cluster', 'c', '--region', 'us west 2'], /--region: "us west 2" is not an AWS region name/],
  [
    'AWS_REGION not a region',
    ['update-service', '--cluster', 'c'],
    /AWS_REGION: "mars 1" is not an AWS region name/,
    { env: { AWS_REGION: 'mars 1' } },
  ],
  [
    'AWS_DEFAULT_REGION not a region',
    ['update-service', '--cluster', 'c'],
    /AWS_DEFAULT_REGION: "Mars" is not an AWS region name/,
    { env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'Mars' } },
  ],
  [
    'endpoint port out of range',
    ['update-service', '--cluster', 'c', '--endpoint-url', 'http://127.0.0.1:99999'],
    /--endpoint-url: "http:\/\/127\.0\.0\.1:99999": port 99999 is out of range \(1 to 65535\)/,
  ],
  [
    'AWS_ENDPOINT_URL port out of range',
    ['update-service', '--cluster', 'c'],
    /AWS_ENDPOINT_URL: "http:\/\/127\.0\.0\.1:99999": port 99999 is out of range/,
    { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:99999' } },
  ],
  [
    'endpoint malformed',
    ['update-service', '--cluster', 'c', '--endpoint-url', 'http://[::1'],
    /--endpoint-url: "http:\/\/\[::1" is not an http\(s\) URL/,
  ],
  [
    'endpoint malformed, with a password',
    ['update-service', '--cluster', 'c', '--endpoint-url', 'http://ci:s3cr3t@[::1'],
    /--endpoint-url: "http:\/\/\*\*\*@\[::1" is not an http\(s\) URL/,
  ],
  [
    'endpoint not http',
    ['update-service', '--cluster', 'c', '--endpoint-url', 'ftp://127.0.0.1'],
    /--endpoint-url: "ftp:\/\/127\.0\.0\.1" is not an http\(s\) URL/,
  ],
  ['app port zero', ['add-envoy', '--from-file', 'td-broken.json', '--app-ports', '0'], /--app-ports: 0 is out of range/],
  [
    'app port twice',
    ['add-envoy', '--from-file', 'td-broken.json', '--app-ports', '3000,3000'],
    /--app-ports: "3000,3000" names a port twice/,
  ],
  ['mesh name', ['add-envoy', '--from-file', 'td-broken.json', '--mesh', 'my mesh!'], /--mesh: "my mesh!" is not a valid App Mesh name/],
  [
    'empty virtual node',
    ['add-envoy', '--from-file', 'td-broken.json', '--virtual-node', ''],
    /--virtual-node: "" is not a valid App Mesh name/,
  ],
  [
    'task definition reference',
    ['update-service', '--cluster', 'c', '--task-definition', 'a b'],
    /--task-definition: "a b" is not a task definition ARN/,
  ],
  ['service name', ['update-service', '--cluster', 'c', '--service', 'svc;reboot'], /--service: "svc;reboot" is not a valid name/],
  // Blue/green's green is never blue itself, whichever command names it (blue/green would adopt blue, then delete it).
  ...(['apply --strategy blue-green', 'status', 'abort --yes', 'finish --yes'] as const).map((command): (typeof CASES)[number] => [
    `green name is blue's (migrate ${command})`,
    ['migrate', ...command.split(' '), '--cluster', 'c', '--service', 'crystal-service-lb', '--green-name', 'crystal-service-lb'],
    /--green-name: "crystal-service-lb" is the blue service itself/,
  ]),
  [
    'TLS role not a role ARN',
    ['migrate', 'plan', '--cluster', 'c', '--tls-role', 'arn:aws:iam::123456789012:user/tls'],
    /--tls-role: "arn:aws:iam::123456789012:user\/tls" is not an IAM role ARN/,
  ],
  ['TLS role a bare name', ['migrate', 'apply', '--cluster', 'c', '--tls-role', 'sc-tls'], /--tls-role: "sc-tls" is not an IAM role ARN/],
  ['fail-on level', ['migrate', 'plan', '--cluster', 'c', '--fail-on', 'warn'], /--fail-on: "warn" is not one of lost, approximated/],
  ['rollout step', ['rollout', '--from', 'deploy'], /--from: "deploy" is not a step/],
  ['unknown option', ['add-envoy', '--colour'], /unknown option '--colour'/],
  ['unknown command', ['deploy'], /unknown command 'deploy'/],
  ['missing option value', ['wait-running', '--timeout'], /option '--timeout <duration>' argument missing/],
];

type Case = (typeof CASES)[number];

/** A case that reads a FIFO or a device: in-process, a read that waited would hold the test worker for ever. */
const mayBlock = ([, args]: Case) => args.some((a) => a.includes('fifo') || a.startsWith('/dev/'));

/** Cases also run through the built binary: one of each kind of input. */
const SAMPLE = new Set([
  'cfn-output an array',
  'task definition JSON error quoting terminal escapes',
  'host with a newline',
  'endpoint malformed, with a password',
  'AWS_REGION not a region',
  'unknown option',
  'unknown command',
  'missing option value',
]);

/** The cases only a process can run (FIFOs, devices, a working folder of their own), and the sample. */
export const BINARY_CASES = CASES.filter((c) => mayBlock(c) || c[3]?.cwd !== undefined || SAMPLE.has(c[0]));
/** commander reports these itself, on the process's own stderr: only a process shows them. */
const COMMANDER_OWN = new Set(['unknown option', 'unknown command', 'missing option value']);

/** The cases run in-process: all but those that may block, need a working folder of their own, or are commander's. */
export const IN_PROCESS_CASES = CASES.filter((c) => !mayBlock(c) && c[3]?.cwd === undefined && !COMMANDER_OWN.has(c[0]));
/** What each case's stderr must show and not show. */
export const NEVER_PRINTED = [/\n\s+at .+:\d+:\d+/, /meshctl bug/, /(?!\n)\p{Cc}/u, /s3cr3t/];
