import { UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { CreateServiceCommand, DeleteServiceCommand } from '@aws-sdk/client-ecs';
import { CreateServiceCommand as CreateCloudMapServiceCommand } from '@aws-sdk/client-servicediscovery';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { sdkClients, seedClients } from './sdk-clients.js';
import { registerMeshTask, seedNamespace, seedRunbookApps, RUNBOOK_APPS } from '../../src/sandbox/runbook-world.js';
import { CLUSTER, MESH, NODE, runServiceTasks, SERVICE, seedWorkshopFront } from '../../src/sandbox/workshop-world.js';
import type { Workshop } from './workshop.js';

// The workshop's front (ALB, private zone) and the console runbook's apps are seeded by src/sandbox/,
// which `meshctl sandbox up` uses too; this file puts them together into the cluster the tests need.

export interface ClusterWorld {
  albDnsName: string;
  zoneId: string;
}

/**
 * The workshop as it really was at the end of App Mesh, plus the console runbook's pair, in one cluster:
 * crystal-service-lb behind an internal ALB, its node discovered by the ALB's DNS name, the private zone
 * appmeshworkshop.hosted.local with `crystal` an alias of that ALB; payments and products registered in
 * Cloud Map namespace `local` (products calls payments through PAYMENT_ENDPOINT), and inventory, which
 * calls nothing. Every one runs an envoy task definition.
 */
export async function seedClusterWorld(endpoint: string, ws: Workshop): Promise<ClusterWorld> {
  const { ecs, appMesh, ec2 } = sdkClients(endpoint);
  const vpcId = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [ws.subnetId] }))).Subnets![0]!.VpcId!;
  const { albDnsName, zoneId, targetGroupArn } = await seedWorkshopFront(endpoint, vpcId, ws.subnetId);
  // The workshop's real node is discovered by the ALB's DNS name.
  await appMesh.send(
    new UpdateVirtualNodeCommand({
      meshName: MESH,
      virtualNodeName: NODE,
      spec: { listeners: [{ portMapping: { port: 3000, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: albDnsName } } },
    }),
  );
  // crystal-service-lb again, now behind the ALB and on an envoy revision.
  const crystal = await registerMeshTask(
    endpoint,
    'appmesh-workshop-crystal-lb-vanilla',
    {
      name: 'crystal',
      image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/crystal:vanilla',
      essential: true,
      portMappings: [{ containerPort: 3000, protocol: 'tcp' }],
    },
    MESH,
    NODE,
    3000,
  );
  const network = { awsvpcConfiguration: { subnets: [ws.subnetId], securityGroups: [ws.securityGroupId] } };
  await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: SERVICE, force: true }));
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: crystal,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: network,
      loadBalancers: [{ targetGroupArn, containerName: 'crystal', containerPort: 3000 }],
    }),
  );
  await runServiceTasks(endpoint, crystal, 2, ws);

  // The console runbook: Cloud Map namespace local, payments and products, and inventory beside them.
  const namespaceId = await seedNamespace(endpoint, 'local', vpcId);
  await seedRunbookApps(endpoint, { cluster: CLUSTER, mesh: MESH, namespace: 'local', namespaceId, net: ws }, [
    ...RUNBOOK_APPS,
    { name: 'inventory' },
  ]);
  return { albDnsName, zoneId };
}

/**
 * A cluster of `layers` × `perLayer` envoy services in Cloud Map namespace `bench`: each service of
 * layer k calls one of layer k-1 through an environment URL, so the plan has `layers` waves.
 */
export async function seedLayeredCluster(endpoint: string, ws: Workshop, layers: number, perLayer: number): Promise<string[]> {
  const { ecs, ec2 } = sdkClients(endpoint);
  const { sd } = seedClients(endpoint);
  const vpcId = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [ws.subnetId] }))).Subnets![0]!.VpcId!;
  const nsId = await seedNamespace(endpoint, 'bench', vpcId);
  const network = { awsvpcConfiguration: { subnets: [ws.subnetId], securityGroups: [ws.securityGroupId] } };
  const names: string[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < perLayer; i++) {
      const name = `l${layer + 1}-s${String(i + 1).padStart(2, '0')}`;
      const calls = layer > 0 ? `l${layer}-s${String(i + 1).padStart(2, '0')}` : undefined;
      const cm = await sd.send(
        new CreateCloudMapServiceCommand({
          Name: name,
          NamespaceId: nsId,
          DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
        }),
      );
      const arn = await registerMeshTask(
        endpoint,
        `${name}-task`,
        {
          name: 'app',
          image: `example/${name}:1`,
          essential: true,
          portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
          environment: calls ? [{ name: 'UPSTREAM_URL', value: `http://${calls}.bench:8080/` }] : [],
        },
        'bench-mesh',
        name,
        8080,
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: name,
          taskDefinition: arn,
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: network,
          serviceRegistries: [{ registryArn: cm.Service!.Arn! }],
        }),
      );
      await runServiceTasks(endpoint, arn, 1, ws, name);
      names.push(name);
    }
  }
  return names;
}
