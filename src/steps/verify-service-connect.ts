import { nameOfArn } from '../core/arn.js';
import {
  albDimension,
  deploymentStateOf,
  discoveryNamesOf,
  judgeTraffic,
  PERIOD_SECONDS,
  targetGroupArnsOf,
  targetGroupDimension,
  targetGroupName,
  trafficQueries,
  type AlbTarget,
  type TrafficVerdict,
} from '../core/migrate/traffic-check.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';

export type { TrafficCheck, TrafficVerdict } from '../core/migrate/traffic-check.js';

export interface TrafficCheckOptions {
  cluster: string;
  service: string;
  /** Empty or absent: the names the PRIMARY deployment's Service Connect configuration serves. */
  discoveryNames?: readonly string[];
  windowMs: number;
  max5xxRatio: number;
  /** Absent: the target groups of the service's load balancers. Empty: none (no load balancer checks). */
  targetGroupArns?: readonly string[];
  /**
   * The load balancers that forward to those target groups, when the caller knows them better than the
   * group's own LoadBalancerArns (blue/green's weighted forward: moto does not list the load balancer there).
   */
  loadBalancerArns?: readonly string[];
}

/** The target groups with their metric dimensions; one entry per load balancer that forwards to a group. */
async function albTargets(ctx: Context, arns: readonly string[], knownLoadBalancers: readonly string[] = []): Promise<AlbTarget[]> {
  for (const arn of arns) {
    if (targetGroupDimension(arn) === undefined) throw new UsageError(`"${arn}" is not a target group ARN`);
  }
  if (arns.length === 0) return [];
  const groups = await (await ctx.aws.elbv2()).describeTargetGroups(arns);
  return groups.flatMap((g): AlbTarget[] => {
    const targetGroup = targetGroupDimension(g.arn)!;
    const lbs = g.loadBalancerArns.length ? g.loadBalancerArns : [...knownLoadBalancers];
    if (lbs.length === 0) return [{ targetGroupArn: g.arn, targetGroup }];
    return lbs.flatMap((lb) => {
      const loadBalancer = albDimension(lb);
      if (loadBalancer !== undefined) return [{ targetGroupArn: g.arn, targetGroup, loadBalancer }];
      ctx.ui.warn(
        `target group ${targetGroupName(g.arn)} is behind ${nameOfArn(lb)}, not an Application Load Balancer; its health is not checked`,
      );
      return [];
    });
  });
}

/**
 * Reads the Service Connect traffic of one service from CloudWatch (one GetMetricData for every series),
 * its PRIMARY deployment from ECS and, behind a load balancer, its target groups' health, and judges
 * them. A check that fails gives ok: false, never an exception; AWS errors and bad input still throw.
 */
export async function checkServiceConnectTraffic(ctx: Context, opts: TrafficCheckOptions): Promise<TrafficVerdict> {
  const described = await (await ctx.aws.ecs()).describeServices(opts.cluster, opts.service);
  // CloudWatch's dimensions hold names, not ARNs.
  const cluster = nameOfArn(described.clusterArn ?? opts.cluster);
  const service = described.serviceName ?? nameOfArn(opts.service);
  const discoveryNames = opts.discoveryNames?.length ? [...new Set(opts.discoveryNames)] : discoveryNamesOf(described);
  if (discoveryNames.length === 0) {
    throw new UsageError(
      `service "${service}" in cluster "${cluster}" shows no Service Connect services in its PRIMARY deployment ` +
        '(a client-only configuration receives no Service Connect traffic); pass --discovery-name',
    );
  }
  const targets = await albTargets(ctx, opts.targetGroupArns ?? targetGroupArnsOf(described), opts.loadBalancerArns);
  const plan = { cluster, service, discoveryNames, targets };
  const end = ctx.clock.now();
  ctx.checkpoint();
  const series = await (
    await ctx.aws.cloudWatch()
  ).getMetricData(trafficQueries(plan), {
    start: end - opts.windowMs,
    end,
    periodSeconds: PERIOD_SECONDS,
  });
  return judgeTraffic({
    plan,
    window: { end, durationMs: opts.windowMs },
    max5xxRatio: opts.max5xxRatio,
    series,
    deployment: deploymentStateOf(described),
  });
}

/** The failure a verdict that did not pass is (exit 1), naming each failed check with its numbers. */
export function trafficFailure(v: TrafficVerdict): CheckFailedError {
  const failed = v.checks.filter((c) => !c.ok);
  return new CheckFailedError(`verify --service-connect: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
}
