import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { CreateServiceCommand as CreateCloudMapServiceCommand } from '@aws-sdk/client-servicediscovery';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { registerMeshTask, seedNamespace } from '../../src/sandbox/runbook-world.js';
import { runServiceTasks } from '../../src/sandbox/workshop-world.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { seedClients } from '../support/sdk-clients.js';
import { actAsEcsSchedulerWhileRunning, CLUSTER, sdkClients } from '../support/workshop.js';

// A canary estate in the shape of App Mesh's colour walkthroughs, our own: hue-v1 and hue-v2 behind
// router hue-vr (listener 3000, nodes on 9080) as hue.paint.internal, split 90/10; front calls it and
// nothing calls front; an envoy-only ingress gateway. App Mesh is gone; the mesh file is what was kept.

const env = useMotoWorkshop();
let proxy: FaultProxy | undefined;
let meshFile = '';

const MESH_FILE = `
mesh: { name: paint, egressFilter: DROP_ALL }
virtualNodes:
  - name: hue-v1-vn
    listener: { port: 9080, protocol: http }
    serviceDiscovery: { cloudMap: { namespace: paint.internal, service: hue-v1 } }
  - name: hue-v2-vn
    listener: { port: 9080, protocol: http }
    serviceDiscovery: { cloudMap: { namespace: paint.internal, service: hue-v2 } }
  - name: front-vn
    listener: { port: 8000, protocol: http }
    serviceDiscovery: { dns: { hostname: front.paint.example } }
    backends: [hue.paint.internal]
virtualRouters:
  - name: hue-vr
    listener: { port: 3000, protocol: http }
    routes:
      - name: canary
        prefix: /
        targets: [{ virtualNode: hue-v1-vn, weight: 90 }, { virtualNode: hue-v2-vn, weight: 10 }]
virtualServices:
  - name: hue.paint.internal
    provider: { virtualRouter: hue-vr }
virtualGateway:
  name: ingress-gw
  listener: { port: 8080, protocol: http }
  routes:
    - name: to-hue
      prefix: /hue/
      virtualService: hue.paint.internal
      rewritePrefix: true
`;

async function seedCanary(): Promise<void> {
  const endpoint = env.moto.url;
  const { ecs, ec2 } = sdkClients(endpoint);
  const { sd } = seedClients(endpoint);
  const vpcId = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [env.ws.subnetId] }))).Subnets![0]!.VpcId!;
  const nsId = await seedNamespace(endpoint, 'paint.internal', vpcId);
  const network = { awsvpcConfiguration: { subnets: [env.ws.subnetId], securityGroups: [env.ws.securityGroupId] } };
  const start = async (name: string, taskDefinition: string, registryArn?: string) => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: network,
        ...(registryArn ? { serviceRegistries: [{ registryArn }] } : {}),
      }),
    );
    await runServiceTasks(endpoint, taskDefinition, 1, env.ws, name);
  };
  for (const name of ['hue-v1', 'hue-v2']) {
    const cm = await sd.send(
      new CreateCloudMapServiceCommand({
        Name: name,
        NamespaceId: nsId,
        DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
      }),
    );
    const app = {
      name: 'app',
      image: `example/${name}:1`,
      essential: true,
      portMappings: [{ containerPort: 9080, protocol: 'tcp' as const }],
    };
    await start(name, await registerMeshTask(endpoint, name, app, 'paint', `${name}-vn`, 9080), cm.Service!.Arn!);
  }
  const web = {
    name: 'web',
    image: 'example/front:1',
    essential: true,
    portMappings: [{ containerPort: 8000, protocol: 'tcp' as const }],
    environment: [{ name: 'HUE_URL', value: 'http://hue.paint.internal:3000/' }],
  };
  await start('front', await registerMeshTask(endpoint, 'front', web, 'paint', 'front-vn', 8000));
  const gateway = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'ingress',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'envoy',
          image: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.3.0-prod',
          essential: true,
          portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
          environment: [
            { name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:123456789012:mesh/paint/virtualGateway/ingress-gw' },
          ],
        },
      ],
    }),
  );
  await start('ingress', gateway.taskDefinition!.taskDefinitionArn!);
}

beforeEach(async () => {
  await env.seeded('canary', () => seedCanary());
  meshFile = join(mkdtempSync(join(tmpdir(), 'meshctl-estate-')), 'paint.yaml');
  writeFileSync(meshFile, MESH_FILE);
  proxy = await startFaultProxy(env.moto.url, [{ kind: '403', rate: 1, match: /^\w+ \/v20190125\// }]);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const cli = (args: string[]) => env.cli(args, {}, proxy!.url);
const revisionOf = async (service: string) =>
  (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services![0]!
    .taskDefinition!;

interface PlanOut {
  ok: boolean;
  waves: { wave: number; services: string[] }[];
  services: {
    service: string;
    status: string;
    kind: string | null;
    listeners: { port: number; alias: { dnsName: string; port: number } }[];
    backends: { name: string; servedBy?: string; behind?: string[] }[];
    virtualServices: { name: string; owner: string | null; routes: { lost: string[] }[] }[];
    gateway: { routes: { rule: string; unsupported: string[] }[] } | null;
    serviceConnectConfiguration: { namespace: string; services?: unknown[] } | null;
  }[];
}

describe('a canary estate with App Mesh gone', () => {
  it('migrate plan --all-services: exit 0, the name to the heavier version on the router port, front after both', async () => {
    const r = await cli(['migrate', 'plan', '--all-services', '--mesh-file', meshFile, '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = expectJsonMatchesSchema('migrate plan', r.stdout) as unknown as PlanOut;
    const of = (name: string) => out.services.find((s) => s.service === name)!;
    expect(of('hue-v1').listeners.map((l) => [l.alias, l.port])).toEqual([[{ dnsName: 'hue.paint.internal', port: 3000 }, 9080]]);
    expect(of('hue-v2').listeners.map((l) => l.alias)).toEqual([{ dnsName: 'hue-v2.paint.internal', port: 9080 }]);
    expect(of('hue-v1').virtualServices[0]!.owner).toBe('hue-v1');
    expect(of('hue-v1').virtualServices[0]!.routes[0]!.lost).toEqual(['the split hue-v1 90 / hue-v2 10']);
    expect(of('front').kind).toBe('client-only');
    expect(of('front').serviceConnectConfiguration).toEqual({ enabled: true, namespace: 'paint.internal' });
    expect(of('front').backends).toEqual([{ name: 'hue.paint.internal', servedBy: 'hue-v1', behind: ['hue-v1', 'hue-v2'] }]);
    const wave = (s: string) => out.waves.find((w) => w.services.includes(s))!.wave;
    expect(wave('front')).toBeGreaterThan(Math.max(wave('hue-v1'), wave('hue-v2')));
    expect([of('ingress').status, of('ingress').kind]).toEqual(['gateway', 'gateway']);
    expect(out.waves.flatMap((w) => w.services)).not.toContain('ingress');
    expect(of('ingress').gateway!.routes).toEqual([
      {
        name: 'to-hue',
        virtualService: 'hue.paint.internal',
        target: { service: 'hue-v1', port: 9080 },
        rule: 'path-pattern /hue* → forward to a target group of ECS service hue-v1 port 9080',
        unsupported: [expect.stringMatching(/^the prefix rewrite/)],
      },
    ]);
  });

  it('--client-alias NAME:PORT goes to the selected service; a malformed one is exit 2 before any request', async () => {
    const r = await cli([
      'migrate',
      'plan',
      '--service',
      'front',
      '--mesh-file',
      meshFile,
      '--client-alias',
      'front.paint.internal:80',
      '--json',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const front = (JSON.parse(r.stdout) as PlanOut).services.find((s) => s.service === 'front')!;
    expect(front.listeners.map((l) => [l.alias, l.port])).toEqual([[{ dnsName: 'front.paint.internal', port: 80 }, 8000]]);
    const count = () => [...proxy!.seen.values()].reduce((a, b) => a + b, 0);
    const before = count();
    const bad = await cli(['migrate', 'plan', '--service', 'front', '--client-alias', 'front.paint.internal:http']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--client-alias: "front\.paint\.internal:http" is not NAME or NAME:PORT/);
    expect(count()).toBe(before);
    const all = await cli(['migrate', 'plan', '--all-services', '--client-alias', 'front.paint.internal']);
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/pass exactly one --service with it/);
  });

  it('migrate apply --all-services: servers before their client, the gateway untouched and said so; cleanup lists it', async () => {
    const gatewayBefore = await revisionOf('ingress');
    const scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
    let r;
    try {
      r = await cli(['migrate', 'apply', '--all-services', '--mesh-file', meshFile, '--interval', '1s', '--timeout', '30s']);
    } finally {
      await scheduler.stop();
    }
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const waveOf = (s: string) => Number(new RegExp(`^wave (\\d+) ${s}: runs `, 'm').exec(r.stdout)?.[1]);
    expect(waveOf('front')).toBeGreaterThan(Math.max(waveOf('hue-v1'), waveOf('hue-v2')));
    expect(r.stdout).toMatch(/^ingress: virtual gateway ingress-gw, left untouched; .*migrate cleanup lists it$/m);
    expect(await revisionOf('ingress')).toBe(gatewayBefore);
    const cleanup = await cli(['migrate', 'cleanup']);
    expect(cleanup.code, cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toMatch(/left for you: gateway service ingress /);
  });
});
