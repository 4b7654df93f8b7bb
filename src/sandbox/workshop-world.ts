import { CreateMeshCommand, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { sdkClients, seedClients } from './clients.js';
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
  const { ec2 } = sdkClients(endpoint);
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }));
  const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: securityGroup, Description: securityGroup, VpcId: vpcId }));
  return { vpcId, subnetId: subnet.Subnet!.SubnetId!, securityGroupId: sg.GroupId! };
}

/**
 * The workshop's internal ALB (two subnets, a target group for crystal on 3000, a listener on 80) and the
 * private hosted zone appmeshworkshop.hosted.local with `crystal` an alias of that ALB.
 */
export async function seedWorkshopFront(endpoint: string, vpcId: string, subnetId: string): Promise<WorkshopFront> {
  const { ec2 } = sdkClients(endpoint);
  const { elb, route53 } = seedClients(endpoint);
  const second = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-west-2b' }));
  const lb = await elb.send(
    new CreateLoadBalancerCommand({
      Name: 'IntLB-appmesh-workshop',
      Scheme: 'internal',
      Type: 'application',
      Subnets: [subnetId, second.Subnet!.SubnetId!],
    }),
  );
  const albDnsName = lb.LoadBalancers![0]!.DNSName!;
  const tg = await elb.send(
    new CreateTargetGroupCommand({ Name: 'crystal-tg', Protocol: 'HTTP', Port: 3000, VpcId: vpcId, TargetType: 'ip' }),
  );
  const targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: ZONE,
      CallerReference: `w-${Date.now()}`,
      VPC: { VPCId: vpcId, VPCRegion: REGION },
      HostedZoneConfig: { PrivateZone: true },
    }),
  );
  const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: `crystal.${ZONE}`,
              Type: 'A',
              AliasTarget: { DNSName: albDnsName, HostedZoneId: 'Z1H1FL5HABSF5', EvaluateTargetHealth: false },
            },
          },
        ],
      },
    }),
  );
  return { albDnsName, zoneId, targetGroupArn };
}

/** A task role ECS tasks can assume, with AWSAppMeshEnvoyAccess attached (moto holds it only with MOTO_IAM_LOAD_MANAGED_POLICIES=true). */
export async function seedTaskRole(endpoint: string, roleName: string): Promise<void> {
  const { iam } = seedClients(endpoint);
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess' }));
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
  const c = sdkClients(endpoint);
  const { vpcId, subnetId, securityGroupId } = await seedNetwork(endpoint, 'crystal');
  const front = options.front ? await seedWorkshopFront(endpoint, vpcId, subnetId) : undefined;

  await c.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const td = await c.ecs.send(
    new RegisterTaskDefinitionCommand({
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
    }),
  );
  const taskDefinitionArn = td.taskDefinition!.taskDefinitionArn!;
  const network = { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [securityGroupId], assignPublicIp: 'DISABLED' as const } };
  await c.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: taskDefinitionArn,
      desiredCount: 3,
      launchType: 'FARGATE',
      networkConfiguration: network,
      ...(front ? { loadBalancers: [{ targetGroupArn: front.targetGroupArn, containerName: 'crystal', containerPort: 3000 }] } : {}),
    }),
  );
  await runServiceTasks(endpoint, taskDefinitionArn, 3, { subnetId, securityGroupId });

  await c.autoScaling.send(
    new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'ruby', ImageId: 'ami-12c6146b', InstanceType: 't3.micro' }),
  );
  await c.autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: ASG,
      LaunchConfigurationName: 'ruby',
      MinSize: 2,
      MaxSize: 2,
      DesiredCapacity: 2,
      VPCZoneIdentifier: subnetId,
    }),
  );

  await c.appMesh.send(new CreateMeshCommand({ meshName: MESH }));
  if (options.virtualNode !== false) {
    await c.appMesh.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        virtualNodeName: NODE,
        spec: {
          listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
          // The workshop's real node is discovered by the ALB's DNS name.
          serviceDiscovery: { dns: { hostname: front?.albDnsName ?? `crystal.${ZONE}` } },
        },
      }),
    );
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
  const { ecs } = sdkClients(endpoint);
  const out = await ecs.send(
    new RunTaskCommand({
      cluster,
      taskDefinition,
      count,
      launchType: 'FARGATE',
      group: `service:${service}`,
      startedBy: 'ecs-svc/0123456789',
      networkConfiguration: { awsvpcConfiguration: { subnets: [net.subnetId], securityGroups: [net.securityGroupId] } },
    }),
  );
  return out.tasks ?? [];
}

/** The tasks of one service (moto's ListTasks ignores serviceName: its group says). */
export async function serviceTasks(endpoint: string, service = SERVICE, cluster = CLUSTER): Promise<Task[]> {
  const { ecs } = sdkClients(endpoint);
  const arns = (await ecs.send(new ListTasksCommand({ cluster }))).taskArns ?? [];
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100)
    tasks.push(...((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
  return tasks.filter((t) => t.group === `service:${service}`);
}
