import { parseTaskDefinitionRef, sameRevision } from '../core/arn.js';
import { hasEnvoy } from '../core/render-envoy.js';
import { previousRevision, revisionFromFlag } from '../core/revisions.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { Context } from './context.js';
import { runUpdateService, type ServiceTarget, type UpdateServiceResult } from './service.js';
import { runWaitRunning, type WaitOptions, type WaitResult } from './wait-running.js';

export interface RollbackResult extends ServiceTarget {
  action: 'rolled-back' | 'unchanged';
  from: string;
  to: string;
  update?: UpdateServiceResult;
  wait?: WaitResult;
}

/**
 * Points the service back at `to`, or at the revision it ran before (see previousRevision), then waits
 * unless `wait` is false.
 */
export async function runRollback(ctx: Context, target: ServiceTarget, opts: { to?: string; wait: boolean; waitOptions: WaitOptions }): Promise<RollbackResult> {
  const ecs = await ctx.aws.ecs();
  const service = await ecs.describeServices(target.cluster, target.service);
  const current = service.taskDefinition!;
  let to: string | undefined;
  if (opts.to !== undefined) {
    to = revisionFromFlag(opts.to, current);
    if (!to) throw new UsageError(`--to: "${opts.to}" is not a revision number, family:revision or task definition ARN`);
  } else {
    const family = parseTaskDefinitionRef(current)?.family;
    to = previousRevision(current, service.deployments ?? [], family ? await ecs.listTaskDefinitions(family) : []);
    if (!to) throw new CheckFailedError(`no revision before ${current} to roll back to; pass --to REVISION`);
  }
  if (sameRevision(to, current)) {
    ctx.ui.info(`${target.service} already runs ${current}; nothing to roll back`);
    return { ...target, action: 'unchanged', from: current, to };
  }
  ctx.checkpoint();
  // Back from Service Connect to an App Mesh revision (after migrate apply): Service Connect goes off.
  const runsEnvoy = async (ref: string) => hasEnvoy(await ecs.describeTaskDefinition(ref));
  // The current revision first: when it runs envoy (App Mesh to App Mesh), the target needs no look.
  const leaveServiceConnect = !(await runsEnvoy(current)) && (await runsEnvoy(to));
  if (leaveServiceConnect) ctx.ui.info(`${to} runs envoy: turning Service Connect off for ${target.service}`);
  const update = await runUpdateService(ctx, target, to, leaveServiceConnect ? { enabled: false } : undefined);
  const result: RollbackResult = { ...target, action: 'rolled-back', from: current, to: update.taskDefinitionArn, update };
  if (opts.wait) {
    result.wait = await runWaitRunning(ctx, target, { ...opts.waitOptions, taskDefinitionArn: update.taskDefinitionArn, desiredCount: update.desiredCount });
  }
  return result;
}

