import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type ContainerInstance,
  type CreateServiceCommandInput,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type Failure,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type Tag,
  type ServiceConnectConfiguration,
  type Task,
} from '@aws-sdk/client-ecs';
import { toDescribed, type DescribedTaskDefinition } from '../core/task-definition.js';
import { AwsCallError, InputError } from '../errors.js';
import { sender } from './aws-error.js';
import { allPages } from './pages.js';
import { connectClient, type AwsConfig } from './client-config.js';

/** The ECS calls meshctl makes, named after their API operations. */
export interface EcsApi {
  describeTaskDefinition(taskDefinition: string): Promise<DescribedTaskDefinition>;
  /** The same, or undefined when ECS has no such task definition (it answers ClientException, not a NotFound). */
  describeTaskDefinitionIfExists(taskDefinition: string): Promise<DescribedTaskDefinition | undefined>;
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): Promise<{ taskDefinitionArn: string; revision?: number }>;
  describeServices(cluster: string, service: string): Promise<Service>;
  updateService(
    cluster: string,
    service: string,
    taskDefinition: string,
    serviceConnectConfiguration?: ServiceConnectConfiguration,
  ): Promise<Service>;
  /**
   * Revisions of a family in one status (default ACTIVE), following pages (order not relied on: moto
   * ignores `sort`). INACTIVE ones still hold their numbers: the next registration counts past them.
   */
  listTaskDefinitions(family: string, status?: 'ACTIVE' | 'INACTIVE'): Promise<string[]>;
  /**
   * Every task ARN of the service (of the cluster when no service is given), following ListTasks pages;
   * RUNNING ones unless `desiredStatus` says STOPPED (ECS lists stopped tasks for about an hour).
   */
  listTasks(cluster: string, service?: string, desiredStatus?: 'RUNNING' | 'STOPPED'): Promise<string[]>;
  /** The service's deployments, newest first as far as ECS's first page (up to `max`) goes (ListServiceDeployments). */
  listServiceDeployments(cluster: string, service: string, max?: number): Promise<ServiceDeploymentBrief[]>;
  /** DescribeServiceDeployments of up to 20 ARNs (the API's limit): the deployments found, and a failure for each not found. */
  describeServiceDeployments(arns: readonly string[]): Promise<{ deployments: ServiceDeployment[]; failures: Failure[] }>;
  /** Creates a service (blue/green's green one); returns it. */
  createService(input: CreateServiceCommandInput): Promise<Service>;
  /** Scales a service to `desiredCount`. */
  setDesiredCount(cluster: string, service: string, desiredCount: number): Promise<Service>;
  /** Deletes a service (force: with running tasks). */
  deleteService(cluster: string, service: string): Promise<void>;
  /** Every ACTIVE task definition revision of the account and region, following pages. */
  listAllTaskDefinitions(): Promise<string[]>;
  /** Marks a revision INACTIVE (it keeps running where it runs; no new task starts from it). */
  deregisterTaskDefinition(arn: string): Promise<void>;
  /** Every service ARN of the cluster, following pages. */
  listServices(cluster: string): Promise<string[]>;
  /** Describes services in batches of 10, the API's limit; unknown ones are left out. */
  describeServicesBatch(cluster: string, services: readonly string[]): Promise<Service[]>;
  /**
   * A resource's tags (a service's, by its ARN). Blue/green reads its mark this way, not with DescribeServices'
   * include=TAGS: moto keeps that choice in state shared by concurrent requests, so an answer can lose its tags.
   */
  listTagsForResource(arn: string): Promise<Tag[]>;
  /** Describes tasks in batches of 100, the API's limit. */
  describeTasks(cluster: string, taskArns: readonly string[]): Promise<Task[]>;
  /** A cluster (the sandbox's worlds). */
  createCluster(clusterName: string): Promise<void>;
  /** Starts tasks: the sandbox's scheduler stand-in does ECS's job with it. The tasks started. */
  runTask(input: RunTaskCommandInput): Promise<Task[]>;
  /** Stops a task, with the reason ECS shows for it. */
  stopTask(cluster: string, task: string, reason: string): Promise<void>;
  /** ListContainerInstances of a cluster (its EC2 and external instances), following nextToken. */
  listContainerInstances(cluster: string): Promise<string[]>;
  /** DescribeContainerInstances in batches of 100 (the API's limit). */
  describeContainerInstances(cluster: string, arns: readonly string[]): Promise<ContainerInstance[]>;
}

export const DESCRIBE_TASKS_BATCH = 100;
export const DESCRIBE_SERVICES_BATCH = 10;
export const DESCRIBE_CONTAINER_INSTANCES_BATCH = 100;

/**
 * `registerClient` sends RegisterTaskDefinition without SDK retries: a retry after a lost answer would
 * register a second revision, so add-envoy retries it itself, checking first whether the lost call landed.
 */
export function createEcsApi(client: ECSClient, endpoint?: string, registerClient: ECSClient = client): EcsApi {
  const send = sender(client, endpoint);
  const sendRegister = sender(registerClient, endpoint);
  return {
    async describeTaskDefinition(taskDefinition) {
      const out = await send('DescribeTaskDefinition', new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
      if (!out.taskDefinition)
        throw new AwsCallError(
          'DescribeTaskDefinition',
          'EmptyResponse',
          undefined,
          `DescribeTaskDefinition returned no task definition for ${taskDefinition}`,
        );
      // The answer is checked against the shape meshctl reads, as a file would be: a wrong type is said, never a crash.
      try {
        return toDescribed({ taskDefinition: out.taskDefinition, tags: out.tags }, `DescribeTaskDefinition ${taskDefinition}`);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        throw new AwsCallError(
          'DescribeTaskDefinition',
          'MalformedResponse',
          undefined,
          `the endpoint's answer is not a task definition meshctl can read: ${err.message}`,
        );
      }
    },
    async describeTaskDefinitionIfExists(taskDefinition) {
      try {
        return await this.describeTaskDefinition(taskDefinition);
      } catch (err) {
        if (err instanceof AwsCallError && err.errorName === 'ClientException' && /Unable to describe task definition/i.test(err.message))
          return undefined;
        throw err;
      }
    },
    async registerTaskDefinition(input) {
      const out = await sendRegister('RegisterTaskDefinition', new RegisterTaskDefinitionCommand(input));
      const arn = out.taskDefinition?.taskDefinitionArn;
      if (!arn) throw new AwsCallError('RegisterTaskDefinition', 'EmptyResponse', undefined, 'RegisterTaskDefinition returned no ARN');
      return { taskDefinitionArn: arn, revision: out.taskDefinition?.revision };
    },
    async describeServices(cluster, service) {
      const out = await send('DescribeServices', new DescribeServicesCommand({ cluster, services: [service] }));
      const found = out.services?.find((s) => s.serviceName === service || s.serviceArn === service);
      // DescribeServices reports an unknown service in `failures`, not as an error.
      if (!found || found.status === 'INACTIVE') {
        const reason = out.failures?.[0]?.reason ?? (found ? 'INACTIVE' : 'MISSING');
        throw new AwsCallError(
          'DescribeServices',
          'ServiceNotFoundException',
          400,
          `DescribeServices: service "${service}" in cluster "${cluster}" is ${reason}; check --service and --cluster`,
          'check --service and --cluster',
        );
      }
      return found;
    },
    async updateService(cluster, service, taskDefinition, serviceConnectConfiguration) {
      const out = await send(
        'UpdateService',
        new UpdateServiceCommand({
          cluster,
          service,
          taskDefinition,
          ...(serviceConnectConfiguration ? { serviceConnectConfiguration } : {}),
        }),
      );
      if (!out.service) throw new AwsCallError('UpdateService', 'EmptyResponse', undefined, 'UpdateService returned no service');
      return out.service;
    },
    async createService(input) {
      const out = await send('CreateService', new CreateServiceCommand(input));
      if (!out.service) throw new AwsCallError('CreateService', 'EmptyResponse', undefined, 'CreateService returned no service');
      return out.service;
    },
    async setDesiredCount(cluster, service, desiredCount) {
      const out = await send('UpdateService', new UpdateServiceCommand({ cluster, service, desiredCount }));
      if (!out.service) throw new AwsCallError('UpdateService', 'EmptyResponse', undefined, 'UpdateService returned no service');
      return out.service;
    },
    async deleteService(cluster, service) {
      await send('DeleteService', new DeleteServiceCommand({ cluster, service, force: true }));
    },
    listAllTaskDefinitions: () =>
      allPages(async (nextToken) => {
        const out = await send('ListTaskDefinitions', new ListTaskDefinitionsCommand({ status: 'ACTIVE', nextToken }));
        return { items: out.taskDefinitionArns ?? [], nextToken: out.nextToken };
      }),
    async deregisterTaskDefinition(taskDefinition) {
      await send('DeregisterTaskDefinition', new DeregisterTaskDefinitionCommand({ taskDefinition }));
    },
    listTaskDefinitions: (family, status = 'ACTIVE') =>
      allPages(async (nextToken) => {
        const out = await send('ListTaskDefinitions', new ListTaskDefinitionsCommand({ familyPrefix: family, status, nextToken }));
        return { items: out.taskDefinitionArns ?? [], nextToken: out.nextToken };
      }),
    listServices: (cluster) =>
      allPages(async (nextToken) => {
        const out = await send('ListServices', new ListServicesCommand({ cluster, nextToken }));
        return { items: out.serviceArns ?? [], nextToken: out.nextToken };
      }),
    async describeServicesBatch(cluster, services) {
      const found: Service[] = [];
      for (let i = 0; i < services.length; i += DESCRIBE_SERVICES_BATCH) {
        const batch = services.slice(i, i + DESCRIBE_SERVICES_BATCH);
        const out = await send('DescribeServices', new DescribeServicesCommand({ cluster, services: batch }));
        found.push(...(out.services ?? []).filter((s) => s.status !== 'INACTIVE'));
      }
      return found;
    },
    async listTagsForResource(resourceArn) {
      return (await send('ListTagsForResource', new ListTagsForResourceCommand({ resourceArn }))).tags ?? [];
    },
    listTasks: (cluster, service, desiredStatus) =>
      allPages(async (nextToken) => {
        const out = await send('ListTasks', new ListTasksCommand({ cluster, serviceName: service, nextToken, desiredStatus }));
        return { items: out.taskArns ?? [], nextToken: out.nextToken };
      }),
    async listServiceDeployments(cluster, service, max = 20) {
      const out = await send('ListServiceDeployments', new ListServiceDeploymentsCommand({ cluster, service, maxResults: max }));
      const at = (d: ServiceDeploymentBrief) => (d.createdAt ?? d.startedAt)?.getTime() ?? 0;
      return [...(out.serviceDeployments ?? [])].sort((a, b) => at(b) - at(a));
    },
    async describeServiceDeployments(arns) {
      const out = await send(
        'DescribeServiceDeployments',
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns.slice(0, 20) }),
      );
      return { deployments: out.serviceDeployments ?? [], failures: out.failures ?? [] };
    },
    async createCluster(clusterName) {
      await send('CreateCluster', new CreateClusterCommand({ clusterName }));
    },
    async runTask(input) {
      return (await send('RunTask', new RunTaskCommand(input))).tasks ?? [];
    },
    async stopTask(cluster, task, reason) {
      await send('StopTask', new StopTaskCommand({ cluster, task, reason }));
    },
    async describeTasks(cluster, taskArns) {
      const tasks: Task[] = [];
      for (let i = 0; i < taskArns.length; i += DESCRIBE_TASKS_BATCH) {
        const batch = taskArns.slice(i, i + DESCRIBE_TASKS_BATCH);
        const out = await send('DescribeTasks', new DescribeTasksCommand({ cluster, tasks: batch }));
        tasks.push(...(out.tasks ?? []));
      }
      return tasks;
    },
    listContainerInstances: (cluster) =>
      allPages(async (nextToken) => {
        const out = await send('ListContainerInstances', new ListContainerInstancesCommand({ cluster, nextToken }));
        return { items: out.containerInstanceArns ?? [], nextToken: out.nextToken };
      }),
    async describeContainerInstances(cluster, arns) {
      const found: ContainerInstance[] = [];
      for (let i = 0; i < arns.length; i += DESCRIBE_CONTAINER_INSTANCES_BATCH) {
        const batch = arns.slice(i, i + DESCRIBE_CONTAINER_INSTANCES_BATCH);
        const out = await send('DescribeContainerInstances', new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }));
        found.push(...(out.containerInstances ?? []));
      }
      return found;
    },
  };
}

export function connectEcs(config: AwsConfig): EcsApi {
  const registerClient = connectClient(ECSClient, 'ecs', config, { maxAttempts: 1 });
  return createEcsApi(connectClient(ECSClient, 'ecs', config), config.endpointUrl, registerClient);
}
