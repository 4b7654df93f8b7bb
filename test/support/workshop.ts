import { CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdkClients } from './sdk-clients.js';
import * as scheduler from '../../src/sandbox/scheduler.js';
import { CLUSTER, MESH, runServiceTasks, SERVICE, seedWorkshopResources } from '../../src/sandbox/workshop-world.js';

// The workshop's seed and the ECS scheduler stand-in live in src/sandbox/ (`meshctl sandbox up` uses
// them too); what only the tests need stays here.
export { ASG, CLUSTER, FAMILY, MESH, NODE, REGION, runServiceTasks, SERVICE, serviceTasks } from '../../src/sandbox/workshop-world.js';
export { sdkClients };

export interface Workshop {
  dir: string;
  cfnOutputPath: string;
  taskDefinitionArn: string;
  subnetId: string;
  securityGroupId: string;
}

/**
 * Seeds moto with what the workshop's CloudFormation stack makes (seedWorkshopResources) and writes
 * cfn-output.json into a fresh folder.
 */
export async function seedWorkshop(endpoint: string, options: { virtualNode?: boolean } = {}): Promise<Workshop> {
  return workshopFolder(await seedWorkshopResources(endpoint, options));
}

/** The workshop's resources (as seedWorkshopResources made them) with cfn-output.json in a fresh folder. */
export function workshopFolder(seeded: Awaited<ReturnType<typeof seedWorkshopResources>>): Workshop {
  const { taskDefinitionArn, subnetId, securityGroupId, cfnOutput } = seeded;
  const dir = mkdtempSync(join(tmpdir(), 'meshctl-e2e-'));
  const cfnOutputPath = join(dir, 'cfn-output.json');
  writeFileSync(cfnOutputPath, JSON.stringify(cfnOutput, null, 2));
  return { dir, cfnOutputPath, taskDefinitionArn, subnetId, securityGroupId };
}

/** Stands in for the ECS scheduler at the end of a deployment (see src/sandbox/scheduler.ts). */
export function actAsEcsSchedulerForDeployment(endpoint: string, workshop: Workshop, serviceName = SERVICE): Promise<string> {
  return scheduler.actAsEcsSchedulerForDeployment(endpoint, workshop, serviceName);
}

/**
 * Plays the ECS scheduler for every service of the cluster, each time one moves to another revision, until
 * stopped. It looks every 500 ms (the sandbox's 250 halved): the tests' meshctl polls each second, and
 * three workers' stand-ins polling a shared 2-core machine cost the other tests CPU.
 */
export function actAsEcsSchedulerWhileRunning(endpoint: string, workshop: Workshop): { stop(): Promise<void> } {
  return scheduler.actAsEcsSchedulerWhileRunning(endpoint, workshop, { intervalMs: 500 });
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
