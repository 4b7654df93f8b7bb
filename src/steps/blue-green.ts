import { createHash } from 'node:crypto';
import type { CreateServiceCommandInput, Service } from '@aws-sdk/client-ecs';
import { greenNameOf, planGreenService, stepsLeft, type Pair } from '../core/migrate/blue-green.js';
import type { ClusterPlan, ServicePlan } from '../core/migrate/types.js';
import { formatDuration } from '../core/duration.js';
import { AwsCallError, CheckFailedError, InterruptedError, MeshctlError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import type { Route53Target } from '../core/migrate/dns-weights.js';
import { createGreenTargetGroup, edgeWeight, readEdge, shiftTo } from './blue-green-edge.js';
import { greenServiceOf } from './blue-green-pair.js';
import { dnsLine, dnsProblem, dnsWeight, readDnsEdge, shiftRecord, splitRecord } from './dns-edge.js';
import { createNamespaces, runWaves } from './migrate-cluster.js';
import { registerOrReuse } from './register-once.js';
import { runWaitRunning, type WaitOptions } from './wait-running.js';

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

/** ECS's idempotency token for CreateService: the same green, the same token, so a lost answer creates nothing twice. */
export function createToken(cluster: string, green: string, taskDefinition: string): string {
  return createHash('sha256').update(`${cluster}|${green}|${taskDefinition}`).digest('hex').slice(0, 32);
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
 * `ctx` draws blue's line of the board (runWaves): each change is a state of that line.
 */
export async function blueGreenService(ctx: Context, opts: BlueGreenOptions, plan: ServicePlan, wave: number): Promise<BlueGreenResult> {
  const green = greenNameOf(plan.service, opts.greenName);
  const pair: Pair = { cluster: opts.cluster, blue: plan.service, green };
  const result: BlueGreenResult = { service: plan.service, green, wave, status: 'green-only', steps: [], checks: [] };
  const say = (step: string, detail: string) => {
    result.steps.push({ step, detail });
    ctx.ui.step(`wave ${wave}`, 'start', `${step}: ${detail}`);
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
      // The wait's progress (n/m RUNNING and its clock) shows on blue's line, after the step's name.
      ctx.ui.step(`wave ${wave}: wait-running`, 'start', green);
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
    ctx.ui.step(`wave ${wave}`, 'ok', `green ${green} has all the traffic ${where}; meshctl migrate finish removes blue`);
    return result;
  } catch (err) {
    if (!(err instanceof MeshctlError)) throw err;
    // An interruption names where it stopped: inside a wait (`during`), else after the last step said.
    const last = result.steps.at(-1);
    const message =
      err instanceof InterruptedError && !err.message.startsWith('interrupted during ')
        ? `interrupted during wave ${wave} of ${plan.service}, ${last ? `after "${last.step}: ${last.detail}"` : 'before its first change'}`
        : err.message;
    ctx.ui.step(`wave ${wave}`, 'fail', message.split('\n')[0]);
    return { ...result, status: 'failed', error: message };
  }
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
    (line, p, wave) => blueGreenService(line, opts, p, wave),
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
