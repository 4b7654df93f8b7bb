import { AppMeshClient, DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_GLOBALS, CONFIG_USES, commandPath } from '../../src/cli/options/config.js';
import { buildProgram } from '../../src/main.js';
import type { Command } from 'commander';
import { runInProcess } from '../support/fake-deps.js';

// Precedence in-process, with mocked AWS: a flag beats meshctl.yaml, meshctl.yaml beats commander's
// defaults, and cfn-output.json comes last. What AWS is asked shows which value won.

const ecs = mockClient(ECSClient);
const mesh = mockClient(AppMeshClient);
const ssm = mockClient(SSMClient);

const describeFixture = JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8'));
const NEW = (describeFixture.taskDefinition.taskDefinitionArn as string).replace(/:1$/, ':2');
const tasks = (n: number): Task[] =>
  Array.from({ length: n }, (_, i) => ({
    taskArn: `arn:task/${i}`,
    taskDefinitionArn: NEW,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
  }));

let dir: string;
let cfn: string[];
/** Writes the config file and returns the flag that names it. */
const config = (text: string, name = 'meshctl.yaml') => {
  writeFileSync(join(dir, name), text);
  return ['--config', join(dir, name)];
};

beforeEach(() => {
  for (const m of [ecs, mesh, ssm]) m.reset();
  dir = mkdtempSync(join(tmpdir(), 'meshctl-config-'));
  writeFileSync(join(dir, 'cfn-output.json'), JSON.stringify({ EcsClusterName: 'cfn-cluster', CrystalTaskDefinition: 'crystal:1' }));
  cfn = ['--cfn-output', join(dir, 'cfn-output.json')];
  // Two of three tasks RUNNING, forever: every wait times out, and its message says after how long.
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.map((serviceName) => ({
      serviceName,
      taskDefinition: NEW,
      desiredCount: 3,
      deployments: [{ taskDefinition: NEW, status: 'PRIMARY' }],
    })),
  }));
  ecs.on(ListTasksCommand).resolves({ taskArns: ['a', 'b'] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: tasks(2) });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const describedWith = () => ecs.commandCalls(DescribeServicesCommand).map((c) => [c.args[0].input.cluster, c.args[0].input.services]);

describe('wait-running: flag > meshctl.yaml > commander default > cfn-output.json', () => {
  const FILE = 'cluster: file-cluster\nservices: [file-service]\ntimeouts:\n  wait: 20s\ninterval: 2s\n';

  it("takes cluster, service, timeout and interval from the file, over commander's defaults and cfn-output.json", async () => {
    const r = await runInProcess(['wait-running', ...cfn, ...config(FILE)]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/timed out after 20s with 2\/3 RUNNING/);
    expect(new Set(describedWith().map(String))).toEqual(new Set(['file-cluster,file-service']));
    // The pause between polls grows to the file's 2s, not commander's default 10s.
    expect(Math.max(...r.clock.slept)).toBe(2000);
  });

  it('a flag beats the file, key by key', async () => {
    const r = await runInProcess(['wait-running', ...cfn, ...config(FILE), '--cluster', 'flag-cluster', '--timeout', '5s', '--verbose']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/timed out after 5s/);
    expect(new Set(describedWith().map(String))).toEqual(new Set(['flag-cluster,file-service']));
    expect(r.stderr).toContain('meshctl.yaml: used services, interval; given as flags instead: cluster, timeouts.wait');
  });

  it("without the keys, commander's defaults and cfn-output.json are used as before", async () => {
    const r = await runInProcess(['wait-running', ...cfn, ...config('# nothing set\n')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/timed out after 10m00s/);
    expect(new Set(describedWith().map(String))).toEqual(new Set(['cfn-cluster,crystal-service-lb']));
    expect(Math.max(...r.clock.slept)).toBe(10_000);
  });

  it('--no-config reads no file, even one named', async () => {
    const r = await runInProcess(['wait-running', ...cfn, ...config('cluster: [not, a, name]\n'), '--no-config', '--timeout', '1s']);
    expect(r.code, r.stderr).toBe(1);
    expect(new Set(describedWith().map(String))).toEqual(new Set(['cfn-cluster,crystal-service-lb']));
  });

  it('a file listing several services is exit 2 for a command that takes one, unless --service says which', async () => {
    const two = config('services: [a, b]\n');
    const r = await runInProcess(['wait-running', ...cfn, ...two]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${join(dir, 'meshctl.yaml')}: services lists 2 services, but meshctl wait-running takes one; pass --service`,
    );
    expect(ecs.calls()).toHaveLength(0);
    expect((await runInProcess(['wait-running', ...cfn, ...two, '--service', 'b', '--timeout', '1s'])).code).toBe(1);
  });

  it('every problem of the file at once, exit 2, before any AWS call; --json lists them', async () => {
    const r = await runInProcess(['wait-running', ...cfn, ...config('clustr: x\ntimeouts:\n  wait: 5x\n'), '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.error.problems).toEqual([
      expect.stringMatching(/meshctl\.yaml: unknown key "clustr" \(did you mean "cluster"\?\)/),
      expect.stringMatching(/meshctl\.yaml: timeouts\.wait: "5x" is not a duration/),
    ]);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('a --config that does not exist is exit 2; bad YAML is exit 2 naming the file', async () => {
    const missing = await runInProcess(['wait-running', '--config', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${join(dir, 'nope.yaml')}: no such file (the --config file)`);
    const bad = await runInProcess(['wait-running', ...config('cluster: [a\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/meshctl\.yaml: not valid YAML \(/);
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('rollout takes the templates, mesh and image from the file', () => {
  beforeEach(() => {
    ecs.on(DescribeTaskDefinitionCommand).resolves(describeFixture);
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW, revision: 2 } });
    // add-envoy --dry-run reads the family's revisions to say which number it would register.
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [describeFixture.taskDefinition!.taskDefinitionArn!] });
    ecs.on(UpdateServiceCommand).rejects(Object.assign(new Error('stop here'), { name: 'AccessDeniedException' }));
    mesh.on(DescribeVirtualNodeCommand).resolves({ virtualNode: { status: { status: 'ACTIVE' } } as never });
  });
  const FILE = 'services: [orders]\nmesh: file-mesh\nvirtualNode: "{service}-node"\nenvoyImage: example/envoy:file\n';

  it('one service fills {service} with its name', async () => {
    const r = await runInProcess(['rollout', ...cfn, ...config(FILE)]);
    expect(r.code).toBe(3);
    expect(mesh).toHaveReceivedCommandWith(DescribeVirtualNodeCommand, { meshName: 'file-mesh', virtualNodeName: 'orders-node' });
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(registered.containerDefinitions!.find((c) => c.name === 'envoy')!.image).toBe('example/envoy:file');
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'cfn-cluster', service: 'orders' });
  });

  it('flags beat each of them', async () => {
    const r = await runInProcess([
      'rollout',
      ...cfn,
      ...config(FILE),
      '--service',
      'pay',
      '--mesh',
      'flag-mesh',
      '--envoy-image',
      'e:flag',
    ]);
    expect(r.code).toBe(3);
    expect(mesh).toHaveReceivedCommandWith(DescribeVirtualNodeCommand, { meshName: 'flag-mesh', virtualNodeName: 'pay-node' });
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(registered.containerDefinitions!.find((c) => c.name === 'envoy')!.image).toBe('e:flag');
  });

  it('add-envoy has no service to fill a template with: it keeps its default node then', async () => {
    const r = await runInProcess(['add-envoy', ...cfn, ...config(FILE), '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      action: 'dry-run',
      virtualNode: 'mesh/file-mesh/virtualNode/crystal-lb-vanilla',
      envoyImage: 'example/envoy:file',
    });
    const named = await runInProcess(['add-envoy', ...cfn, ...config('virtualNode: one-node\n'), '--dry-run', '--json']);
    expect(JSON.parse(named.stdout)).toMatchObject({ action: 'dry-run', virtualNode: 'mesh/appmesh-workshop/virtualNode/one-node' });
  });
});

describe('verify takes what its mode uses, and nothing the other mode would refuse', () => {
  const FILE = 'services: [a, b]\nhost: file.local\ntimeouts:\n  verify: 30s\n';

  it('the SSM check: host and timeouts.verify, not services', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    ssm.on(GetCommandInvocationCommand).resolves({
      Status: 'Success',
      StandardOutputContent: 'meshctl-resolved: 10.0.1.5\n< HTTP/1.1 200 OK\n< server: envoy\n\nok\nmeshctl-curl-exit: 0\n',
    });
    const r = await runInProcess(['verify', ...cfn, ...config(FILE), '--instance-id', 'i-0abc12345678']);
    expect(r.code, r.stderr).toBe(0);
    const script = JSON.stringify(ssm.commandCalls(SendCommandCommand)[0]!.args[0].input.Parameters);
    expect(script).toContain('file.local');
    // curl's own limit is half the verify timeout: 30s from the file, not the default 2m.
    expect(script).toContain('max_time=15');
  });

  it('--service-connect: services, which must then name one', async () => {
    const r = await runInProcess(['verify', '--service-connect', ...cfn, ...config(FILE)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('services lists 2 services, but meshctl verify takes one; pass --service');
  });
});

describe('the table of what each command takes from the file', () => {
  it('names only options the commands have', async () => {
    const deps = {} as never;
    const program = await buildProgram(deps);
    const all = (cmds: readonly Command[]): Command[] => cmds.flatMap((c) => [c, ...all(c.commands)]);
    const byPath = new Map(all(program.commands).map((c) => [commandPath(c), c]));
    for (const [path, uses] of Object.entries(CONFIG_USES)) {
      const cmd = byPath.get(path);
      expect(cmd, path).toBeDefined();
      for (const use of uses)
        expect(
          cmd!.options.map((o) => o.attributeName()),
          `${path} ${use.key}`,
        ).toContain(use.option);
    }
    for (const use of CONFIG_GLOBALS) expect(program.options.map((o) => o.attributeName())).toContain(use.option);
  });
});
