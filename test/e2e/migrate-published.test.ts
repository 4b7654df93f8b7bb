import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, type Parameter } from '@aws-sdk/client-cloudformation';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CfnResolver } from '../../src/core/mesh/sources/cfn-resolve.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/environment.js';
import { actAsEcsSchedulerWhileRunning } from '../../src/sandbox/scheduler.js';
import { parseTemplateText } from '../../src/steps/cfn-stack.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { projectRoot } from '../support/paths.js';
import { sdkClients } from '../support/workshop.js';

// A published shape end to end (test/fixtures/estates/README.md): the ECS basics walkthrough's two stacks,
// deployed on moto with CreateStack. moto 5.2.1's CloudFormation creates the cluster, the network, the Route 53
// zone, the task definitions and the services, and skips AWS::AppMesh::* and AWS::ServiceDiscovery::*; of a task
// definition it keeps the family, the containers and the memory only, so the test registers the revision the
// template declares (its proxyConfiguration, network mode and compatibilities, read from the template) as the
// App Mesh revision each service runs. App Mesh is then gone (403): meshctl reads the stacks.

const FIXTURES = join(projectRoot(), 'test/fixtures/estates');
const APP_TEMPLATE = join(FIXTURES, 'basics-app.yaml');
const CLUSTER = 'studio-cluster';
const ENVOY_IMAGE = '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.3.0-prod';
const APP_PARAMETERS = {
  ProjectName: 'studio',
  AppImage: 'example/pigment:3',
  EnvoyImage: ENVOY_IMAGE,
  // moto cannot create a Cloud Map service, so its Arn cannot reach the ECS services there.
  RegisterInCloudMap: 'false',
};
const STACKS = ['--from-stack', 'studio-apps', '--from-stack', 'studio-infra'];
const SERVICES = ['pigment-v1', 'pigment-v2', 'easel'];
/** The port mappings of each service's new revision, named where Service Connect publishes them. */
const NAMED_PORTS: Record<string, string[]> = {
  'pigment-v1': ['app:8080 pigment'],
  'pigment-v2': ['app:8080 pigment'],
  easel: ['web:8080 undefined'],
};
const PROXY_OF: Record<string, string> = { 'pigment-v1': 'mesh-proxy', 'pigment-v2': 'mesh-proxy', easel: 'envoy' };

const env = useMotoWorkshop();
let proxy: FaultProxy | undefined;
/** The App Mesh revision each service ran before meshctl, by service. */
const appMeshRevision = new Map<string, TaskDefinition>();

const asParameters = (values: Record<string, string>): Parameter[] =>
  Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/** What moto's CloudFormation left out of the template's task definitions, registered as the App Mesh revision. */
async function completeAppMeshRevisions(template: Record<string, unknown>): Promise<void> {
  const { ecs } = sdkClients(env.moto.url);
  const resolver = new CfnResolver(template, { parameters: APP_PARAMETERS, region: SANDBOX_REGION }, 'basics-app.yaml');
  const resources = template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  for (const [logical, r] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ECS::Service')) {
    const service = resolver.value(r.Properties, `${logical}.Properties`) as { ServiceName: string };
    const taskLogical = (r.Properties.TaskDefinition as { Ref: string }).Ref;
    const declared = resolver.value(resources[taskLogical]!.Properties, `${taskLogical}.Properties`) as {
      Family: string;
      NetworkMode: string;
      RequiresCompatibilities: string[];
      ProxyConfiguration: { Type: string; ContainerName: string; ProxyConfigurationProperties: { Name: string; Value: string }[] };
    };
    const deployed = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: declared.Family }))).taskDefinition!;
    const p = declared.ProxyConfiguration;
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: deployed.family!,
        memory: deployed.memory,
        containerDefinitions: deployed.containerDefinitions,
        networkMode: declared.NetworkMode as 'bridge',
        requiresCompatibilities: declared.RequiresCompatibilities as ['EC2'],
        proxyConfiguration: {
          type: p.Type as 'APPMESH',
          containerName: p.ContainerName,
          properties: p.ProxyConfigurationProperties.map((x) => ({ name: x.Name, value: String(x.Value) })),
        },
      }),
    );
    const td = registered.taskDefinition!;
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: service.ServiceName, taskDefinition: td.taskDefinitionArn }));
    appMeshRevision.set(service.ServiceName, td);
  }
}

beforeEach(async () => {
  appMeshRevision.clear();
  const cfn = new CloudFormationClient({ endpoint: env.moto.url, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS } });
  const infra = readFileSync(join(FIXTURES, 'basics-infra.yaml'), 'utf8');
  await cfn.send(
    new CreateStackCommand({ StackName: 'studio-infra', TemplateBody: infra, Parameters: asParameters({ ProjectName: 'studio' }) }),
  );
  const body = readFileSync(APP_TEMPLATE, 'utf8');
  await cfn.send(new CreateStackCommand({ StackName: 'studio-apps', TemplateBody: body, Parameters: asParameters(APP_PARAMETERS) }));
  await completeAppMeshRevisions((await parseTemplateText(body, 'basics-app.yaml')) as Record<string, unknown>);
  proxy = await startFaultProxy(env.moto.url, [{ kind: '403', rate: 1, match: /^\w+ \/v20190125\// }]);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const cli = (args: string[]) => env.cli(['--cluster', CLUSTER, ...args], {}, proxy!.url);

interface PlanOut {
  ok: boolean;
  waves: { wave: number; services: string[] }[];
  services: {
    service: string;
    status: string;
    kind?: string;
    listeners: { port: number; alias: { dnsName: string; port: number } }[];
    backends: { name: string; servedBy?: string }[];
    findings: { level: string; message: string }[];
  }[];
}
/** What both plans must agree on, by service: status, kind, alias → port, backends, wave. */
function shape(out: PlanOut) {
  const wave = (s: string) => out.waves.find((w) => w.services.includes(s))?.wave;
  return Object.fromEntries(
    out.services.map((s) => [
      s.service,
      {
        status: s.status,
        kind: s.kind,
        aliases: s.listeners.map((l) => `${l.alias.dnsName}:${l.alias.port}→${l.port}`),
        backends: s.backends.map((b) => `${b.name}→${b.servedBy ?? '?'}`),
        wave: wave(s.service),
        errors: s.findings.filter((f) => f.level === 'error').map((f) => f.message),
      },
    ]),
  );
}
const EXPECTED = {
  'pigment-v1': {
    status: 'migrate',
    kind: 'server',
    aliases: ['pigment.studio.mesh.local:80→8080'],
    backends: [],
    wave: 1,
    errors: [],
  },
  'pigment-v2': { status: 'migrate', kind: 'server', aliases: ['pigment.studio.pvtdns:8080→8080'], backends: [], wave: 1, errors: [] },
  easel: { status: 'migrate', kind: 'client-only', aliases: [], backends: ['pigment.studio.mesh.local→pigment-v1'], wave: 2, errors: [] },
};

describe('the ECS basics shape, deployed as two stacks, App Mesh gone', () => {
  it('migrate plan --all-services --from-stack, and the template file with --parameter: the same plan, exit 0', async () => {
    const fromStack = await cli(['migrate', 'plan', '--all-services', '--create-namespace', ...STACKS, '--json']);
    expect(fromStack.code, fromStack.stderr + fromStack.stdout).toBe(0);
    const stackPlan = expectJsonMatchesSchema('migrate plan', fromStack.stdout) as unknown as PlanOut;
    expect(stackPlan.ok).toBe(true);
    expect(shape(stackPlan)).toEqual(EXPECTED);

    const given = Object.entries(APP_PARAMETERS).flatMap(([k, v]) => ['--parameter', `${k}=${v}`]);
    const fromFile = await cli([
      'migrate',
      'plan',
      '--all-services',
      '--create-namespace',
      '--from-cloudformation',
      APP_TEMPLATE,
      ...given,
      '--json',
    ]);
    expect(fromFile.code, fromFile.stderr + fromFile.stdout).toBe(0);
    expect(shape(JSON.parse(fromFile.stdout) as PlanOut)).toEqual(EXPECTED);
  });

  it('migrate apply --all-services --create-namespace: servers first; every revision without its proxy, all else kept', async () => {
    const order: string[] = [];
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws, { cluster: CLUSTER, onDeploy: (s) => order.push(s) });
    let r;
    try {
      r = await cli(['migrate', 'apply', '--all-services', '--create-namespace', ...STACKS, '--interval', '1s', '--timeout', '30s']);
    } finally {
      await scheduler.stop();
    }
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // The UpdateService calls as ECS saw them: easel (the client) only after both versions it calls.
    expect([...order].sort()).toEqual([...SERVICES].sort());
    expect(order.indexOf('easel')).toBeGreaterThan(Math.max(order.indexOf('pigment-v1'), order.indexOf('pigment-v2')));

    const { ecs } = sdkClients(env.moto.url);
    for (const service of SERVICES) {
      const running = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services![0]!;
      const before = appMeshRevision.get(service)!;
      expect(running.taskDefinition, service).not.toBe(before.taskDefinitionArn);
      const after = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: running.taskDefinition }))).taskDefinition!;
      const proxyName = PROXY_OF[service]!;
      const names = (after.containerDefinitions ?? []).map((c) => c.name);
      expect(names, service).not.toContain(proxyName);
      expect(after.proxyConfiguration, service).toBeUndefined();
      for (const c of after.containerDefinitions ?? []) {
        expect(c.dependsOn ?? [], `${service}/${c.name}`).not.toContainEqual(expect.objectContaining({ containerName: proxyName }));
      }
      const ports = (after.containerDefinitions ?? []).flatMap((c) =>
        (c.portMappings ?? []).map((m) => `${c.name}:${m.containerPort} ${m.name}`),
      );
      expect(ports, service).toEqual(NAMED_PORTS[service]);
      // Everything else as the App Mesh revision had it.
      const kept = (td: TaskDefinition) => ({
        family: td.family,
        networkMode: td.networkMode,
        memory: td.memory,
        requiresCompatibilities: td.requiresCompatibilities,
        containers: (td.containerDefinitions ?? []).filter((c) => c.name !== proxyName).map(withoutMeshParts(proxyName)),
      });
      expect(kept(after), service).toEqual(kept(before));
    }
  });
});

/** A container without what the migration may change: its waits on the proxy and its port mappings' names. */
const withoutMeshParts =
  (proxyName: string) =>
  (c: ContainerDefinition): ContainerDefinition => {
    const dependsOn = (c.dependsOn ?? []).filter((d) => d.containerName !== proxyName);
    const portMappings = (c.portMappings ?? []).map(({ name: _name, appProtocol: _protocol, ...rest }) => rest);
    const { dependsOn: _d, portMappings: _p, ...rest } = c;
    return { ...rest, ...(dependsOn.length ? { dependsOn } : {}), portMappings };
  };
