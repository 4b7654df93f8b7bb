import { CreateVirtualNodeCommand, UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { CreateServiceCommand, DeleteServiceCommand, RegisterTaskDefinitionCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand as CreateCloudMapServiceCommand,
  GetOperationCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { CreateSubnetCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CLUSTER, MESH, NODE, REGION, runServiceTasks, SERVICE, type Workshop } from './workshop.js';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const clients = (endpoint: string) => {
  const config = { endpoint, region: REGION, credentials };
  return {
    elb: new ElasticLoadBalancingV2Client(config),
    route53: new Route53Client(config),
    sd: new ServiceDiscoveryClient(config),
    ec2: new EC2Client(config),
  };
};

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
async function registerMeshTask(
  endpoint: string,
  family: string,
  app: ContainerDefinition,
  mesh: string,
  node: string,
  port: number,
): Promise<string> {
  const { ecs } = (await import('./workshop.js')).sdkClients(endpoint);
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      taskRoleArn: 'arn:aws:iam::123456789012:role/appmesh-workshop-TaskIamRole',
      executionRoleArn: 'arn:aws:iam::123456789012:role/appmesh-workshop-TaskExecutionIamRole',
      containerDefinitions: [{ ...app, dependsOn: [{ containerName: 'envoy', condition: 'HEALTHY' }] }, envoy(mesh, node)],
      proxyConfiguration: proxy([port]),
    }),
  );
  return td.taskDefinition!.taskDefinitionArn!;
}

async function waitOperation(sd: ServiceDiscoveryClient, id: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const op = (await sd.send(new GetOperationCommand({ OperationId: id }))).Operation;
    if (op?.Status === 'SUCCESS') return op.Targets!.NAMESPACE!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('namespace not created');
}

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
  const c = clients(endpoint);
  const { ecs, appMesh } = (await import('./workshop.js')).sdkClients(endpoint);
  const vpcId = (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [ws.subnetId] }))).Subnets![0]!.VpcId!;
  const second = await c.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-west-2b' }));
  const lb = await c.elb.send(
    new CreateLoadBalancerCommand({
      Name: 'IntLB-appmesh-workshop',
      Scheme: 'internal',
      Type: 'application',
      Subnets: [ws.subnetId, second.Subnet!.SubnetId!],
    }),
  );
  const albDnsName = lb.LoadBalancers![0]!.DNSName!;
  const tg = await c.elb.send(
    new CreateTargetGroupCommand({ Name: 'crystal-tg', Protocol: 'HTTP', Port: 3000, VpcId: vpcId, TargetType: 'ip' }),
  );
  const tgArn = tg.TargetGroups![0]!.TargetGroupArn!;
  await c.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
    }),
  );
  // The workshop's real node is discovered by the ALB's DNS name.
  await appMesh.send(
    new UpdateVirtualNodeCommand({
      meshName: MESH,
      virtualNodeName: NODE,
      spec: { listeners: [{ portMapping: { port: 3000, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: albDnsName } } },
    }),
  );
  const zone = await c.route53.send(
    new CreateHostedZoneCommand({
      Name: 'appmeshworkshop.hosted.local',
      CallerReference: `w-${Date.now()}`,
      VPC: { VPCId: vpcId, VPCRegion: REGION },
      HostedZoneConfig: { PrivateZone: true },
    }),
  );
  const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  await c.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'crystal.appmeshworkshop.hosted.local',
              Type: 'A',
              AliasTarget: { DNSName: albDnsName, HostedZoneId: 'Z1H1FL5HABSF5', EvaluateTargetHealth: false },
            },
          },
        ],
      },
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
      loadBalancers: [{ targetGroupArn: tgArn, containerName: 'crystal', containerPort: 3000 }],
    }),
  );
  await runServiceTasks(endpoint, crystal, 2, ws);

  // The console runbook: Cloud Map namespace local, payments and products, and inventory beside them.
  const nsId = await waitOperation(
    c.sd,
    (await c.sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'local', Vpc: vpcId }))).OperationId!,
  );
  const apps: { name: string; env?: Record<string, string>; backends?: string[] }[] = [
    { name: 'payments' },
    { name: 'products', env: { PAYMENT_ENDPOINT: 'http://payments.local:5000/api/1.0/payments' }, backends: ['payments.local'] },
    { name: 'inventory' },
  ];
  for (const app of apps) {
    const cm = await c.sd.send(
      new CreateCloudMapServiceCommand({
        Name: app.name,
        NamespaceId: nsId,
        DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 300 }] },
      }),
    );
    await appMesh.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        virtualNodeName: app.name,
        spec: {
          listeners: [{ portMapping: { port: 5000, protocol: 'http' } }],
          serviceDiscovery: { awsCloudMap: { namespaceName: 'local', serviceName: app.name, attributes: [] } },
          backends: (app.backends ?? []).map((virtualServiceName) => ({ virtualService: { virtualServiceName } })),
        },
      }),
    );
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
      MESH,
      app.name,
      5000,
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: app.name,
        taskDefinition: arn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: network,
        serviceRegistries: [{ registryArn: cm.Service!.Arn! }],
      }),
    );
    await runServiceTasks(endpoint, arn, 1, ws, app.name);
  }
  return { albDnsName, zoneId };
}

/**
 * A cluster of `layers` × `perLayer` envoy services in Cloud Map namespace `bench`: each service of
 * layer k calls one of layer k-1 through an environment URL, so the plan has `layers` waves.
 */
export async function seedLayeredCluster(endpoint: string, ws: Workshop, layers: number, perLayer: number): Promise<string[]> {
  const c = clients(endpoint);
  const { ecs } = (await import('./workshop.js')).sdkClients(endpoint);
  const vpcId = (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [ws.subnetId] }))).Subnets![0]!.VpcId!;
  const nsId = await waitOperation(
    c.sd,
    (await c.sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'bench', Vpc: vpcId }))).OperationId!,
  );
  const network = { awsvpcConfiguration: { subnets: [ws.subnetId], securityGroups: [ws.securityGroupId] } };
  const names: string[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < perLayer; i++) {
      const name = `l${layer + 1}-s${String(i + 1).padStart(2, '0')}`;
      const calls = layer > 0 ? `l${layer}-s${String(i + 1).padStart(2, '0')}` : undefined;
      const cm = await c.sd.send(
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
