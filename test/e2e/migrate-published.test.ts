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

// Published shapes end to end (test/fixtures/estates/README.md): the ECS basics walkthrough's two stacks, the
// gRPC/HTTP2/TCP estate with an ingress gateway in a shared mesh, and a nested stack, deployed on moto with CreateStack. moto 5.2.1's CloudFormation creates the cluster, the network, the Route 53
// zone, the task definitions and the services, and skips AWS::AppMesh::* and AWS::ServiceDiscovery::*; of a task
// definition it keeps the family, the containers and the memory only, so the test registers the revision the
// template declares (its proxyConfiguration, network mode and compatibilities, read from the template) as the
// App Mesh revision each service runs. App Mesh is then gone (403): meshctl reads the stacks.

const FIXTURES = join(projectRoot(), 'test/fixtures/estates');
const APP_TEMPLATE = join(FIXTURES, 'basics-app.yaml');
const ENVOY_IMAGE = '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.3.0-prod';
const APP_PARAMETERS = {
  ProjectName: 'studio',
  AppImage: 'example/pigment:3',
  EnvoyImage: ENVOY_IMAGE,
  // moto cannot create a Cloud Map service, so its Arn cannot reach the ECS services there.
  RegisterInCloudMap: 'false',
};
const STACKS = ['--from-stack', 'studio-apps', '--from-stack', 'studio-infra'];
const MARKET_PARAMETERS = { SharedMeshName: 'hub', SharedMeshOwner: '111122223333', EnvoyImage: ENVOY_IMAGE };

const env = useMotoWorkshop();
let proxy: FaultProxy | undefined;

const asParameters = (values: Record<string, string>): Parameter[] =>
  Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/** CreateStack of a fixture with its parameters; its template, parsed. */
async function deploy(stack: string, file: string, parameters: Record<string, string>): Promise<Record<string, unknown>> {
  const cfn = new CloudFormationClient({ endpoint: env.moto.url, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS } });
  const body = readFileSync(join(FIXTURES, file), 'utf8');
  await cfn.send(new CreateStackCommand({ StackName: stack, TemplateBody: body, Parameters: asParameters(parameters) }));
  return (await parseTemplateText(body, file)) as Record<string, unknown>;
}

interface DeclaredTask {
  Family: string;
  NetworkMode: string;
  RequiresCompatibilities: string[];
  ProxyConfiguration?: { Type: string; ContainerName: string; ProxyConfigurationProperties: { Name: string; Value: string }[] };
}

/**
 * What moto's CloudFormation left out of the template's task definitions (proxyConfiguration, network mode,
 * compatibilities), registered as the App Mesh revision each service runs: the revisions by service.
 */
async function completeAppMeshRevisions(template: Record<string, unknown>, parameters: Record<string, string>, cluster: string) {
  const { ecs } = sdkClients(env.moto.url);
  const revisions = new Map<string, TaskDefinition>();
  const resolver = new CfnResolver(template, { parameters, region: SANDBOX_REGION }, 'template');
  const resources = template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  for (const [logical, r] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ECS::Service')) {
    if (resolver.exists(logical) !== true) continue;
    const service = resolver.value(r.Properties, `${logical}.Properties`) as { ServiceName: string };
    const taskLogical = (r.Properties.TaskDefinition as { Ref: string }).Ref;
    const declared = resolver.value(resources[taskLogical]!.Properties, `${taskLogical}.Properties`) as DeclaredTask;
    const deployed = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: declared.Family }))).taskDefinition!;
    const p = declared.ProxyConfiguration;
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: deployed.family!,
        memory: deployed.memory,
        containerDefinitions: deployed.containerDefinitions,
        networkMode: declared.NetworkMode as 'bridge' | 'awsvpc',
        requiresCompatibilities: declared.RequiresCompatibilities as ['EC2'],
        ...(p
          ? {
              proxyConfiguration: {
                type: p.Type as 'APPMESH',
                containerName: p.ContainerName,
                properties: p.ProxyConfigurationProperties.map((x) => ({ name: x.Name, value: String(x.Value) })),
              },
            }
          : {}),
      }),
    );
    const td = registered.taskDefinition!;
    await ecs.send(new UpdateServiceCommand({ cluster, service: service.ServiceName, taskDefinition: td.taskDefinitionArn }));
    revisions.set(service.ServiceName, td);
  }
  return revisions;
}

/** The ECS basics shape: the shared stack, then the apps importing from it. */
async function deployStudio() {
  await deploy('studio-infra', 'basics-infra.yaml', { ProjectName: 'studio' });
  return completeAppMeshRevisions(await deploy('studio-apps', 'basics-app.yaml', APP_PARAMETERS), APP_PARAMETERS, 'studio-cluster');
}

beforeEach(async () => {
  proxy = await startFaultProxy(env.moto.url, [{ kind: '403', rate: 1, match: /^\w+ \/v20190125\// }]);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const cli = (cluster: string, args: string[]) => env.cli(['--cluster', cluster, ...args], {}, proxy!.url);

/** migrate apply --all-services --create-namespace with the ECS scheduler stand-in; the order it saw the services move in. */
async function applyAll(cluster: string, sources: string[]) {
  const order: string[] = [];
  const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws, { cluster, onDeploy: (s) => order.push(s) });
  try {
    const r = await cli(cluster, [
      'migrate',
      'apply',
      '--all-services',
      '--create-namespace',
      ...sources,
      '--interval',
      '1s',
      '--timeout',
      '30s',
    ]);
    return { r, order };
  } finally {
    await scheduler.stop();
  }
}

/**
 * Every service's new revision: its proxy container gone (whatever its name), no proxyConfiguration, no wait on
 * the proxy, the port mappings as `named` says (`container:port name`); everything else as the App Mesh revision.
 */
async function expectMigrated(
  cluster: string,
  before: Map<string, TaskDefinition>,
  proxyOf: Record<string, string>,
  named: Record<string, string[]>,
) {
  const { ecs } = sdkClients(env.moto.url);
  for (const [service, proxyName] of Object.entries(proxyOf)) {
    const running = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
    const old = before.get(service)!;
    expect(running.taskDefinition, service).not.toBe(old.taskDefinitionArn);
    const after = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: running.taskDefinition }))).taskDefinition!;
    expect(
      (after.containerDefinitions ?? []).map((c) => c.name),
      service,
    ).not.toContain(proxyName);
    expect(after.proxyConfiguration, service).toBeUndefined();
    for (const c of after.containerDefinitions ?? []) {
      expect(c.dependsOn ?? [], `${service}/${c.name}`).not.toContainEqual(expect.objectContaining({ containerName: proxyName }));
    }
    const ports = (after.containerDefinitions ?? []).flatMap((c) =>
      (c.portMappings ?? []).map((m) => `${c.name}:${m.containerPort} ${m.name}`),
    );
    expect(ports, service).toEqual(named[service]);
    const kept = (td: TaskDefinition) => ({
      family: td.family,
      networkMode: td.networkMode,
      memory: td.memory,
      requiresCompatibilities: td.requiresCompatibilities,
      containers: (td.containerDefinitions ?? []).filter((c) => c.name !== proxyName).map(withoutMeshParts(proxyName)),
    });
    expect(kept(after), service).toEqual(kept(old));
  }
}

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
  'pigment-v2': { status: 'migrate', kind: 'client-only', aliases: [], backends: [], wave: 1, errors: [] },
  easel: { status: 'migrate', kind: 'client-only', aliases: [], backends: ['pigment.studio.mesh.local→pigment-v1'], wave: 2, errors: [] },
};

describe('the ECS basics shape, deployed as two stacks, App Mesh gone', () => {
  it('migrate plan --all-services --from-stack, and the template file with --parameter: the same plan, exit 0', async () => {
    await deployStudio();
    const fromStack = await cli('studio-cluster', ['migrate', 'plan', '--all-services', '--create-namespace', ...STACKS, '--json']);
    expect(fromStack.code, fromStack.stderr + fromStack.stdout).toBe(0);
    const stackPlan = expectJsonMatchesSchema('migrate plan', fromStack.stdout) as unknown as PlanOut;
    expect(stackPlan.ok).toBe(true);
    expect(shape(stackPlan)).toEqual(EXPECTED);

    const given = Object.entries(APP_PARAMETERS).flatMap(([k, v]) => ['--parameter', `${k}=${v}`]);
    const file = ['--from-cloudformation', APP_TEMPLATE, ...given];
    const fromFile = await cli('studio-cluster', ['migrate', 'plan', '--all-services', '--create-namespace', ...file, '--json']);
    expect(fromFile.code, fromFile.stderr + fromFile.stdout).toBe(0);
    expect(shape(JSON.parse(fromFile.stdout) as PlanOut)).toEqual(EXPECTED);
  });

  it('migrate apply --all-services --create-namespace: servers first; every revision without its proxy, all else kept', async () => {
    const before = await deployStudio();
    const { r, order } = await applyAll('studio-cluster', STACKS);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // The UpdateService calls as ECS saw them: easel (the client) only after both versions it calls.
    expect([...order].sort()).toEqual(['easel', 'pigment-v1', 'pigment-v2']);
    expect(order.indexOf('easel')).toBeGreaterThan(Math.max(order.indexOf('pigment-v1'), order.indexOf('pigment-v2')));
    await expectMigrated(
      'studio-cluster',
      before,
      { 'pigment-v1': 'mesh-proxy', 'pigment-v2': 'mesh-proxy', easel: 'envoy' },
      // A client only (pigment-v2: no name of its own; easel) publishes no port: its mapping keeps no name.
      { 'pigment-v1': ['app:8080 pigment'], 'pigment-v2': ['app:8080 undefined'], easel: ['web:8080 undefined'] },
    );
  });
});

describe('gRPC, HTTP/2 and TCP with an ingress gateway in a shared mesh, deployed as one stack, App Mesh gone', () => {
  it('migrate apply --all-services --from-stack: the gateway (edge-envoy) untouched; the portal after what it calls', async () => {
    const before = await completeAppMeshRevisions(
      await deploy('market', 'grpc-gateway-shared.yaml', MARKET_PARAMETERS),
      MARKET_PARAMETERS,
      'market',
    );
    const { r, order } = await applyAll('market', ['--from-stack', 'market']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^edge: virtual gateway edge-gw, left untouched; .*migrate cleanup lists it$/m);
    expect([...order].sort()).toEqual(['feed', 'portal', 'quote', 'stream']);
    expect(order.indexOf('portal')).toBeGreaterThan(Math.max(...['feed', 'quote', 'stream'].map((s) => order.indexOf(s))));
    const { ecs } = sdkClients(env.moto.url);
    const edge = (await ecs.send(new DescribeServicesCommand({ cluster: 'market', services: ['edge'] }))).services![0]!;
    expect(edge.taskDefinition).toBe(before.get('edge')!.taskDefinitionArn);
    before.delete('edge');
    await expectMigrated(
      'market',
      before,
      { quote: 'envoy', stream: 'envoy', feed: 'envoy', portal: 'envoy' },
      { quote: ['server:50051 quote'], stream: ['server:8443 stream'], feed: ['server:7000 feed'], portal: ['web:8080 portal'] },
    );
  });
});

describe('a nested stack on moto: the mesh in the child (from S3), the parent reading its Outputs', () => {
  it('migrate plan --all-services --from-stack PARENT reads the child too: orders before checkout, which calls it', async () => {
    // The child template where the parent's TemplateURL points: moto's S3, written without signing.
    const body = readFileSync(join(FIXTURES, 'nested-mesh.yaml'), 'utf8');
    expect((await fetch(`${env.moto.url}/orchard-templates`, { method: 'PUT' })).status).toBe(200);
    expect((await fetch(`${env.moto.url}/orchard-templates/nested-mesh.yaml`, { method: 'PUT', body })).status).toBe(200);
    await deploy('orchard', 'nested-parent.yaml', { EnvName: 'prod', TemplateBucket: 'orchard-templates' });
    const r = await cli('prod-orchard', ['migrate', 'plan', '--all-services', '--create-namespace', '--from-stack', 'orchard', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout) as PlanOut & { notes: string[] };
    expect(shape(out)).toEqual({
      orders: { status: 'migrate', kind: 'server', aliases: ['orders.prod.orchard.local:9000→9000'], backends: [], wave: 1, errors: [] },
      checkout: {
        status: 'migrate',
        kind: 'server',
        aliases: ['checkout.prod.orchard.local:8080→8080'],
        backends: ['orders.prod.orchard.local→orders'],
        wave: 2,
        errors: [],
      },
    });
    expect(out.notes.join('\n')).toMatch(/stack orchard-MeshStack-/);
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
