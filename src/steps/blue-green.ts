import { createHash } from 'node:crypto';
import type { CreateServiceCommandInput, Service } from '@aws-sdk/client-ecs';
import type { Action, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import {
  greenNameOf,
  greenTargetGroupName,
  greenWeightOf,
  markProblem,
  pairsOf,
  pairState,
  planGreenService,
  planGreenTargetGroup,
  plainForward,
  stepsLeft,
  tagsOf,
  weightedForward,
  type Pair,
  type PairState,
} from '../core/migrate/blue-green.js';
import { nameOfArn } from '../core/arn.js';
import { mapLimit } from '../core/concurrency.js';
import type { ClusterPlan, ServicePlan } from '../core/migrate/types.js';
import { formatDuration } from '../core/duration.js';
import { AwsCallError, CheckFailedError, InterruptedError, MeshctlError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { describeRecord, type Route53Target } from '../core/migrate/dns-weights.js';
import { dnsLine, dnsProblem, dnsWeight, mergeRecord, readDnsEdge, shiftRecord, splitRecord, type DnsEdge } from './dns-edge.js';
import { createNamespaces, runWaves } from './migrate-cluster.js';
import { registerOrReuse } from './register-once.js';
import { serviceTaskSource } from './task-source.js';
import { runWaitRunning, type WaitOptions } from './wait-running.js';

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

/** The result of the traffic check between two shift steps. */
export interface TrafficCheck {
  ok: boolean;
  detail: string;
}

export interface BlueGreenOptions {
  cluster: string;
  greenName?: string;
  shift: number[];
  stepWaitMs: number;
  wait?: WaitOptions;
  /** `--route53 ZONE:NAME[=GREEN_VALUE]`: the record in front of the one service (which has no load balancer). */
  route53?: Route53Target;
  /**
   * The check before each next step (verify --service-connect's): green's name, its discovery names and,
   * behind a load balancer, green's target group and the load balancers (none at a Route 53 record).
   */
  check(
    ctx: Context,
    green: string,
    discoveryNames: string[],
    edge: { targetGroupArns: string[]; loadBalancerArns: string[] },
  ): Promise<TrafficCheck>;
}

export interface BlueGreenResult {
  service: string;
  green: string;
  wave: number;
  status: 'green-only' | 'failed' | 'not-started';
  weight?: number;
  taskDefinitionArn?: string;
  greenTargetGroupArn?: string;
  steps: { step: string; detail: string }[];
  checks: ({ weight: number } & TrafficCheck)[];
  error?: string;
}

/** Throws CheckFailedError unless the target group carries meshctl's mark for this pair. */
async function checkTargetGroupMark(ctx: Context, tg: TargetGroup, pair: Pair): Promise<void> {
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
async function rewriteEdge(ctx: Context, edge: Edge, change: (actions: readonly Action[]) => Action[]): Promise<void> {
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

/** ECS's idempotency token for CreateService: the same green, the same token, so a lost answer creates nothing twice. */
export function createToken(cluster: string, green: string, taskDefinition: string): string {
  return createHash('sha256').update(`${cluster}|${green}|${taskDefinition}`).digest('hex').slice(0, 32);
}

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
async function greenRunning(ctx: Context, cluster: string, green: Service): Promise<number> {
  const tasks = await serviceTaskSource(await ctx.aws.ecs(), cluster).tasksOf(green.serviceName!);
  return tasks.filter((t) => t.lastStatus === 'RUNNING' && t.taskDefinitionArn === green.taskDefinition).length;
}

/**
 * Green's target group, created with meshctl's mark. Another apply of the pair may create it at the same
 * moment: ELB answers the second request of one name and settings with the existing group, and moto
 * refuses it (DuplicateTargetGroupName); either way the group of that name is taken only with the mark.
 */
async function createGreenTargetGroup(ctx: Context, blueTg: TargetGroup, pair: Pair): Promise<{ group: TargetGroup; raced: boolean }> {
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

/**
 * Creates green's service. ECS runs a CreateService once per clientToken (the same cluster, green and
 * revision: the same token); an emulator that ignores the token replaces the service instead. Either
 * way, what stands under green's name afterwards is read back and taken only with meshctl's mark.
 */
async function createGreenService(ctx: Context, input: CreateServiceCommandInput, pair: Pair): Promise<Service> {
  const ecs = await ctx.aws.ecs();
  let created: Service | undefined;
  try {
    created = await ecs.createService({ ...input, clientToken: createToken(pair.cluster, pair.green, input.taskDefinition!) });
  } catch (err) {
    // Another apply created green first with another token: ECS says "not idempotent". Its green is as good.
    if (!(err instanceof AwsCallError) || err.errorName !== 'InvalidParameterException') throw err;
    const existing = await greenServiceOf(ctx, pair);
    if (!existing) throw err;
    return existing;
  }
  return (await greenServiceOf(ctx, pair)) ?? created;
}

/** `work`, with an interruption named after what it interrupted. */
async function during<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InterruptedError) throw new InterruptedError(`interrupted during ${what}`);
    throw err;
  }
}

/**
 * One service's blue/green move, from wherever it stopped: the green target group and the weighted
 * forward (blue 100, green 0) first, since ECS refuses a target group no load balancer forwards to; the
 * green service with the migrated revision and Service Connect, waited for; then the shift in steps,
 * each followed by the traffic check. A failed check shifts back to 100% blue and leaves green running.
 */
export async function blueGreenService(ctx: Context, opts: BlueGreenOptions, plan: ServicePlan, wave: number): Promise<BlueGreenResult> {
  const green = greenNameOf(plan.service, opts.greenName);
  const pair: Pair = { cluster: opts.cluster, blue: plan.service, green };
  const result: BlueGreenResult = { service: plan.service, green, wave, status: 'green-only', steps: [], checks: [] };
  const say = (step: string, detail: string) => {
    result.steps.push({ step, detail });
    ctx.ui.step(plan.service, 'start', `wave ${wave}: ${step}: ${detail}`);
  };
  try {
    const ecs = await ctx.aws.ecs();
    // Blue's tags go to green (DescribeServices gives them only when asked, and moto not reliably then).
    const blue = { ...(await ecs.describeServices(opts.cluster, plan.service)) };
    blue.tags = await ecs.listTagsForResource(blue.serviceArn!);
    // Everything read and green's name checked before the first write: a service or target group of
    // green's name that meshctl did not create for this pair stops here, with nothing changed.
    let greenService = await greenServiceOf(ctx, pair);
    let edge = await readEdge(ctx, blue, pair);
    let dns = opts.route53 ? await readDnsEdge(ctx, opts.route53) : undefined;
    if (dns && edge) throw new UsageError(routeAndBalancer(plan.service));
    if (edge && !edge.greenTargetGroupArn) {
      ctx.checkpoint();
      const { group, raced } = await createGreenTargetGroup(ctx, edge.blueTargetGroup, pair);
      say(
        'target group',
        raced ? `${group.TargetGroupName}: another apply created it at the same time` : `created ${group.TargetGroupName}`,
      );
      edge = await readEdge(ctx, blue, pair, group.TargetGroupArn);
    }
    if (edge) {
      result.greenTargetGroupArn = edge.greenTargetGroupArn;
      if (edge.forwards.length === 0)
        throw new CheckFailedError(`no listener or rule forwards to ${edge.blueTargetGroup.TargetGroupName}; nothing to shift`);
      const greenArn = edge.greenTargetGroupArn!;
      const paired = edge.forwards.every((f) =>
        f.actions.some((a) => (a.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn === greenArn)),
      );
      if (!paired) {
        await shiftTo(ctx, edge, 0);
        say('edge', `weighted forward: blue 100, green 0 at ${edge.forwards.length} listener(s) or rule(s)`);
      }
    }
    if (!greenService) {
      ctx.checkpoint();
      const registered = await registerOrReuse(ctx, plan.taskDefinition!);
      if (registered.how === 'reused') say('revision', `${registered.arn} is already the migrated revision; registered nothing`);
      if (registered.how === 'raced')
        say(
          'revision',
          `another apply registered ${registered.arn} at the same time; deregistered ${registered.dropped}, this run's, and use it`,
        );
      const taskDefinitionArn = registered.arn;
      const input = planGreenService(blue, {
        cluster: opts.cluster,
        greenName: green,
        taskDefinitionArn,
        serviceConnectConfiguration: plan.serviceConnectConfiguration,
        loadBalancer: edge && {
          targetGroupArn: edge.greenTargetGroupArn!,
          containerName: edge.containerName,
          containerPort: edge.containerPort,
        },
      });
      ctx.checkpoint();
      greenService = await createGreenService(ctx, input, pair);
      say('green', `created ${green} with ${greenService.taskDefinition}`);
    }
    const taskDefinitionArn = greenService.taskDefinition!;
    result.taskDefinitionArn = taskDefinitionArn;
    // Never traffic to a target group green does not register in: it would be empty.
    if (edge && !(greenService.loadBalancers ?? []).some((l) => l.targetGroupArn === edge!.greenTargetGroupArn))
      throw new CheckFailedError(
        `green ${green} does not register in target group ${edge.greenTargetGroupArn}; shifting to it would send traffic to an empty group, so nothing was shifted`,
      );
    if (opts.wait) {
      const w = await during(`the wait for green ${green} to run`, () =>
        runWaitRunning(
          ctx,
          { cluster: opts.cluster, service: green },
          { ...opts.wait!, taskDefinitionArn, desiredCount: greenService!.desiredCount },
        ),
      );
      say('green', `${w.running}/${w.wanted} RUNNING`);
    }
    if (!edge && !dns) {
      say('shift', 'no load balancer: green is reached through Service Connect alone; its callers move to it in the next wave');
      return result;
    }
    if (dns?.state.kind === 'simple') {
      dns = await splitRecord(ctx, dns);
      say('record', `weighted records in one batch: ${dnsLine(dns)}`);
    }
    // One way to move the weight, whichever the edge: the listeners' weighted forward, or the record's weights.
    const shift = async (weight: number) => {
      if (dns) dns = await shiftRecord(ctx, dns, weight);
      else await shiftTo(ctx, edge!, weight);
    };
    const at = edge
      ? { targetGroupArns: [edge.greenTargetGroupArn!], loadBalancerArns: edge.blueTargetGroup.LoadBalancerArns ?? [] }
      : { targetGroupArns: [], loadBalancerArns: [] };
    const where = dns ? `at ${dns.target.name}` : 'at the load balancer';
    for (const weight of stepsLeft(opts.shift, (dns ? dnsWeight(dns) : edgeWeight(edge)) ?? 0)) {
      await shift(weight);
      result.weight = weight;
      say('shift', `green ${weight}% ${where}`);
      await during(`the shift to ${weight}%, in its ${formatDuration(opts.stepWaitMs)} wait before the traffic check`, () =>
        ctx.clock.sleep(opts.stepWaitMs, ctx.signal),
      );
      const discoveryNames = (plan.serviceConnectConfiguration?.services ?? []).flatMap((x) => x.discoveryName ?? x.portName ?? []);
      // A check that cannot run (an AWS error, say) is a failed check: traffic goes back to blue all the same.
      const check = await opts.check(ctx, green, discoveryNames, at).catch((err: unknown) => {
        if (!(err instanceof MeshctlError) || err instanceof InterruptedError) throw err;
        return { ok: false, detail: `the check could not run: ${err.message.split('\n')[0]}` };
      });
      result.checks.push({ weight, ...check });
      if (!check.ok) {
        await shift(0);
        result.weight = 0;
        say('shift', `back to blue 100% ${where}`);
        throw new CheckFailedError(
          `the traffic check failed at green ${weight}% (${check.detail}); traffic is back on blue, green ${green} is left running for inspection. ` +
            `Run the same command to try again, or meshctl migrate abort --service ${plan.service} to remove green`,
        );
      }
    }
    result.weight = 100;
    ctx.ui.step(plan.service, 'ok', `wave ${wave}: green ${green} has all the traffic ${where}; meshctl migrate finish removes blue`);
    return result;
  } catch (err) {
    if (!(err instanceof MeshctlError)) throw err;
    // An interruption names where it stopped: inside a wait (`during`), else after the last step said.
    const last = result.steps.at(-1);
    const message =
      err instanceof InterruptedError && !err.message.startsWith('interrupted during ')
        ? `interrupted during wave ${wave} of ${plan.service}, ${last ? `after "${last.step}: ${last.detail}"` : 'before its first change'}`
        : err.message;
    ctx.ui.step(plan.service, 'fail', `wave ${wave}: ${message.split('\n')[0]}`);
    return { ...result, status: 'failed', error: message };
  }
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

/** Plans of what abort and finish do, shown before they are done. */
export interface EndPlan {
  service: string;
  green: string;
  actions: string[];
}

/** What `migrate abort` does for the pair, or why it does not apply. */
export function abortPlan(p: Awaited<ReturnType<typeof readPair>>): EndPlan {
  if (p.state === 'blue-only') throw new UsageError(`${p.service}: there is no green service ${p.green}; nothing to abort`);
  if (p.state === 'finished') throw new UsageError(`${p.service}: blue is gone (finished); abort no longer applies`);
  const dns = p.dns?.state;
  const actions = [
    ...(p.edge?.greenTargetGroupArn
      ? [`forward ${p.edge.forwards.length} listener(s) or rule(s) to blue ${p.edge.blueTargetGroup.TargetGroupName} alone`]
      : []),
    ...(dns?.kind === 'weighted'
      ? [
          `replace the weighted records of ${p.dns!.target.name} by one plain record with blue's value (${describeRecord(plainOf(dns.blue))})`,
        ]
      : []),
    `delete service ${p.green}`,
    ...(p.edge?.greenTargetGroupArn ? [`delete target group ${p.edge.greenTargetGroupArn}`] : []),
  ];
  return { service: p.service, green: p.green, actions };
}

/** What `migrate finish` does for the pair, or why it does not apply. */
export function finishPlan(p: Awaited<ReturnType<typeof readPair>>): EndPlan {
  const dns = p.dns?.state;
  // Finish deletes blue before it merges the records (blue has weight 0 by then): a finish stopped between
  // the two finds blue gone and the pair still there, and does the rest.
  if (p.state === 'finished' && dns?.kind === 'weighted' && dns.greenWeight === 100)
    return { service: p.service, green: p.green, actions: [mergeAction(p.dns!.target.name, dns.green)] };
  if (p.state !== 'green-only') {
    throw new UsageError(
      `${p.service}: finish needs green to have all the traffic; it is ${p.state}${p.weight !== undefined ? ` (green ${p.weight}%)` : ''}`,
    );
  }
  const actions = [
    ...(p.edge?.greenTargetGroupArn ? [`forward ${p.edge.forwards.length} listener(s) or rule(s) to green alone`] : []),
    `scale ${p.service} to 0 and delete it`,
    ...(dns?.kind === 'weighted' ? [mergeAction(p.dns!.target.name, dns.green)] : []),
  ];
  return { service: p.service, green: p.green, actions };
}

const plainOf = (r: ResourceRecordSet): ResourceRecordSet => ({ ...r, SetIdentifier: undefined, Weight: undefined });
const mergeAction = (name: string, green: ResourceRecordSet) =>
  `replace the weighted records of ${name} by one plain record with green's value (${describeRecord(plainOf(green))})`;

/** Carries out an abort: traffic back to blue (listeners, or one plain record with blue's value), green and its target group removed. */
export async function runAbort(ctx: Context, cluster: string, p: Awaited<ReturnType<typeof readPair>>): Promise<void> {
  const ecs = await ctx.aws.ecs();
  if (p.dns) await mergeRecord(ctx, p.dns, 'blue');
  const edge = p.edge;
  if (edge?.greenTargetGroupArn) {
    const blueArn = edge.blueTargetGroup.TargetGroupArn!;
    await rewriteEdge(ctx, edge, (a) => plainForward(a, blueArn, edge.greenTargetGroupArn!, blueArn));
  }
  // The marks are read again right before each delete (time passes at the prompt): only meshctl's green
  // of this pair, and its target group, are ever deleted.
  if (p.greenService && p.green !== p.service) {
    ctx.checkpoint();
    if (await greenServiceOf(ctx, p.pair)) {
      await ecs.setDesiredCount(cluster, p.green, 0);
      await ecs.deleteService(cluster, p.green);
    }
  }
  if (edge?.greenTargetGroupArn && edge.greenTargetGroupArn !== edge.blueTargetGroup.TargetGroupArn) {
    ctx.checkpoint();
    const elb = await ctx.aws.elbv2();
    const [tg] = await elb.describeTargetGroupsFull([edge.greenTargetGroupArn]);
    if (tg) {
      await checkTargetGroupMark(ctx, tg, p.pair);
      await elb.deleteTargetGroup(edge.greenTargetGroupArn);
    }
  }
}

/** Carries out a finish: green alone at the edge, blue scaled to 0 and deleted; then one plain record with green's value. */
export async function runFinish(ctx: Context, cluster: string, p: Awaited<ReturnType<typeof readPair>>): Promise<void> {
  const ecs = await ctx.aws.ecs();
  const edge = p.edge;
  if (p.blue) await checkGreenReady(ctx, p.pair);
  if (edge?.greenTargetGroupArn) {
    const green = edge.greenTargetGroupArn;
    await rewriteEdge(ctx, edge, (a) => plainForward(a, edge.blueTargetGroup.TargetGroupArn!, green, green));
  }
  if (p.blue) {
    ctx.checkpoint();
    await checkGreenReady(ctx, p.pair);
    await ecs.setDesiredCount(cluster, p.service, 0);
    await ecs.deleteService(cluster, p.service);
  }
  if (p.dns) await mergeRecord(ctx, p.dns, 'green');
}

/** Before blue goes: green is meshctl's green of blue, ACTIVE, and runs its revision's tasks (CheckFailedError otherwise). */
async function checkGreenReady(ctx: Context, pair: Pair): Promise<void> {
  if (pair.green === pair.blue) throw new CheckFailedError(`green ${pair.green} is blue itself; blue is not deleted`);
  const green = await greenServiceOf(ctx, pair);
  const running = green ? await greenRunning(ctx, pair.cluster, green) : 0;
  const wanted = Math.max(1, green?.desiredCount ?? 0);
  if (!green || running < wanted)
    throw new CheckFailedError(
      `green ${pair.green} ${green ? `runs ${running} of ${wanted} tasks` : 'does not exist'}; blue ${pair.blue} is not deleted while green cannot take its place`,
    );
}

const routeAndBalancer = (service: string) =>
  `--route53: ${service} is behind a load balancer, so blue/green shifts at its listeners; --route53 is for a service without one`;

/**
 * Before anything changes: the record of --route53 is one simple record whose type green's value fits, or
 * meshctl's weighted pair, and it fronts one service that has no load balancer. A usage error (exit 2) otherwise.
 */
export async function checkRoute53(
  ctx: Context,
  plan: ClusterPlan,
  opts: Pick<BlueGreenOptions, 'cluster' | 'route53' | 'greenName'>,
): Promise<void> {
  if (!opts.route53) return;
  const services = plan.services.filter((s) => s.status === 'migrate');
  if (services.length > 1) throw new UsageError('--route53 names the record of one service: pass exactly one --service with it');
  const problem = dnsProblem(await readDnsEdge(ctx, opts.route53));
  if (problem) throw new UsageError(problem);
  const [one] = services;
  const pair = one && { cluster: opts.cluster, blue: one.service, green: greenNameOf(one.service, opts.greenName) };
  if (one && pair && (await readEdge(ctx, await (await ctx.aws.ecs()).describeServices(opts.cluster, one.service), pair)))
    throw new UsageError(routeAndBalancer(one.service));
}

/** Blue/green for every service of the plan, wave by wave; a failed service stops the next waves. */
export async function applyBlueGreen(
  ctx: Context,
  plan: ClusterPlan,
  opts: BlueGreenOptions & { concurrency: number; createNamespaces: string[] },
): Promise<BlueGreenResult[]> {
  await checkRoute53(ctx, plan, opts);
  await createNamespaces(ctx, opts.createNamespaces);
  return runWaves<BlueGreenResult>(
    ctx,
    plan,
    opts.concurrency,
    (p, wave) => blueGreenService(ctx, opts, p, wave),
    (p, wave) => ({
      service: p.service,
      green: greenNameOf(p.service, opts.greenName),
      wave,
      status: 'not-started',
      steps: [],
      checks: [],
    }),
    (r) => r.status === 'green-only',
  );
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
