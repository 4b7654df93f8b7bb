import type { Service, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import type { Command } from 'commander';
import { parseTaskDefinitionRef, sameRevision } from '../core/arn.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { Report } from '../ui/output.js';
import { createContext, nameFlag, type Context, type Deps } from './context.js';

export const DEFAULT_SERVICE = 'crystal-service-lb';

export interface UpdateServiceFlags {
  service?: string;
  cluster?: string;
  taskDefinition?: string;
}

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

/** Reads --service and --cluster (or EcsClusterName). */
export async function resolveServiceTarget(ctx: Context, flags: { service?: string; cluster?: string }): Promise<ServiceTarget> {
  const service = nameFlag(flags.service ?? DEFAULT_SERVICE, '--service');
  const cluster = nameFlag(await ctx.cfn('cluster', flags.cluster), flags.cluster ? '--cluster' : 'EcsClusterName');
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

export async function runUpdateService(ctx: Context, target: ServiceTarget, taskDefinitionArn: string, serviceConnectConfiguration?: ServiceConnectConfiguration): Promise<UpdateServiceResult> {
  const service = await (await ctx.aws.ecs()).updateService(target.cluster, target.service, taskDefinitionArn, serviceConnectConfiguration);
  return {
    ...target,
    taskDefinitionArn: service.taskDefinition ?? taskDefinitionArn,
    previousTaskDefinitionArn: service.deployments?.find((d) => d.taskDefinition && !sameRevision(d.taskDefinition, taskDefinitionArn))?.taskDefinition,
    desiredCount: service.desiredCount,
    deployment: pickDeployment(service, taskDefinitionArn),
  };
}

export function updateServiceReport(r: UpdateServiceResult): Report {
  const d = r.deployment;
  return {
    data: { ...r },
    lines: [
      `service ${r.service} (cluster ${r.cluster}) now runs ${r.taskDefinitionArn}`,
      d ? `deployment ${d.id ?? '?'} ${d.status ?? ''}${d.rolloutState ? ` ${d.rolloutState}` : ''}`.trimEnd() : 'no deployment reported',
    ],
  };
}

export function registerUpdateService(program: Command, deps: Deps): void {
  program
    .command('update-service')
    .description("point the ECS service at the latest revision of its own task definition family (or --task-definition)")
    .option('--service <name>', `ECS service (default: ${DEFAULT_SERVICE})`)
    .addHelpText('after', '\nExamples:\n  meshctl update-service\n  meshctl update-service --service crystal-service-lb --task-definition crystal-task:7')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<UpdateServiceFlags>();
      const ctx = createContext(cmd, deps);
      const target = await resolveServiceTarget(ctx, flags);
      const arn = await resolveRevision(ctx, target, flags.taskDefinition);
      deps.ui.result(updateServiceReport(await runUpdateService(ctx, target, arn)));
    });
}
