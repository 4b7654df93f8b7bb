import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/moto.js';

/**
 * Malformed input of every kind must end with exit 2, a message naming what is wrong, and no stack
 * trace, before any AWS call: the endpoint here answers nothing, so a call would end in exit 3.
 */

let dir: string;
let deadEndpoint: string;
const td = JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8'));
const tdWith = (change: (t: Record<string, unknown>) => void) => {
  const copy = structuredClone(td);
  change(copy.taskDefinition);
  return JSON.stringify(copy);
};

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
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-bad-'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  mkdirSync(join(dir, 'a-folder'));
  deadEndpoint = `http://127.0.0.1:${await freePort()}`;
});

const CASES: [string, string[], RegExp][] = [
  // cfn-output files
  ['empty cfn-output', ['update-service', '--cfn-output', 'cfn-empty.json'], /cfn-empty\.json: the file is empty/],
  ['blank cfn-output', ['update-service', '--cfn-output', 'cfn-blank.json'], /cfn-blank\.json: the file is empty/],
  ['cfn-output not JSON', ['update-service', '--cfn-output', 'cfn-broken.json'], /cfn-broken\.json: not valid JSON/],
  [
    'cfn-output an array',
    ['update-service', '--cfn-output', 'cfn-array.json'],
    /cfn-array\.json: expected a JSON object of stack outputs, found an array/,
  ],
  ['cfn-output a string', ['update-service', '--cfn-output', 'cfn-string.json'], /found string/],
  ['cfn-output null', ['update-service', '--cfn-output', 'cfn-null.json'], /found null/],
  ['cfn-output a number', ['update-service', '--cfn-output', 'cfn-number.json'], /found number/],
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
    /containerDefinitions is missing or empty/,
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
  ['tags not an array', ['add-envoy', '--from-file', 'td-tags-object.json', '--dry-run'], /td-tags-object\.json: tags must be an array/],
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
  ['rollout step', ['rollout', '--from', 'deploy'], /--from: "deploy" is not a step/],
  ['unknown option', ['add-envoy', '--colour'], /unknown option '--colour'/],
  ['unknown command', ['deploy'], /unknown command 'deploy'/],
  ['missing option value', ['wait-running', '--timeout'], /option '--timeout <duration>' argument missing/],
];

describe('bad input catalogue', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('%s: exit 2 with a message and no stack trace', async (_name, args, message) => {
    const r = await runCli(args, { cwd: dir, env: { AWS_ENDPOINT_URL: deadEndpoint, AWS_REGION: 'us-west-2' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.stderr).not.toMatch(/meshctl bug/);
  });
});
