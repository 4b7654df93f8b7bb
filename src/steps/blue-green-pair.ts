import type { Service } from '@aws-sdk/client-ecs';
import { greenNameOf, markProblem, pairsOf, pairState, tagsOf, type Pair, type PairState } from '../core/migrate/blue-green.js';
import { nameOfArn } from '../core/arn.js';
import { mapLimit } from '../core/concurrency.js';
import type { Route53Target } from '../core/migrate/dns-weights.js';
import { CheckFailedError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { readEdge, edgeWeight, type Edge } from './blue-green-edge.js';
import { dnsLine, dnsWeight, readDnsEdge, type DnsEdge } from './dns-edge.js';
import { serviceTaskSource } from './task-source.js';

// A blue/green pair looked up: blue, green (taken only with meshctl's mark for the pair), green's tasks,
// and the weight at the load balancer or the Route 53 record.

/** The service of that name when it is ACTIVE (DRAINING is on its way out; INACTIVE is gone). */
async function serviceIfExists(ctx: Context, cluster: string, name: string): Promise<Service | undefined> {
  const [found] = await (await ctx.aws.ecs()).describeServicesBatch(cluster, [name]);
  return found?.status === 'ACTIVE' ? found : undefined;
}

/**
 * Green's service when it is ACTIVE, and only when it is meshctl's green of this blue: a service of
 * green's name without that mark (blue itself, an unrelated service, another pair's green) is a
 * CheckFailedError, ACTIVE or DRAINING, before anything is changed.
 */
export async function greenServiceOf(ctx: Context, pair: Pair): Promise<Service | undefined> {
  const ecs = await ctx.aws.ecs();
  const [found] = await ecs.describeServicesBatch(pair.cluster, [pair.green]);
  if (!found) return undefined;
  const problem = markProblem(`service ${pair.green}`, tagsOf(await ecs.listTagsForResource(found.serviceArn!)), pair, 'service');
  if (problem) throw new CheckFailedError(problem);
  return found.status === 'ACTIVE' ? found : undefined;
}

/** Green's RUNNING tasks of its revision, counted from the tasks (a service's runningCount lags, and moto's stays 0). */
export async function greenRunning(ctx: Context, cluster: string, green: Service): Promise<number> {
  const tasks = await serviceTaskSource(await ctx.aws.ecs(), cluster).tasksOf(green.serviceName!);
  return tasks.filter((t) => t.lastStatus === 'RUNNING' && t.taskDefinitionArn === green.taskDefinition).length;
}

/** A pair's state as `migrate status` shows it. */
export interface PairStatus {
  service: string;
  green: string;
  state: PairState;
  weight?: number;
  greenRunning?: number;
  greenDesired?: number;
  /** The Route 53 record's state in one line, with --route53. */
  record?: string;
}

/**
 * Reads one pair: blue, green, green's tasks and the weight at the edge. A green service or target group
 * of green's name without meshctl's mark for this pair is a CheckFailedError (status, abort and finish
 * then show, change and delete nothing).
 */
export async function readPair(
  ctx: Context,
  cluster: string,
  blueName: string,
  greenOverride?: string,
  route53?: Route53Target,
): Promise<PairStatus & { pair: Pair; blue?: Service; greenService?: Service; edge?: Edge; dns?: DnsEdge }> {
  const green = greenNameOf(blueName, greenOverride);
  const pair: Pair = { cluster, blue: blueName, green };
  const [blue, greenService] = await Promise.all([serviceIfExists(ctx, cluster, blueName), greenServiceOf(ctx, pair)]);
  const edge = blue ? await readEdge(ctx, blue, pair) : greenService ? await readEdge(ctx, greenService, pair) : undefined;
  const dns = route53 ? await readDnsEdge(ctx, route53) : undefined;
  const running = greenService ? await greenRunning(ctx, cluster, greenService) : 0;
  const facts = {
    blueExists: !!blue,
    greenExists: !!greenService,
    greenRunning: running,
    greenDesired: greenService?.desiredCount ?? 0,
    greenWeight: dns ? (dnsWeight(dns) ?? 0) : edgeWeight(edge),
  };
  const { state, weight } = pairState(facts);
  return {
    service: blueName,
    green,
    state,
    weight,
    greenRunning: facts.greenRunning,
    greenDesired: facts.greenDesired,
    ...(dns ? { record: dnsLine(dns) } : {}),
    pair,
    blue,
    greenService,
    edge,
    dns,
  };
}

/**
 * The blue/green pairs of the cluster (status, abort and finish with --all-services): each green that
 * carries meshctl's mark beside the blue it names. A service is never taken for a green by its name alone.
 */
export async function blueGreenPairs(ctx: Context, cluster: string): Promise<Pair[]> {
  const ecs = await ctx.aws.ecs();
  const arns = await ecs.listServices(cluster);
  const services = await mapLimit(arns, 4, async (arn) => ({ serviceName: nameOfArn(arn), tags: await ecs.listTagsForResource(arn) }));
  return pairsOf(cluster, services);
}

/** One pair as readPair found it: what abort and finish plan and carry out. */
export type PairFacts = Awaited<ReturnType<typeof readPair>>;
