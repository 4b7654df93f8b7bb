import { CreateMeshCommand, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import { motoEnv, runCli } from '../support/cli.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { actAsEcsSchedulerWhileRunning, CLUSTER, FAMILY, SERVICE, sdkClients, seedMoreServices } from '../support/workshop.js';

const env = useMotoWorkshop();
let scheduler: { stop(): Promise<void> };

beforeEach(() => {
  scheduler = actAsEcsSchedulerWhileRunning(env.moto.url, env.ws);
  return () => scheduler.stop();
});

const cli = (args: string[]) => runCli(args, { cwd: env.ws.dir, env: motoEnv(env.moto.url) });
const serviceRevision = async (service = SERVICE) =>
  (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services![0]!.taskDefinition!;
const containersOf = async (arn: string) => (await sdkClients(env.moto.url).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!.containerDefinitions!;

describe("migrate the workshop's crystal service to Service Connect", () => {
  beforeEach(async () => {
    expect((await cli(['add-envoy'])).code).toBe(0);
    expect((await cli(['update-service'])).code).toBe(0);
  });

  it('plans without changing anything', async () => {
    const r = await cli(['migrate', 'plan', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      action: 'planned',
      namespace: 'appmeshworkshop.hosted.local',
      virtualNode: 'mesh/appmesh-workshop/virtualNode/crystal-lb-vanilla',
      previousTaskDefinitionArn: expect.stringMatching(/:2$/),
      serviceConnectConfiguration: { enabled: true, services: [{ portName: 'crystal', clientAliases: [{ port: 3000, dnsName: 'crystal.appmeshworkshop.hosted.local' }] }] },
    });
    expect(out.changes.map((c: { op: string; path: string }) => `${c.op} ${c.path}`)).toEqual(
      expect.arrayContaining(['remove containerDefinitions[1]', 'remove containerDefinitions[0].dependsOn', 'remove proxyConfiguration', 'add containerDefinitions[0].portMappings[0].name']),
    );
    // moto has no virtual services or gateways: the plan says what it could not check.
    expect(out.notes.join('\n')).toMatch(/gateway routes were not checked/);
    expect(await serviceRevision()).toMatch(/:2$/);
  });

  it('applies: an envoy-free revision with named ports runs, a re-run changes nothing, and rollback returns to App Mesh', async () => {
    const r = await cli(['migrate', 'apply', '--json', '--interval', '1s', '--timeout', '30s']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ action: 'migrated', taskDefinitionArn: expect.stringMatching(/:3$/), previousTaskDefinitionArn: expect.stringMatching(/:2$/), wait: { running: 3 } });
    const containers = await containersOf(out.taskDefinitionArn);
    expect(containers.map((c) => c.name)).toEqual(['crystal']);
    expect(containers[0]!.portMappings![0]).toMatchObject({ containerPort: 3000, name: 'crystal', appProtocol: 'http' });
    expect(await serviceRevision()).toBe(out.taskDefinitionArn);

    const again = await cli(['migrate', 'apply']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/unchanged: crystal-service-lb runs .*:3 without envoy; nothing to migrate/);
    expect((await sdkClients(env.moto.url).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }))).taskDefinitionArns).toHaveLength(3);

    const back = await cli(['rollback', '--to', out.previousTaskDefinitionArn, '--timeout', '30s']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/runs envoy: turning Service Connect off/);
    expect(await serviceRevision()).toBe(out.previousTaskDefinitionArn);
  });

  it('--dry-run plans and changes nothing', async () => {
    const r = await cli(['migrate', 'apply', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dry run: crystal-service-lb from App Mesh/);
    expect(await serviceRevision()).toMatch(/:2$/);
  });
});

describe("migrate the runbook's products and payments", () => {
  it('plans products with payments as its backend, and migrates both', async () => {
    const { appMesh } = sdkClients(env.moto.url);
    await seedMoreServices(env.moto.url, env.ws, ['products', 'payments'], { virtualNodes: false, port: 5000 });
    await appMesh.send(new CreateMeshCommand({ meshName: 'local-mesh' }));
    for (const name of ['payments', 'products']) {
      await appMesh.send(
        new CreateVirtualNodeCommand({
          meshName: 'local-mesh',
          virtualNodeName: name,
          spec: {
            listeners: [{ portMapping: { port: 5000, protocol: 'http' } }],
            // moto 5.2.1 insists on attributes, which AWS leaves optional.
            serviceDiscovery: { awsCloudMap: { namespaceName: 'local', serviceName: name, attributes: [] } },
            backends: name === 'products' ? [{ virtualService: { virtualServiceName: 'payments.local' } }] : [],
          },
        }),
      );
      const mesh = ['--mesh', 'local-mesh', '--virtual-node', name];
      expect((await cli(['add-envoy', '--task-definition', `${name}-task`, ...mesh])).code).toBe(0);
      expect((await cli(['update-service', '--service', name, '--task-definition', `${name}-task`])).code).toBe(0);
    }
    const plan = JSON.parse((await cli(['migrate', 'plan', '--service', 'products', '--json'])).stdout);
    expect(plan).toMatchObject({
      namespace: 'local',
      serviceConnectConfiguration: { namespace: 'local', services: [{ portName: 'products', discoveryName: 'products', clientAliases: [{ port: 5000, dnsName: 'products.local' }] }] },
      backends: [{ virtualService: 'payments.local' }],
    });
    for (const name of ['payments', 'products']) {
      const r = await cli(['migrate', 'apply', '--service', name, '--json', '--interval', '1s', '--timeout', '30s']);
      expect(r.code, r.stderr).toBe(0);
      expect((await containersOf(await serviceRevision(name))).map((c) => c.name)).toEqual(['app']);
    }
  });
});
