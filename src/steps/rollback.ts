import { parseTaskDefinitionRef, sameRevision } from '../core/arn.js';
import { hasEnvoy } from '../core/envoy/proxy.js';
import { type DescribedTaskDefinition } from '../core/task-definition.js';
import { meshNodeOf } from '../core/envoy/proxy.js';
import { isServiceGone } from '../aws/aws-error.js';
import { previousRevision, revisionFromFlag } from '../core/revisions.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { describeNamedTaskDefinition, runUpdateService, type ServiceTarget, type UpdateServiceResult } from './service.js';
import { runWaitRunning, type WaitOptions, type WaitResult, type WaitSeen } from './wait-running.js';

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
export async function runRollback(
  ctx: Context,
  target: ServiceTarget,
  opts: { to?: string; wait: boolean; waitOptions: WaitOptions; force?: boolean; seen?: WaitSeen },
): Promise<RollbackResult> {
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
  const toDescribed = await describeNamedTaskDefinition(ctx, to, opts.to !== undefined ? '--to' : 'the previous revision', opts.to ?? to);
  if (hasEnvoy(toDescribed) && !opts.force) await refuseEnvoyWithoutAppMesh(ctx, current, to, toDescribed);
  // Back from Service Connect to an App Mesh revision (after migrate apply): Service Connect goes off.
  const leaveServiceConnect = hasEnvoy(toDescribed) && !hasEnvoy(await ecs.describeTaskDefinition(current));
  if (leaveServiceConnect) ctx.ui.info(`${to} runs envoy: turning Service Connect off for ${target.service}`);
  const update = await runUpdateService(ctx, target, to, leaveServiceConnect ? { enabled: false } : undefined);
  const result: RollbackResult = { ...target, action: 'rolled-back', from: current, to: update.taskDefinitionArn, update };
  if (opts.wait) {
    result.wait = await runWaitRunning(
      ctx,
      target,
      { ...opts.waitOptions, taskDefinitionArn: update.taskDefinitionArn, desiredCount: update.desiredCount },
      opts.seen,
    );
  }
  return result;
}

/** How many older revisions are described, at most, to find the last one without envoy. */
export const REVISIONS_LOOKED_AT = 20;

/**
 * A revision that runs envoy works only while App Mesh gives its envoy a configuration: since App Mesh
 * ended (2026-09-30) a new task's envoy never becomes HEALTHY and the app waiting for it never starts.
 * Unless App Mesh still answers for the revision's virtual node, this refuses (exit 1) and names the
 * last revision without envoy to go to instead.
 */
async function refuseEnvoyWithoutAppMesh(ctx: Context, current: string, to: string, described: DescribedTaskDefinition): Promise<void> {
  const node = meshNodeOf(described);
  let why: string | undefined;
  if (!node) why = 'names no virtual node';
  else {
    try {
      const found = await (await ctx.aws.appMesh()).describeVirtualNode(node.mesh, node.node);
      if (!found) why = `has no virtual node ${node.node} in mesh ${node.mesh} any more`;
    } catch (err) {
      if (!isServiceGone(err)) throw err;
      why = `could not be read (${err.errorName}${err.httpStatus ? `, HTTP ${err.httpStatus}` : ''})`;
    }
  }
  if (!why) return;
  const instead = await lastRevisionWithoutEnvoy(ctx, current);
  throw new CheckFailedError(
    `${to} runs envoy, and App Mesh ${why}: its new tasks would get no envoy configuration and never start. ` +
      (instead
        ? `Roll back to ${instead} instead, the last revision without envoy (--to ${instead}); `
        : 'No recent revision of the family runs without envoy; ') +
      '--force rolls back to it anyway',
  );
}

/** The highest ACTIVE revision of the family, other than `current`, whose task definition has no envoy. */
async function lastRevisionWithoutEnvoy(ctx: Context, current: string): Promise<string | undefined> {
  const ecs = await ctx.aws.ecs();
  const family = parseTaskDefinitionRef(current)?.family;
  if (!family) return undefined;
  const revisions = (await ecs.listTaskDefinitions(family))
    .map((arn) => ({ arn, rev: parseTaskDefinitionRef(arn)?.revision ?? 0 }))
    .filter((r) => !sameRevision(r.arn, current))
    .sort((a, b) => b.rev - a.rev)
    .slice(0, REVISIONS_LOOKED_AT);
  for (const r of revisions) if (!hasEnvoy(await ecs.describeTaskDefinition(r.arn))) return r.arn;
  return undefined;
}
