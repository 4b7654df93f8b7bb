import type { Task } from '@aws-sdk/client-ecs';
import { sandboxAws } from './aws.js';
import { ASG, CLUSTER, EXECUTION_ROLE_ARN, FAMILY, MESH, NODE, REGION, SERVICE, TASK_ROLE_ARN, ZONE } from './world-names.js';

export { ASG, CLUSTER, EXECUTION_ROLE_ARN, FAMILY, MESH, NODE, REGION, SERVICE, TASK_ROLE, TASK_ROLE_ARN, ZONE } from './world-names.js';

/** Where a world's Fargate tasks run (awsvpc): what RunTask needs, and the scheduler stand-in with it. */
export interface TaskNetwork {
  subnetId: string;
  securityGroupId: string;
}

/** The internal ALB in front of crystal and the private zone that names it, as the workshop's stack had them. */
export interface WorkshopFront {
  albDnsName: string;
  zoneId: string;
  targetGroupArn: string;
}

export interface WorkshopResources extends TaskNetwork {
  vpcId: string;
  taskDefinitionArn: string;
  /** What the workshop's cfn-output.json holds for these resources. */
  cfnOutput: Record<string, string>;
  front?: WorkshopFront;
}

/** A VPC with DNS hostnames on (private DNS names need them, and so does moto's RunTask), a subnet and a security group. */
export async function seedNetwork(endpoint: string, securityGroup: string): Promise<TaskNetwork & { vpcId: string }> {
  const ec2 = await sandboxAws(endpoint).ec2();
  const vpcId = await ec2.createVpc('10.0.0.0/16');
  await ec2.modifyVpcAttribute(vpcId, { enableDnsHostnames: true });
  const subnetId = await ec2.createSubnet(vpcId, '10.0.1.0/24');
  return { vpcId, subnetId, securityGroupId: await ec2.createSecurityGroup(securityGroup, securityGroup, vpcId) };
}

/**
 * The workshop's internal ALB (two subnets, a target group for crystal on 3000, a listener on 80) and the
 * private hosted zone appmeshworkshop.hosted.local with `crystal` an alias of that ALB.
 */
export async function seedWorkshopFront(endpoint: string, vpcId: string, subnetId: string): Promise<WorkshopFront> {
  const aws = sandboxAws(endpoint);
  const [ec2, elb, route53] = await Promise.all([aws.ec2(), aws.elbv2(), aws.route53()]);
  const second = await ec2.createSubnet(vpcId, '10.0.2.0/24', 'us-west-2b');
  const lb = await elb.createLoadBalancer({
    Name: 'IntLB-appmesh-workshop',
    Scheme: 'internal',
    Type: 'application',
    Subnets: [subnetId, second],
  });
  const tg = await elb.createTargetGroup({ Name: 'crystal-tg', Protocol: 'HTTP', Port: 3000, VpcId: vpcId, TargetType: 'ip' });
  const targetGroupArn = tg.TargetGroupArn!;
  await elb.createListener({
    LoadBalancerArn: lb.arn,
    Protocol: 'HTTP',
    Port: 80,
    DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
  });
  const zoneId = await route53.createHostedZone(ZONE, { vpcId, region: REGION }, `w-${Date.now()}`);
  const alias = { DNSName: lb.dnsName, HostedZoneId: 'Z1H1FL5HABSF5', EvaluateTargetHealth: false };
  await route53.changeResourceRecordSets(
    zoneId,
    [{ Action: 'CREATE', ResourceRecordSet: { Name: `crystal.${ZONE}`, Type: 'A', AliasTarget: alias } }],
    'the workshop: crystal, an alias of its internal ALB',
  );
  return { albDnsName: lb.dnsName, zoneId, targetGroupArn };
}

/** A task role ECS tasks can assume, with AWSAppMeshEnvoyAccess attached (moto holds it only with MOTO_IAM_LOAD_MANAGED_POLICIES=true). */
export async function seedTaskRole(endpoint: string, roleName: string): Promise<void> {
  const iam = await sandboxAws(endpoint).iam();
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  await iam.createRole(roleName, trust);
  await iam.attachRolePolicy(roleName, 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess');
}

/**
 * Seeds moto with what the workshop's CloudFormation stack makes: a cluster, a Fargate task definition
 * with one app container on port 3000, a service with 3 RUNNING tasks, an auto scaling group of
 * instances, the mesh and its virtual node. With `front`, also the internal ALB the service sits behind
 * (its node discovered by the ALB's name) and the private zone (seedWorkshopFront).
 */
export async function seedWorkshopResources(
  endpoint: string,
  options: { virtualNode?: boolean; front?: boolean } = {},
): Promise<WorkshopResources> {
  const aws = sandboxAws(endpoint);
  const [ecs, autoScaling, meshes] = await Promise.all([aws.ecs(), aws.autoScaling(), aws.meshResources()]);
  const { vpcId, subnetId, securityGroupId } = await seedNetwork(endpoint, 'crystal');
  const front = options.front ? await seedWorkshopFront(endpoint, vpcId, subnetId) : undefined;

  await ecs.createCluster(CLUSTER);
  const { taskDefinitionArn } = await ecs.registerTaskDefinition({
    family: FAMILY,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: EXECUTION_ROLE_ARN,
    taskRoleArn: TASK_ROLE_ARN,
    containerDefinitions: [
      {
        name: 'crystal',
        image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/crystal:vanilla',
        essential: true,
        portMappings: [{ containerPort: 3000, protocol: 'tcp' }],
      },
    ],
    tags: [{ key: 'workshop', value: 'appmesh' }],
  });
  const network = { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [securityGroupId], assignPublicIp: 'DISABLED' as const } };
  await ecs.createService({
    cluster: CLUSTER,
    serviceName: SERVICE,
    taskDefinition: taskDefinitionArn,
    desiredCount: 3,
    launchType: 'FARGATE',
    networkConfiguration: network,
    ...(front ? { loadBalancers: [{ targetGroupArn: front.targetGroupArn, containerName: 'crystal', containerPort: 3000 }] } : {}),
  });
  await runServiceTasks(endpoint, taskDefinitionArn, 3, { subnetId, securityGroupId });

  await autoScaling.createLaunchConfiguration({ LaunchConfigurationName: 'ruby', ImageId: 'ami-12c6146b', InstanceType: 't3.micro' });
  await autoScaling.createAutoScalingGroup({
    AutoScalingGroupName: ASG,
    LaunchConfigurationName: 'ruby',
    MinSize: 2,
    MaxSize: 2,
    DesiredCapacity: 2,
    VPCZoneIdentifier: subnetId,
  });

  await meshes.create('mesh', MESH, MESH, {});
  if (options.virtualNode !== false) {
    await meshes.create('virtualNode', MESH, NODE, {
      listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
      // The workshop's real node is discovered by the ALB's DNS name.
      serviceDiscovery: { dns: { hostname: front?.albDnsName ?? `crystal.${ZONE}` } },
    });
  }
  const cfnOutput = { CrystalTaskDefinition: taskDefinitionArn, EcsClusterName: CLUSTER, RubyAutoScalingGroupName: ASG, VpcId: vpcId };
  return { vpcId, subnetId, securityGroupId, taskDefinitionArn, cfnOutput, front };
}

/** RunTask as the ECS service scheduler would: Fargate tasks in the service's group. */
export async function runServiceTasks(
  endpoint: string,
  taskDefinition: string,
  count: number,
  net: TaskNetwork,
  service = SERVICE,
  cluster = CLUSTER,
): Promise<Task[]> {
  return (await sandboxAws(endpoint).ecs()).runTask({
    cluster,
    taskDefinition,
    count,
    launchType: 'FARGATE',
    group: `service:${service}`,
    startedBy: 'ecs-svc/0123456789',
    networkConfiguration: { awsvpcConfiguration: { subnets: [net.subnetId], securityGroups: [net.securityGroupId] } },
  });
}

/** The tasks of one service (moto's ListTasks ignores serviceName: its group says). */
export async function serviceTasks(endpoint: string, service = SERVICE, cluster = CLUSTER): Promise<Task[]> {
  const ecs = await sandboxAws(endpoint).ecs();
  const tasks = await ecs.describeTasks(cluster, await ecs.listTasks(cluster));
  return tasks.filter((t) => t.group === `service:${service}`);
}
