import type { Service, Task } from '@aws-sdk/client-ecs';
import { nameOfArn } from '../core/arn.js';
import { mapLimit } from '../core/concurrency.js';
import { hasEnvoy } from '../core/envoy/proxy.js';
import { greenNameOf, markProblem, pairsOf, tagsOf } from '../core/migrate/blue-green.js';
import {
  fromServiceDeployment,
  fromServiceDeployments,
  judgeService,
  serviceConnectOf,
  trafficNotRun,
  type DeploymentView,
  type ServiceVerdict,
  type TrafficResult,
} from '../core/migrate/verify.js';
import { AwsCallError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { servicesMissing } from './service.js';
import { checkServiceConnectTraffic } from './verify-service-connect.js';

export interface MigrateVerifyOptions {
  cluster: string;
  /** The services named (blue/green: the blue one's name); undefined: every migrated service of the cluster. */
  services?: readonly string[];
  /** No --service was given: the default service was taken (a missing one says so). */
  defaulted?: boolean;
  /** --green-name: the green of the one service named, when apply named it so. */
  greenName?: string;
  windowMs: number;
  max5xxRatio: number;
}

/** One service to verify: the service itself, or the meshctl green that stands in for a blue. */
interface Target {
  service: Service;
  blue?: string;
}

/**
 * Answers to ListServiceDeployments or DescribeServiceDeployments after which deployments[] is read
 * instead: the endpoint lacks the APIs (moto answers HTTP 500; a region or partition without them,
 * UnsupportedFeatureException), or the credentials may not call them (both APIs are from 2024, and
 * many policies predate them). Any other error is an error.
 */
const FALLBACK_ERRORS = new Set(['UnsupportedFeatureException', 'AccessDeniedException', 'NotImplemented', 'UnknownOperationException']);
const fallsBack = (err: unknown): err is AwsCallError =>
  err instanceof AwsCallError && ((err.httpStatus ?? 0) >= 500 || FALLBACK_ERRORS.has(err.errorName));

/** What the service deployment APIs did for the first service: the later ones wait for it, and skip them when they are unavailable. */
export interface DeploymentApis {
  /** Set once they are found unavailable (the same for every service of the endpoint and credentials). */
  why?: string;
  first?: Promise<unknown>;
}

/** The deployment ECS made for the service's current revision. */
export async function deploymentOf(ctx: Context, cluster: string, service: Service, apis: DeploymentApis): Promise<DeploymentView | null> {
  // The first service's answer decides for the rest; its own caller handles its error.
  if (apis.first) await Promise.allSettled([apis.first]);
  const read = readDeployment(ctx, cluster, service, apis);
  apis.first ??= read;
  return read;
}

async function readDeployment(ctx: Context, cluster: string, service: Service, apis: DeploymentApis): Promise<DeploymentView | null> {
  if (apis.why) return fromServiceDeployments(service, apis.why);
  const ecs = await ctx.aws.ecs();
  try {
    const [latest] = await ecs.listServiceDeployments(cluster, service.serviceArn ?? service.serviceName!);
    if (!latest?.serviceDeploymentArn) return fromServiceDeployments(service, 'ListServiceDeployments lists no deployment of the service');
    const { deployments, failures } = await ecs.describeServiceDeployments([latest.serviceDeploymentArn]);
    const found = deployments.find((d) => d.serviceDeploymentArn === latest.serviceDeploymentArn);
    if (found) return fromServiceDeployment(found);
    const reason = failures[0]?.reason ?? 'MISSING';
    return fromServiceDeployments(service, `DescribeServiceDeployments did not find ${nameOfArn(latest.serviceDeploymentArn)} (${reason})`);
  } catch (err) {
    if (!fallsBack(err)) throw err;
    apis.why = `${err.operation} answered ${err.errorName}${err.httpStatus ? ` (HTTP ${err.httpStatus})` : ''}`;
    return fromServiceDeployments(service, apis.why);
  }
}

/** The service's RUNNING and recently STOPPED tasks (moto ignores serviceName: the group keeps other services' out). */
async function tasksOf(ctx: Context, cluster: string, name: string): Promise<Task[]> {
  const ecs = await ctx.aws.ecs();
  const arns = [...new Set([...(await ecs.listTasks(cluster, name)), ...(await ecs.listTasks(cluster, name, 'STOPPED'))])];
  const tasks = arns.length ? await ecs.describeTasks(cluster, arns) : [];
  return tasks.filter((t) => t.group === undefined || t.group === `service:${name}`);
}

/** The services named: each one, or the green meshctl made for it when there is one (blue/green). */
async function namedTargets(ctx: Context, opts: MigrateVerifyOptions, names: readonly string[]): Promise<Target[]> {
  const ecs = await ctx.aws.ecs();
  const missing: string[] = [];
  const targets = await mapLimit([...names], 4, async (name): Promise<Target | undefined> => {
    const greenName = greenNameOf(name, opts.greenName);
    const found = await ecs.describeServicesBatch(opts.cluster, [name, greenName]);
    const service = found.find((s) => s.serviceName === name && s.status === 'ACTIVE');
    const green = found.find((s) => s.serviceName === greenName && s.status === 'ACTIVE');
    const pair = { cluster: opts.cluster, blue: name, green: greenName };
    // A service of green's name without meshctl's mark for this pair is someone else's: the named service is verified.
    if (green && !markProblem(`service ${greenName}`, tagsOf(await ecs.listTagsForResource(green.serviceArn!)), pair, 'service'))
      return { service: green, blue: name };
    if (service) return { service };
    missing.push(name);
    return undefined;
  });
  if (missing.length) throw servicesMissing(opts.cluster, missing, opts.defaulted);
  return targets.filter((t): t is Target => !!t);
}

/** Every service on Service Connect, and each meshctl green (in place of its blue). */
async function clusterTargets(ctx: Context, cluster: string): Promise<Target[]> {
  const ecs = await ctx.aws.ecs();
  const arns = await ecs.listServices(cluster);
  const services = (await ecs.describeServicesBatch(cluster, arns.map(nameOfArn))).filter((s) => s.status === 'ACTIVE');
  const tagged = await mapLimit(services, 4, async (s) => ({
    serviceName: s.serviceName!,
    tags: await ecs.listTagsForResource(s.serviceArn!),
  }));
  const greens = new Map(pairsOf(cluster, tagged).map((p) => [p.green, p.blue]));
  return services
    .filter((s) => greens.has(s.serviceName!) || serviceConnectOf(s)?.enabled)
    .map((s) => ({ service: s, ...(greens.has(s.serviceName!) ? { blue: greens.get(s.serviceName!)! } : {}) }));
}

/** Reads and judges each service: its revision, deployment, tasks, Service Connect settings and traffic. */
export async function verifyMigration(ctx: Context, opts: MigrateVerifyOptions): Promise<ServiceVerdict[]> {
  const targets = opts.services ? await namedTargets(ctx, opts, opts.services) : await clusterTargets(ctx, opts.cluster);
  const ecs = await ctx.aws.ecs();
  const apis: DeploymentApis = {};
  return mapLimit(targets, 4, async ({ service, blue }) => {
    ctx.checkpoint();
    const name = service.serviceName!;
    const runsEnvoy = hasEnvoy(await ecs.describeTaskDefinition(service.taskDefinition!));
    const deployment = await deploymentOf(ctx, opts.cluster, service, apis);
    const tasks = await tasksOf(ctx, opts.cluster, name);
    const notRun = trafficNotRun(service, runsEnvoy);
    const traffic: TrafficResult = notRun
      ? { ran: false, ...notRun }
      : {
          ran: true,
          verdict: await checkServiceConnectTraffic(ctx, {
            cluster: opts.cluster,
            service: name,
            windowMs: opts.windowMs,
            max5xxRatio: opts.max5xxRatio,
          }),
        };
    return judgeService({ service, blue, runsEnvoy, deployment, tasks, traffic });
  });
}
