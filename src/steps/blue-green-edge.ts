import type { Service } from '@aws-sdk/client-ecs';
import type { Action, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  greenTargetGroupName,
  greenWeightOf,
  markProblem,
  planGreenTargetGroup,
  weightedForward,
  type Pair,
} from '../core/migrate/blue-green.js';
import { AwsCallError, CheckFailedError } from '../errors.js';
import type { Context } from '../runtime/context.js';

// Blue/green at a load balancer: where blue's target group is forwarded to, green's target group beside
// it (created with meshctl's mark), and the weights of the forwards.

/** One place at the edge that forwards to blue: a listener's default actions, or a rule's. */
interface EdgeForward {
  kind: 'listener' | 'rule';
  arn: string;
  actions: Action[];
}

/** Blue's load balancer path, and green's target group beside it. */
export interface Edge {
  blueTargetGroup: TargetGroup;
  greenTargetGroupArn?: string;
  forwards: EdgeForward[];
  containerName?: string;
  containerPort?: number;
}

/** Throws CheckFailedError unless the target group carries meshctl's mark for this pair. */
export async function checkTargetGroupMark(ctx: Context, tg: TargetGroup, pair: Pair): Promise<void> {
  const tags = (await (await ctx.aws.elbv2()).describeTags([tg.TargetGroupArn!])).get(tg.TargetGroupArn!) ?? {};
  const problem = markProblem(`target group ${tg.TargetGroupName}`, tags, pair, 'target group');
  if (problem) throw new CheckFailedError(problem);
}

/**
 * Reads where blue's target group is forwarded to, at each listener and rule of its load balancers,
 * and green's target group: found by its name and taken only with meshctl's mark for this pair
 * (CheckFailedError for a group of that name without it). `greenTargetGroup`: one just created.
 */
export async function readEdge(ctx: Context, blue: Service, pair: Pair, greenTargetGroup?: string): Promise<Edge | undefined> {
  const lb = blue.loadBalancers?.find((l) => l.targetGroupArn);
  if (!lb?.targetGroupArn) return undefined;
  const elb = await ctx.aws.elbv2();
  const [blueTg] = await elb.describeTargetGroupsFull([lb.targetGroupArn]);
  if (!blueTg) throw new CheckFailedError(`the target group ${lb.targetGroupArn} of service ${blue.serviceName} does not exist`);
  let green = greenTargetGroup;
  if (!green) {
    const found = await elb.findTargetGroup(greenTargetGroupName(pair.cluster, pair.green));
    if (found) await checkTargetGroupMark(ctx, found, pair);
    green = found?.TargetGroupArn;
  }
  const forwards: EdgeForward[] = [];
  const sendsToPair = (actions: readonly Action[]) => greenWeightOf(actions, blueTg.TargetGroupArn!, green ?? '') !== undefined;
  for (const lbArn of blueTg.LoadBalancerArns ?? []) {
    for (const listener of await elb.describeListeners(lbArn)) {
      if (sendsToPair(listener.defaultActions)) forwards.push({ kind: 'listener', arn: listener.arn, actions: listener.defaultActions });
      for (const rule of await elb.describeRules(listener.arn)) {
        if (!rule.isDefault && sendsToPair(rule.actions)) forwards.push({ kind: 'rule', arn: rule.arn, actions: rule.actions });
      }
    }
  }
  return {
    blueTargetGroup: blueTg,
    greenTargetGroupArn: green,
    forwards,
    containerName: lb.containerName,
    containerPort: lb.containerPort,
  };
}

/** Green's weight at the edge: the lowest of its forwards (all move together), undefined without an edge. */
export function edgeWeight(edge: Edge | undefined): number | undefined {
  if (!edge?.greenTargetGroupArn || edge.forwards.length === 0) return undefined;
  const weights = edge.forwards.map((f) => greenWeightOf(f.actions, edge.blueTargetGroup.TargetGroupArn!, edge.greenTargetGroupArn!) ?? 0);
  return Math.min(...weights);
}

/** Sets every forward of the edge to `change(actions)`. */
export async function rewriteEdge(ctx: Context, edge: Edge, change: (actions: readonly Action[]) => Action[]): Promise<void> {
  const elb = await ctx.aws.elbv2();
  for (const f of edge.forwards) {
    ctx.checkpoint();
    f.actions = change(f.actions);
    if (f.kind === 'listener') await elb.modifyListener(f.arn, f.actions);
    else await elb.modifyRule(f.arn, f.actions);
  }
}

/** Green gets `weight` percent at every forward of the edge, blue the rest. */
export async function shiftTo(ctx: Context, edge: Edge, weight: number): Promise<void> {
  await rewriteEdge(ctx, edge, (a) => weightedForward(a, edge.blueTargetGroup.TargetGroupArn!, edge.greenTargetGroupArn!, weight));
}

/**
 * Green's target group, created with meshctl's mark. Another apply of the pair may create it at the same
 * moment: ELB answers the second request of one name and settings with the existing group, and moto
 * refuses it (DuplicateTargetGroupName); either way the group of that name is taken only with the mark.
 */
export async function createGreenTargetGroup(
  ctx: Context,
  blueTg: TargetGroup,
  pair: Pair,
): Promise<{ group: TargetGroup; raced: boolean }> {
  const elb = await ctx.aws.elbv2();
  const input = planGreenTargetGroup(blueTg, pair);
  let group: TargetGroup | undefined;
  let raced = false;
  try {
    group = await elb.createTargetGroup(input);
  } catch (err) {
    if (!(err instanceof AwsCallError) || !err.errorName.startsWith('DuplicateTargetGroupName')) throw err;
    group = await elb.findTargetGroup(input.Name!);
    if (!group) throw err;
    raced = true;
  }
  await checkTargetGroupMark(ctx, group, pair);
  return { group, raced };
}
