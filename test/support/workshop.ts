import { AppMeshClient, CreateMeshCommand, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGION = 'us-west-2';
export const CLUSTER = 'appmesh-workshop';
export const SERVICE = 'crystal-service-lb';
export const FAMILY = 'appmesh-workshop-crystal-lb-vanilla';
export const ASG = 'appmesh-workshop-ruby-asg';
export const MESH = 'appmesh-workshop';
export const NODE = 'crystal-lb-vanilla';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export function sdkClients(endpoint: string) {
  const config = { endpoint, region: REGION, credentials };
  return {
    ecs: new ECSClient(config),
    ec2: new EC2Client(config),
    autoScaling: new AutoScalingClient(config),
    appMesh: new AppMeshClient(config),
    ssm: new SSMClient(config),
  };
}

export interface Workshop {
  dir: string;
  cfnOutputPath: string;
  taskDefinitionArn: string;
  subnetId: string;
  securityGroupId: string;
}

/**
 * Seeds moto with what the workshop's CloudFormation stack makes: a cluster, a Fargate task definition
 * with one app container on port 3000, a service with 3 RUNNING tasks, an auto scaling group of
 * instances, the mesh and its virtual node; and writes cfn-output.json into a fresh folder.
 */
export async function seedWorkshop(endpoint: string, options: { virtualNode?: boolean } = {}): Promise<Workshop> {
  const c = sdkClients(endpoint);
  const vpc = await c.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  // Private DNS names need DNS hostnames on, as in the workshop's VPC (moto's RunTask needs them too).
  await c.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.Vpc!.VpcId!, EnableDnsHostnames: { Value: true } }));
  const subnet = await c.ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: '10.0.1.0/24' }));
  const sg = await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'crystal', Description: 'crystal', VpcId: vpc.Vpc!.VpcId! }));
  const subnetId = subnet.Subnet!.SubnetId!;
  const securityGroupId = sg.GroupId!;

  await c.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const td = await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: FAMILY,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::123456789012:role/appmesh-workshop-TaskExecutionIamRole',
      taskRoleArn: 'arn:aws:iam::123456789012:role/appmesh-workshop-TaskIamRole',
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
          serviceDiscovery: { dns: { hostname: 'crystal.appmeshworkshop.hosted.local' } },
        },
      }),
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'meshctl-e2e-'));
  const cfnOutputPath = join(dir, 'cfn-output.json');
  writeFileSync(
    cfnOutputPath,
    JSON.stringify(
      { CrystalTaskDefinition: taskDefinitionArn, EcsClusterName: CLUSTER, RubyAutoScalingGroupName: ASG, VpcId: vpc.Vpc!.VpcId },
      null,
      2,
    ),
  );
  return { dir, cfnOutputPath, taskDefinitionArn, subnetId, securityGroupId };
}

/** RunTask as the ECS service scheduler would: Fargate tasks in the service's group. */
export async function runServiceTasks(
  endpoint: string,
  taskDefinition: string,
  count: number,
  net: { subnetId: string; securityGroupId: string },
  service = SERVICE,
): Promise<Task[]> {
  const { ecs } = sdkClients(endpoint);
  const out = await ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER,
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

export async function serviceTasks(endpoint: string, service = SERVICE): Promise<Task[]> {
  const { ecs } = sdkClients(endpoint);
  const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER }))).taskArns ?? [];
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100)
    tasks.push(...((await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
  return tasks.filter((t) => t.group === `service:${service}`);
}

/**
 * Stands in for the ECS scheduler, which moto does not run: starts the service's desiredCount tasks of
 * its current task definition and stops the tasks of older revisions, as a rolling deployment ends.
 */
export async function actAsEcsSchedulerForDeployment(endpoint: string, workshop: Workshop, serviceName = SERVICE): Promise<string> {
  const { ecs } = sdkClients(endpoint);
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [serviceName] }))).services![0]!;
  const target = service.taskDefinition!;
  await runServiceTasks(endpoint, target, service.desiredCount ?? 3, workshop, serviceName);
  for (const t of await serviceTasks(endpoint, serviceName)) {
    if (t.taskDefinitionArn !== target && t.lastStatus !== 'STOPPED') {
      await ecs.send(
        new StopTaskCommand({
          cluster: CLUSTER,
          task: t.taskArn!,
          reason: 'Scaling activity initiated by (deployment ecs-svc/0123456789)',
        }),
      );
    }
  }
  return target;
}

/** Stands in for ECS stopping a failed task of the new revision, with the reasons ECS gives. */
export async function actAsEcsStoppingAFailedTask(endpoint: string, workshop: Workshop, reason: string): Promise<void> {
  const { ecs } = sdkClients(endpoint);
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
  const [task] = await runServiceTasks(endpoint, service.taskDefinition!, 1, workshop);
  await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task!.taskArn!, reason }));
}

/** More services like the workshop's: each its own family and, unless told otherwise, a virtual node of its name. */
export async function seedMoreServices(
  endpoint: string,
  workshop: Workshop,
  names: readonly string[],
  options: { virtualNodes?: boolean; tasks?: number; port?: number } = {},
): Promise<void> {
  const c = sdkClients(endpoint);
  const network = { awsvpcConfiguration: { subnets: [workshop.subnetId], securityGroups: [workshop.securityGroupId] } };
  for (const name of names) {
    const td = await c.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${name}-task`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'app', image: `example/${name}:1`, essential: true, portMappings: [{ containerPort: options.port ?? 8080 }] },
        ],
      }),
    );
    const arn = td.taskDefinition!.taskDefinitionArn!;
    await c.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition: arn,
        desiredCount: options.tasks ?? 3,
        launchType: 'FARGATE',
        networkConfiguration: network,
      }),
    );
    await runServiceTasks(endpoint, arn, options.tasks ?? 3, workshop, name);
    if (options.virtualNodes !== false) {
      await c.appMesh.send(
        new CreateVirtualNodeCommand({
          meshName: MESH,
          virtualNodeName: name,
          spec: { listeners: [{ portMapping: { port: options.port ?? 8080, protocol: 'http' } }] },
        }),
      );
    }
  }
}

/** Plays the ECS scheduler for every service of the cluster, each time one moves to another revision, until stopped. */
export function actAsEcsSchedulerWhileRunning(endpoint: string, workshop: Workshop): { stop(): Promise<void> } {
  const { ecs } = sdkClients(endpoint);
  let running = true;
  const known = new Map<string, string>();
  let first = true;
  const loop = (async () => {
    while (running) {
      const arns = (await ecs.send(new ListServicesCommand({ cluster: CLUSTER }))).serviceArns ?? [];
      for (let i = 0; i < arns.length; i += 10) {
        const services =
          (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: arns.slice(i, i + 10) }))).services ?? [];
        for (const s of services) {
          const before = known.get(s.serviceName!);
          known.set(s.serviceName!, s.taskDefinition!);
          // A service created while the stand-in runs (blue/green's green one) gets its tasks too.
          const created = before === undefined && !first && s.status === 'ACTIVE';
          if ((before !== undefined && before !== s.taskDefinition) || created)
            await actAsEcsSchedulerForDeployment(endpoint, workshop, s.serviceName!);
        }
      }
      first = false;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
