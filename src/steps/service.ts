import type { Service, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import { ecsNameProblem, parseTaskDefinitionRef, sameRevision } from '../core/arn.js';
import type { UpdateServicePlan } from '../core/rollout-plan.js';
import { escapeControls } from '../core/escape.js';
import type { DescribedTaskDefinition } from '../core/task-definition.js';
import { AwsCallError, CheckFailedError, UsageError } from '../errors.js';
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
  const badCluster = ecsNameProblem(cluster, flags.cluster ? '--cluster' : `${ctx.cfnFile}: EcsClusterName`, 'cluster');
  if (badCluster) throw new UsageError(badCluster);
  return { cluster, service };
}

/**
 * The one answer, in every command, for services the user named (by flag, by meshctl.yaml, or by
 * default) that the cluster does not have: exit 3, as for any named thing AWS does not have, each named
 * (as DescribeServices' own refusal in src/aws/ecs.ts says it). `defaulted`: no service was named, the
 * default was taken.
 */
export function servicesMissing(cluster: string, services: readonly string[], defaulted = false): AwsCallError {
  const one = services.length === 1;
  const list = services.map((s) => `"${escapeControls(s)}"`).join(', ');
  const next = defaulted ? `no --service was given and ${DEFAULT_SERVICE} is the default; pass --service` : 'check --service and --cluster';
  return new AwsCallError(
    'DescribeServices',
    'ServiceNotFoundException',
    400,
    `service${one ? '' : 's'} ${list} in cluster "${escapeControls(cluster)}" ${one ? 'is' : 'are'} MISSING; ${next}`,
    next,
  );
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
        `${ctx.cfnFile}: CrystalTaskDefinition is family "${escapeControls(fileFamily)}", but service "${target.service}" runs family "${family}"; ` +
          'pass --task-definition to say which task definition to deploy',
      );
    }
  }
  return family;
}

/**
 * Describes a task definition the user named: `ref` as meshctl resolved it, `namedBy` the flag or file
 * key it came from (`--task-definition`, `--to`, `cfn-output.json: CrystalTaskDefinition`), `typed` what
 * was written there when it differs (`--to 99` for family:99). ECS answers any that does not exist with
 * a bare "ClientException: Unable to describe task definition.": this says which, and the family's
 * latest ACTIVE revision where there is one (exit 3, as for any named thing AWS does not have).
 */
export async function describeNamedTaskDefinition(
  ctx: Context,
  ref: string,
  namedBy: string,
  typed: string = ref,
): Promise<DescribedTaskDefinition> {
  const ecs = await ctx.aws.ecs();
  const found = await ecs.describeTaskDefinitionIfExists(ref);
  if (found) return found;
  const parsed = parseTaskDefinitionRef(ref);
  const family = parsed?.family;
  // A bare family has no ACTIVE revision: asking again for it says nothing more.
  const latest = family !== undefined && parsed?.revision !== undefined ? await ecs.describeTaskDefinitionIfExists(family) : undefined;
  const shown = typed === ref ? `"${escapeControls(ref)}"` : `"${escapeControls(typed)}" (${escapeControls(ref)})`;
  const latestRef = parseTaskDefinitionRef(latest?.taskDefinition.taskDefinitionArn ?? '');
  const tail = latestRef
    ? `; the latest ACTIVE revision of family "${latestRef.family}" is ${latestRef.family}:${latestRef.revision}`
    : family !== undefined
      ? `; family "${escapeControls(family)}" has no ACTIVE revision`
      : '';
  throw new AwsCallError(
    'DescribeTaskDefinition',
    'ClientException',
    400,
    `${namedBy}: task definition ${shown} does not exist${tail}`,
    'name a revision that exists: aws ecs list-task-definitions --family-prefix FAMILY',
  );
}

/**
 * The revision to deploy: an ARN or family:revision as given; a bare family's latest ACTIVE revision;
 * without --task-definition, the latest ACTIVE revision of the service's own family (never the
 * workshop's family for another service).
 */
export async function resolveRevision(ctx: Context, target: ServiceTarget, flag: string | undefined): Promise<string> {
  if (flag !== undefined) {
    const ref = parseTaskDefinitionRef(flag);
    if (!ref) throw new UsageError(`--task-definition: "${escapeControls(flag)}" is not a task definition ARN, family:revision or family`);
    // Described even with a revision: UpdateService would refuse one that does not exist without naming it.
    const described = await describeNamedTaskDefinition(ctx, flag, '--task-definition');
    return ref.revision !== undefined ? flag : described.taskDefinition.taskDefinitionArn!;
  }
  const family = await serviceFamily(ctx, target);
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
