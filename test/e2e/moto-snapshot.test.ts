import { ListNamespacesCommand } from '@aws-sdk/client-servicediscovery';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  ListClustersCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ListVirtualNodesCommand } from '@aws-sdk/client-app-mesh';
import { CreateHttpNamespaceCommand } from '@aws-sdk/client-servicediscovery';
import { describe, expect, it } from 'vitest';
import { restoreMoto } from '../../src/sandbox/moto.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { seedClients } from '../support/sdk-clients.js';
import { CLUSTER, FAMILY, MESH, SERVICE, sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop();

/** What the e2e tests read of the workshop's world, in a form two worlds can be compared by. */
async function worldOf(url: string) {
  const c = sdkClients(url);
  const service = (await c.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
  return {
    clusters: (await c.ecs.send(new ListClustersCommand({}))).clusterArns,
    revisions: (await c.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }))).taskDefinitionArns,
    service: { taskDefinition: service.taskDefinition, desiredCount: service.desiredCount, deployments: service.deployments?.length },
    tasks: ((await c.ecs.send(new ListTasksCommand({ cluster: CLUSTER }))).taskArns ?? []).length,
    vpcs: (await c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId).sort(),
    subnets: (await c.ec2.send(new DescribeSubnetsCommand({}))).Subnets!.map((s) => s.SubnetId).sort(),
    groups: (await c.autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups!.map((g) => [
      g.AutoScalingGroupName,
      g.Instances?.length,
    ]),
    nodes: (await c.appMesh.send(new ListVirtualNodesCommand({ meshName: MESH }))).virtualNodes!.map((n) => n.virtualNodeName),
    namespaces: (await seedClients(url).sd.send(new ListNamespacesCommand({}))).Namespaces!.length,
  };
}

describe("the launcher's snapshots (the e2e tests' fresh workshop before each test)", () => {
  it('restore puts back exactly what the snapshot held: changes undone, services used since emptied, counters too', async () => {
    const { moto, ws } = env;
    // Each test starts from the seed's world (restored or seeded, it is the one the workshop's folder names).
    const before = await worldOf(moto.url);
    expect(before).toMatchObject({ revisions: [ws.taskDefinitionArn], tasks: 3, namespaces: 0, nodes: [expect.any(String)] });
    expect(before.subnets).toContain(ws.subnetId);

    const c = sdkClients(moto.url);
    const td = await c.ecs.send(
      new RegisterTaskDefinitionCommand({ family: FAMILY, containerDefinitions: [{ name: 'x', image: 'x', memory: 64 }] }),
    );
    await c.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: td.taskDefinition!.taskDefinitionArn }),
    );
    await c.ecs.send(new CreateClusterCommand({ clusterName: 'other' }));
    await seedClients(moto.url).sd.send(new CreateHttpNamespaceCommand({ Name: 'changed' }));
    expect(await worldOf(moto.url)).not.toEqual(before);

    expect(await restoreMoto(moto.url)).toBe(true);
    expect(await worldOf(moto.url)).toEqual(before);
    // The next revision is 2 again: the family's counter came back with the rest.
    const again = await c.ecs.send(
      new RegisterTaskDefinitionCommand({ family: FAMILY, containerDefinitions: [{ name: 'x', image: 'x', memory: 64 }] }),
    );
    expect(again.taskDefinition!.taskDefinitionArn).toBe(ws.taskDefinitionArn.replace(/:1$/, ':2'));
    // A second restore works from the same snapshot.
    expect(await restoreMoto(moto.url)).toBe(true);
    expect(await worldOf(moto.url)).toEqual(before);
  });

  it('the next test starts from the same world, whatever the last one changed', async () => {
    const c = sdkClients(env.moto.url);
    expect((await c.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([expect.stringMatching(new RegExp(`/${CLUSTER}$`))]);
    expect((await c.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }))).taskDefinitionArns).toEqual([
      env.ws.taskDefinitionArn,
    ]);
    await c.ecs.send(new CreateClusterCommand({ clusterName: 'left-for-the-next-test' }));
  });

  it('(and the one after it)', async () => {
    const c = sdkClients(env.moto.url);
    expect((await c.ecs.send(new ListClustersCommand({}))).clusterArns).toHaveLength(1);
  });

  // A world seeded on top of the workshop (env.seeded): seeded once in this server, restored after that.
  let seeds = 0;
  const probeWorld = async (url: string) => {
    seeds += 1;
    await sdkClients(url).ecs.send(new CreateClusterCommand({ clusterName: 'probe' }));
  };
  const clusters = async () =>
    ((await sdkClients(env.moto.url).ecs.send(new ListClustersCommand({}))).clusterArns ?? []).map((a) => a.split('/').pop()).sort();

  it.each([1, 2])('a world seeded on top of the workshop (run %i): the same world, its seed run once', async () => {
    await env.seeded('probe', probeWorld);
    expect(await clusters()).toEqual([CLUSTER, 'probe'].sort());
    expect(seeds).toBe(1);
    await sdkClients(env.moto.url).ecs.send(new CreateClusterCommand({ clusterName: 'changed' }));
  });
});
