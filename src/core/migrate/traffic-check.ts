import type { Service } from '@aws-sdk/client-ecs';
import { formatDuration } from '../duration.js';

/**
 * The Service Connect traffic check: which CloudWatch series to read, and the verdict on what came back.
 *
 * Metric names and dimensions as the ECS developer guide lists them ("Amazon ECS CloudWatch metrics",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html), namespace AWS/ECS:
 * - RequestCount is published on `DiscoveryName` and on `DiscoveryName, ServiceName, ClusterName`: the
 *   server's side, every inbound request its proxies processed. meshctl reads the second, this service's.
 * - HTTPCode_Target_5XX_Count and TargetResponseTime (milliseconds) are published only on
 *   `TargetDiscoveryName` and on `TargetDiscoveryName, ServiceName, ClusterName`, where ServiceName is the
 *   CALLING service: the callers' side. meshctl reads `TargetDiscoveryName` alone, all callers together.
 *   A query with the server's ServiceName would match no published series and always read 0.
 * CloudWatch serves only dimension sets that were published, so each query names a full, published set.
 * Load balancer series, namespace AWS/ApplicationELB, dimensions `TargetGroup, LoadBalancer`:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */

/** One datapoint a minute, as ECS and Elastic Load Balancing publish them. */
export const PERIOD_SECONDS = 60;
export const DEFAULT_WINDOW_MS = 5 * 60_000;
/** A shorter window than one period holds no whole datapoint. */
export const MIN_WINDOW_MS = PERIOD_SECONDS * 1000;
/** CloudWatch keeps 60-second datapoints for 15 days. */
export const MAX_WINDOW_MS = 15 * 24 * 3_600_000;
export const DEFAULT_MAX_5XX_RATIO = 0.01;

export const TRAFFIC_NOTE =
  'metrics prove that traffic arrived and how much of it failed, not that any particular response was right; ' +
  'meshctl sent no request, and none from outside the namespace (Service Connect names resolve only inside it)';

export type Statistic = 'Sum' | 'Average' | 'Minimum' | 'Maximum';

/** One series for GetMetricData: a metric, its whole dimension set, the statistic per period. */
export interface MetricQuery {
  /** GetMetricData's Id: a lowercase letter, then letters, digits and `_`. */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Readonly<Record<string, string>>;
  stat: Statistic;
}

/** A series as GetMetricData answered it: one point per period that had data (a quiet minute has none). */
export interface MetricSeries {
  id: string;
  points: readonly { at: number; value: number }[];
}

/** A target group the service is behind, with its metric dimensions when a load balancer forwards to it. */
export interface AlbTarget {
  targetGroupArn: string;
  /** `targetgroup/name/id`, the final portion of the target group ARN. */
  targetGroup: string;
  /** `app/name/id`, the final portion of the load balancer ARN; absent when no load balancer forwards to it. */
  loadBalancer?: string;
}

/** What is measured: the server's names as CloudWatch knows them, and its target groups. */
export interface TrafficPlan {
  cluster: string;
  service: string;
  discoveryNames: readonly string[];
  targets: readonly AlbTarget[];
}

/** The PRIMARY deployment, as DescribeServices shows it. */
export interface DeploymentState {
  rolloutState?: string;
  failedTasks: number;
  running: number;
  desired: number;
}

export interface TrafficCheck {
  name: string;
  ok: boolean;
  detail: string;
  value?: number;
}

export interface TargetGroupTraffic {
  targetGroupArn: string;
  targetGroup: string;
  loadBalancer?: string;
  requests: number;
  errors5xx: number;
  ratio: number | null;
  /** HealthyHostCount (Minimum) of the latest minute with data. */
  healthyHosts: number | null;
  /** UnHealthyHostCount (Maximum) of the latest minute with data. */
  unhealthyHosts: number | null;
}

export interface TrafficVerdict {
  ok: boolean;
  cluster: string;
  service: string;
  discoveryNames: string[];
  window: { start: string; end: string; durationMs: number; periodSeconds: number };
  checks: TrafficCheck[];
  metrics: { requests: number; errors5xx: number; ratio: number | null; responseTimeMs?: number };
  deployment: DeploymentState | null;
  targetGroups: TargetGroupTraffic[];
  note: string;
}

const TARGET_GROUP_ARN = /^arn:[^:]+:elasticloadbalancing:[^:]*:\d*:(targetgroup\/[^/]+\/[0-9a-f]+)$/;
const LOAD_BALANCER_ARN = /^arn:[^:]+:elasticloadbalancing:[^:]*:\d*:loadbalancer\/((app|net|gwy)\/[^/]+\/[0-9a-f]+)$/;

/** A target group ARN's TargetGroup dimension (`targetgroup/name/id`), or undefined when it is not one. */
export function targetGroupDimension(arn: string): string | undefined {
  return TARGET_GROUP_ARN.exec(arn)?.[1];
}

/** An Application Load Balancer ARN's LoadBalancer dimension (`app/name/id`); undefined for any other ARN (`net/`, `gwy/`). */
export function albDimension(arn: string): string | undefined {
  const m = LOAD_BALANCER_ARN.exec(arn);
  return m && m[2] === 'app' ? m[1] : undefined;
}

/** The target group's name, from its ARN or dimension (`targetgroup/crystal-tg/0123` gives `crystal-tg`). */
export function targetGroupName(arnOrDimension: string): string {
  return /targetgroup\/([^/]+)\//.exec(arnOrDimension)?.[1] ?? arnOrDimension;
}

/** Reads `1%`, `0.5 %` or `0.01` as a ratio from 0 to 1; undefined for anything else. */
export function parseRatio(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) / (m[2] ? 100 : 1);
  return value >= 0 && value <= 1 ? value : undefined;
}

/** The PRIMARY deployment of a described service, or undefined when it has none. */
export function deploymentStateOf(service: Service): DeploymentState | undefined {
  const d = service.deployments?.find((x) => x.status === 'PRIMARY');
  if (!d) return undefined;
  return { rolloutState: d.rolloutState, failedTasks: d.failedTasks ?? 0, running: d.runningCount ?? 0, desired: d.desiredCount ?? 0 };
}

/** The discovery names the PRIMARY deployment serves (each service's discoveryName, else its portName), in order. */
export function discoveryNamesOf(service: Service): string[] {
  const sc = service.deployments?.find((x) => x.status === 'PRIMARY')?.serviceConnectConfiguration;
  if (!sc || sc.enabled === false) return [];
  return [...new Set((sc.services ?? []).map((s) => s.discoveryName || s.portName).filter((n): n is string => !!n))];
}

/** The target groups of the service's load balancers, each once. */
export function targetGroupArnsOf(service: Service): string[] {
  return [...new Set((service.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((a): a is string => !!a))];
}

/** The GetMetricData queries for a plan: per discovery name requests, 5xx and response time; per target group four. */
export function trafficQueries(plan: TrafficPlan): MetricQuery[] {
  const ecs = (id: string, metricName: string, dimensions: Record<string, string>, stat: Statistic): MetricQuery => ({
    id,
    namespace: 'AWS/ECS',
    metricName,
    dimensions,
    stat,
  });
  const queries = plan.discoveryNames.flatMap((name, i) => [
    ecs(`sc${i}_requests`, 'RequestCount', { ClusterName: plan.cluster, ServiceName: plan.service, DiscoveryName: name }, 'Sum'),
    ecs(`sc${i}_5xx`, 'HTTPCode_Target_5XX_Count', { TargetDiscoveryName: name }, 'Sum'),
    ecs(`sc${i}_ms`, 'TargetResponseTime', { TargetDiscoveryName: name }, 'Average'),
  ]);
  plan.targets.forEach((t, i) => {
    if (t.loadBalancer === undefined) return;
    const dimensions = { TargetGroup: t.targetGroup, LoadBalancer: t.loadBalancer };
    const alb = (suffix: string, metricName: string, stat: Statistic): MetricQuery => ({
      id: `tg${i}_${suffix}`,
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensions,
      stat,
    });
    queries.push(
      alb('requests', 'RequestCount', 'Sum'),
      alb('5xx', 'HTTPCode_Target_5XX_Count', 'Sum'),
      // The worst minute's count for healthy hosts, the worst for unhealthy ones: the load balancer's nodes differ.
      alb('healthy', 'HealthyHostCount', 'Minimum'),
      alb('unhealthy', 'UnHealthyHostCount', 'Maximum'),
    );
  });
  return queries;
}

export interface TrafficInput {
  plan: TrafficPlan;
  /** The window's end (epoch ms, from the caller's clock) and length. */
  window: { end: number; durationMs: number };
  max5xxRatio: number;
  series: readonly MetricSeries[];
  deployment: DeploymentState | undefined;
}

const percent = (ratio: number): string => `${(ratio * 100).toFixed(2)}%`;
// 5 of 500 is exactly 1%; floating point must not make it 1.0000000000000002%.
const withinRatio = (errors: number, requests: number, max: number): boolean => errors / requests <= max + 1e-12;

/** The 5xx check of one source: ok at or under the ratio; with no requests, ok only when there were no 5xx either. */
function ratioCheck(name: string, what: string, errors: number, requests: number, max: number): TrafficCheck {
  if (requests === 0) {
    return errors === 0
      ? { name, ok: true, detail: `${what}: no requests, so no 5xx ratio to judge` }
      : { name, ok: false, detail: `${what}: ${errors} 5xx responses but no requests counted`, value: errors };
  }
  const ratio = errors / requests;
  const ok = withinRatio(errors, requests, max);
  const verdict = ok ? `at most ${percent(max)} allowed` : `more than the ${percent(max)} allowed`;
  return { name, ok, detail: `${what}: ${errors} of ${requests} responses were 5xx (${percent(ratio)}), ${verdict}`, value: ratio };
}

/** Metric series, the deployment and the limits in; the checks, the totals and the verdict out. */
export function judgeTraffic(input: TrafficInput): TrafficVerdict {
  const { plan, max5xxRatio } = input;
  const byId = new Map(input.series.map((s) => [s.id, s.points]));
  const points = (id: string) => byId.get(id) ?? [];
  const sum = (id: string) => points(id).reduce((total, p) => total + p.value, 0);
  const latest = (id: string): number | null => {
    const ps = points(id);
    return ps.length ? ps.reduce((a, b) => (b.at > a.at ? b : a)).value : null;
  };
  const minutes = Math.ceil(input.window.durationMs / (PERIOD_SECONDS * 1000));
  const span = formatDuration(input.window.durationMs);
  const names = plan.discoveryNames.join(', ');

  const ids = plan.discoveryNames.map((_, i) => i);
  const requests = ids.reduce((t, i) => t + sum(`sc${i}_requests`), 0);
  const errors5xx = ids.reduce((t, i) => t + sum(`sc${i}_5xx`), 0);
  const withData = new Set(ids.flatMap((i) => points(`sc${i}_requests`).map((p) => p.at))).size;
  const times = ids.flatMap((i) => points(`sc${i}_ms`).map((p) => p.value));
  const responseTimeMs = times.length ? Math.round((times.reduce((a, b) => a + b, 0) / times.length) * 10) / 10 : undefined;

  const checks: TrafficCheck[] = [
    requests > 0
      ? {
          name: 'requests',
          ok: true,
          detail: `${requests} requests arrived at ${names} in the last ${span} (datapoints in ${withData} of ${minutes} minutes)`,
          value: requests,
        }
      : {
          name: 'requests',
          ok: false,
          detail:
            `no requests arrived at ${names} in the last ${span} (RequestCount of ClusterName=${plan.cluster}, ` +
            `ServiceName=${plan.service}); send traffic from a task in the namespace, or widen the window`,
          value: 0,
        },
    ratioCheck('5xx-ratio', `Service Connect ${names}`, errors5xx, requests, max5xxRatio),
  ];

  const d = input.deployment;
  if (!d) {
    checks.push({ name: 'rollout', ok: false, detail: 'the service shows no PRIMARY deployment' });
  } else {
    const state = d.rolloutState ?? 'state not reported';
    checks.push(
      {
        name: 'rollout',
        ok: d.rolloutState !== 'FAILED',
        detail: `PRIMARY deployment ${state}, ${d.running} of ${d.desired} tasks running`,
      },
      {
        name: 'failed-tasks',
        ok: d.failedTasks === 0,
        detail:
          d.failedTasks === 0 ? 'no failed tasks in the PRIMARY deployment' : `${d.failedTasks} failed tasks in the PRIMARY deployment`,
        value: d.failedTasks,
      },
    );
  }

  const targetGroups = plan.targets.map((t, i): TargetGroupTraffic => {
    const tgRequests = sum(`tg${i}_requests`);
    const tgErrors = sum(`tg${i}_5xx`);
    const healthy = latest(`tg${i}_healthy`);
    const unhealthy = latest(`tg${i}_unhealthy`);
    const tgName = targetGroupName(t.targetGroup);
    if (t.loadBalancer === undefined) {
      checks.push({
        name: `healthy-hosts:${tgName}`,
        ok: false,
        detail: `target group ${tgName}: no load balancer forwards to it, so it has no health metrics`,
      });
    } else {
      checks.push(
        healthy === null
          ? {
              name: `healthy-hosts:${tgName}`,
              ok: false,
              detail: `target group ${tgName}: no HealthyHostCount datapoint in the last ${span} (TargetGroup=${t.targetGroup}, LoadBalancer=${t.loadBalancer})`,
            }
          : {
              name: `healthy-hosts:${tgName}`,
              ok: healthy > 0,
              detail: `target group ${tgName}: ${healthy} healthy and ${unhealthy ?? 0} unhealthy hosts in the latest minute with data`,
              value: healthy,
            },
        ratioCheck(`alb-5xx-ratio:${tgName}`, `target group ${tgName}`, tgErrors, tgRequests, max5xxRatio),
      );
    }
    return {
      targetGroupArn: t.targetGroupArn,
      targetGroup: t.targetGroup,
      ...(t.loadBalancer === undefined ? {} : { loadBalancer: t.loadBalancer }),
      requests: tgRequests,
      errors5xx: tgErrors,
      ratio: tgRequests > 0 ? tgErrors / tgRequests : null,
      healthyHosts: healthy,
      unhealthyHosts: unhealthy,
    };
  });

  return {
    ok: checks.every((c) => c.ok),
    cluster: plan.cluster,
    service: plan.service,
    discoveryNames: [...plan.discoveryNames],
    window: {
      start: new Date(input.window.end - input.window.durationMs).toISOString(),
      end: new Date(input.window.end).toISOString(),
      durationMs: input.window.durationMs,
      periodSeconds: PERIOD_SECONDS,
    },
    checks,
    metrics: {
      requests,
      errors5xx,
      ratio: requests > 0 ? errors5xx / requests : null,
      ...(responseTimeMs === undefined ? {} : { responseTimeMs }),
    },
    deployment: d ?? null,
    targetGroups,
    note: TRAFFIC_NOTE,
  };
}
