import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { ServiceDiscoveryApi } from '../aws/service-discovery.js';
import { sandboxAws } from './aws.js';
import { EXECUTION_ROLE_ARN, RUNBOOK_CLUSTER, RUNBOOK_MESH, RUNBOOK_NAMESPACE, RUNBOOK_TASK_ROLE, TASK_ROLE_ARN } from './world-names.js';
import { runServiceTasks, seedNetwork, seedTaskRole, type TaskNetwork } from './workshop-world.js';

const envoy = (mesh: string, node: string): ContainerDefinition => ({
  name: 'envoy',
  image: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.3.0-prod',
  essential: true,
  user: '1337',
  environment: [{ name: 'APPMESH_RESOURCE_ARN', value: `arn:aws:appmesh:us-west-2:123456789012:mesh/${mesh}/virtualNode/${node}` }],
});

const proxy = (ports: number[]) => ({
  type: 'APPMESH' as const,
  containerName: 'envoy',
  properties: [
    { name: 'IgnoredUID', value: '1337' },
    { name: 'ProxyIngressPort', value: '15000' },
    { name: 'ProxyEgressPort', value: '15001' },
    { name: 'AppPorts', value: ports.join(',') },
    { name: 'EgressIgnoredIPs', value: '169.254.170.2,169.254.169.254' },
  ],
});

/** An App Mesh-era task definition: the app waiting for envoy, the APPMESH proxy configuration. */
export async function registerMeshTask(
  endpoint: string,
  family: string,
  app: ContainerDefinition,
  mesh: string,
  node: string,
  port: number,
  taskRoleArn = TASK_ROLE_ARN,
): Promise<string> {
  const ecs = await sandboxAws(endpoint).ecs();
  const td = await ecs.registerTaskDefinition({
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    taskRoleArn,
    executionRoleArn: EXECUTION_ROLE_ARN,
    containerDefinitions: [{ ...app, dependsOn: [{ containerName: 'envoy', condition: 'HEALTHY' }] }, envoy(mesh, node)],
    proxyConfiguration: proxy([port]),
  });
  return td.taskDefinitionArn;
}

/** Cloud Map creates namespaces asynchronously: the namespace's id once its operation succeeded. */
export async function waitOperation(sd: ServiceDiscoveryApi, id: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const op = await sd.getOperation(id);
    if (op.status === 'SUCCESS' && op.namespaceId) return op.namespaceId;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('namespace not created');
}

/** A private DNS namespace in the VPC; its id. */
export async function seedNamespace(endpoint: string, name: string, vpcId: string): Promise<string> {
  const sd = await sandboxAws(endpoint).serviceDiscovery();
  return waitOperation(sd, await sd.createPrivateDnsNamespace(name, vpcId));
}

/** One of the console runbook's apps: its name, environment, and the virtual services it calls. */
export interface RunbookApp {
  name: string;
  env?: Record<string, string>;
  backends?: string[];
}

/** The console runbook's pair: products calls payments through PAYMENT_ENDPOINT. */
export const RUNBOOK_APPS: readonly RunbookApp[] = [
  { name: 'payments' },
  { name: 'products', env: { PAYMENT_ENDPOINT: 'http://payments.local:5000/api/1.0/payments' }, backends: ['payments.local'] },
];

/**
 * Each app as the console runbook leaves it: a Cloud Map service in the namespace, a virtual node
 * discovered through it (listener 5000), an envoy task definition and an ECS service registered in
 * Cloud Map with one RUNNING task.
 */
export async function seedRunbookApps(
  endpoint: string,
  world: { cluster: string; mesh: string; namespace: string; namespaceId: string; net: TaskNetwork; taskRoleArn?: string },
  apps: readonly RunbookApp[],
): Promise<void> {
  const aws = sandboxAws(endpoint);
  const [ecs, meshes, sd] = await Promise.all([aws.ecs(), aws.meshResources(), aws.serviceDiscovery()]);
  const network = { awsvpcConfiguration: { subnets: [world.net.subnetId], securityGroups: [world.net.securityGroupId] } };
  for (const app of apps) {
    const cm = await sd.createService(app.name, world.namespaceId);
    await meshes.create('virtualNode', world.mesh, app.name, {
      listeners: [{ portMapping: { port: 5000, protocol: 'http' } }],
      // moto needs `attributes` (optional in AWS); an empty list means the same to both.
      serviceDiscovery: { awsCloudMap: { namespaceName: world.namespace, serviceName: app.name, attributes: [] } },
      backends: (app.backends ?? []).map((virtualServiceName) => ({ virtualService: { virtualServiceName } })),
    });
    const arn = await registerMeshTask(
      endpoint,
      `${app.name}-task`,
      {
        name: app.name,
        image: `123456789012.dkr.ecr.us-west-2.amazonaws.com/${app.name}:1`,
        essential: true,
        portMappings: [{ containerPort: 5000, protocol: 'tcp' }],
        environment: Object.entries(app.env ?? {}).map(([name, value]) => ({ name, value })),
      },
      world.mesh,
      app.name,
      5000,
      world.taskRoleArn,
    );
    await ecs.createService({
      cluster: world.cluster,
      serviceName: app.name,
      taskDefinition: arn,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: network,
      serviceRegistries: [{ registryArn: cm.arn }],
    });
    await runServiceTasks(endpoint, arn, 1, world.net, app.name, world.cluster);
  }
}

export interface RunbookWorld {
  cluster: string;
  net: TaskNetwork;
  cfnOutput: Record<string, string>;
}

/**
 * The console runbook's world as far as moto holds it: cluster local-cluster, Cloud Map namespace
 * `local`, payments and products on envoy with a task role that has AWSAppMeshEnvoyAccess, and mesh
 * local-mesh with their nodes, routers and routes. moto has no virtual services, virtual gateways or
 * gateway routes, so the runbook's payments.local and products.local and its gateway are not there.
 */
export async function seedRunbookWorld(endpoint: string): Promise<RunbookWorld> {
  const aws = sandboxAws(endpoint);
  const [ecs, meshes] = await Promise.all([aws.ecs(), aws.meshResources()]);
  const { vpcId, ...net } = await seedNetwork(endpoint, 'local-mesh');
  await ecs.createCluster(RUNBOOK_CLUSTER);
  await seedTaskRole(endpoint, RUNBOOK_TASK_ROLE);
  const namespaceId = await seedNamespace(endpoint, RUNBOOK_NAMESPACE, vpcId);
  await meshes.create('mesh', RUNBOOK_MESH, RUNBOOK_MESH, { egressFilter: { type: 'DROP_ALL' } });
  const taskRoleArn = `arn:aws:iam::123456789012:role/${RUNBOOK_TASK_ROLE}`;
  await seedRunbookApps(
    endpoint,
    { cluster: RUNBOOK_CLUSTER, mesh: RUNBOOK_MESH, namespace: RUNBOOK_NAMESPACE, namespaceId, net, taskRoleArn },
    RUNBOOK_APPS,
  );
  for (const app of RUNBOOK_APPS) {
    const router = `${app.name}-router`;
    await meshes.create('virtualRouter', RUNBOOK_MESH, router, { listeners: [{ portMapping: { port: 5000, protocol: 'http' } }] });
    await meshes.create(
      'route',
      RUNBOOK_MESH,
      `${app.name}-route`,
      { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: app.name, weight: 1 }] } } },
      router,
    );
  }
  return { cluster: RUNBOOK_CLUSTER, net, cfnOutput: { EcsClusterName: RUNBOOK_CLUSTER, VpcId: vpcId } };
}
