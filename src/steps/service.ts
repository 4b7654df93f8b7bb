import type { Service, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import { ecsNameProblem, parseTaskDefinitionRef, sameRevision } from '../core/arn.js';
import type { UpdateServicePlan } from '../core/rollout-plan.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';

export const DEFAULT_SERVICE = 'crystal-service-lb';

export interface ServiceTarget {
  cluster: string;
  service: string;
}

export interface UpdateServiceResult extends ServiceTarget {
  taskDefinitionArn: string;
  /** The revision the service ran before, when the answer shows it (rollback's default target). */
  previousTaskDefinitionArn?: string;
  desiredCount?: number;
  deployment?: { id?: string; status?: string; rolloutState?: string; taskDefinition?: string };
}

/** --service (default crystal-service-lb) and --cluster, else cfn-output's EcsClusterName; both checked. */
export async function resolveServiceTarget(ctx: Context, flags: { service?: string; cluster?: string }): Promise<ServiceTarget> {
  const service = flags.service ?? DEFAULT_SERVICE;
  const bad = ecsNameProblem(service, '--service', 'service');
  if (bad) throw new UsageError(bad);
  const cluster = await ctx.cfn('cluster', flags.cluster);
  const badCluster = ecsNameProblem(cluster, flags.cluster ? '--cluster' : 'EcsClusterName', 'cluster');
  if (badCluster) throw new UsageError(badCluster);
  return { cluster, service };
}

/**
 * The family a service deploys from: its own current task definition's family. cfn-output.json's
 * CrystalTaskDefinition speaks only for the workshop's service, and only when it is that service's own
 * family; another family is refused (exit 2) unless --task-definition names it.
 */
export async function serviceFamily(ctx: Context, target: ServiceTarget): Promise<string> {
  const service = await (await ctx.aws.ecs()).describeServices(target.cluster, target.service);
  const family = parseTaskDefinitionRef(service.taskDefinition ?? '')?.family;
  if (!family) throw new CheckFailedError(`service "${target.service}" reports no task definition; pass --task-definition`);
  if (target.service === DEFAULT_SERVICE) {
    const fromFile = await ctx.cfnIfPresent('taskDefinition');
    const fileFamily = fromFile === undefined ? undefined : parseTaskDefinitionRef(fromFile)?.family;
    if (fileFamily !== undefined && fileFamily !== family) {
      throw new UsageError(
        `CrystalTaskDefinition is family "${fileFamily}", but service "${target.service}" runs family "${family}"; ` +
          'pass --task-definition to say which task definition to deploy',
      );
    }
  }
  return family;
}

/**
 * The revision to deploy: an ARN or family:revision as given; a bare family's latest ACTIVE revision;
 * without --task-definition, the latest ACTIVE revision of the service's own family (never the
 * workshop's family for another service).
 */
export async function resolveRevision(ctx: Context, target: ServiceTarget, flag: string | undefined): Promise<string> {
  if (flag !== undefined) {
    const ref = parseTaskDefinitionRef(flag);
    if (!ref) throw new UsageError(`--task-definition: "${flag}" is not a task definition ARN, family:revision or family`);
    if (ref.revision !== undefined) return flag;
  }
  const family = flag ?? (await serviceFamily(ctx, target));
  const described = await (await ctx.aws.ecs()).describeTaskDefinition(family);
  return described.taskDefinition.taskDefinitionArn!;
}

/** The deployment UpdateService started: the PRIMARY one for the new revision. */
export function pickDeployment(service: Service, taskDefinitionArn: string): UpdateServiceResult['deployment'] {
  const deployments = service.deployments ?? [];
  const d =
    deployments.find((x) => x.status === 'PRIMARY' && sameRevision(x.taskDefinition, taskDefinitionArn)) ??
    deployments.find((x) => sameRevision(x.taskDefinition, taskDefinitionArn)) ??
    deployments.find((x) => x.status === 'PRIMARY');
  return d ? { id: d.id, status: d.status, rolloutState: d.rolloutState, taskDefinition: d.taskDefinition } : undefined;
}

export async function runUpdateService(
  ctx: Context,
  target: ServiceTarget,
  taskDefinitionArn: string,
  serviceConnectConfiguration?: ServiceConnectConfiguration,
): Promise<UpdateServiceResult> {
  const service = await (await ctx.aws.ecs()).updateService(target.cluster, target.service, taskDefinitionArn, serviceConnectConfiguration);
  return {
    ...target,
    taskDefinitionArn: service.taskDefinition ?? taskDefinitionArn,
    previousTaskDefinitionArn: service.deployments?.find((d) => d.taskDefinition && !sameRevision(d.taskDefinition, taskDefinitionArn))
      ?.taskDefinition,
    desiredCount: service.desiredCount,
    deployment: pickDeployment(service, taskDefinitionArn),
  };
}

/** What update-service would do: the service read (its current revision and desiredCount), UpdateService not sent. */
export async function planUpdateService(ctx: Context, target: ServiceTarget, taskDefinitionArn: string): Promise<UpdateServicePlan> {
  const service = await (await ctx.aws.ecs()).describeServices(target.cluster, target.service);
  return {
    ...target,
    currentTaskDefinitionArn: service.taskDefinition ?? null,
    taskDefinitionArn,
    desiredCount: service.desiredCount ?? null,
  };
}
