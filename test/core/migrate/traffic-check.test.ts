import type { Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import {
  albDimension,
  deploymentStateOf,
  discoveryNamesOf,
  judgeTraffic,
  parseRatio,
  targetGroupArnsOf,
  targetGroupDimension,
  trafficQueries,
  type DeploymentState,
  type MetricSeries,
  type TrafficInput,
  type TrafficPlan,
} from '../../../src/core/migrate/traffic-check.js';

const TG = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/crystal-tg/0123456789abcdef';
const ALB = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/IntLB-appmesh-workshop/50dc6c495c0c9188';
const NLB = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/crystal-nlb/50dc6c495c0c9188';

const END = Date.UTC(2026, 9, 1, 12, 0, 0);
const MINUTE = 60_000;
/** Points at the given minutes before the window's end. */
const at = (...pairs: [minutesAgo: number, value: number][]) => pairs.map(([ago, value]) => ({ at: END - ago * MINUTE, value }));
const series = (id: string, points: MetricSeries['points']): MetricSeries => ({ id, points });

const PLAN: TrafficPlan = { cluster: 'appmesh-workshop', service: 'crystal-service-lb', discoveryNames: ['crystal'], targets: [] };
const PLAN_ALB: TrafficPlan = {
  ...PLAN,
  targets: [
    {
      targetGroupArn: TG,
      targetGroup: 'targetgroup/crystal-tg/0123456789abcdef',
      loadBalancer: 'app/IntLB-appmesh-workshop/50dc6c495c0c9188',
    },
  ],
};
const HEALTHY: DeploymentState = { rolloutState: 'COMPLETED', failedTasks: 0, running: 3, desired: 3 };

const judge = (over: Partial<TrafficInput> & { series: MetricSeries[] }) =>
  judgeTraffic({ plan: PLAN, window: { end: END, durationMs: 10 * MINUTE }, max5xxRatio: 0.01, deployment: HEALTHY, ...over });
const traffic = (requests: number, errors: number): MetricSeries[] => [
  series('sc0_requests', at([3, requests / 2], [2, requests / 2])),
  series('sc0_5xx', errors ? at([2, errors]) : []),
];
const check = (v: ReturnType<typeof judgeTraffic>, name: string) => v.checks.find((c) => c.name === name);

describe('target group and load balancer dimensions from ARNs', () => {
  it.each([
    [TG, 'targetgroup/crystal-tg/0123456789abcdef'],
    ['arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:targetgroup/a-b/73e2d6bc24d8a067', 'targetgroup/a-b/73e2d6bc24d8a067'],
    ['arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/x/73e2d6bc24d8a067', undefined],
    ['targetgroup/crystal-tg/0123456789abcdef', undefined],
    ['arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/crystal-tg', undefined],
  ])('TargetGroup of %s is %s', (arn, dimension) => {
    expect(targetGroupDimension(arn)).toBe(dimension);
  });

  it.each([
    [ALB, 'app/IntLB-appmesh-workshop/50dc6c495c0c9188'],
    ['arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/my-lb/1234567890123456', 'app/my-lb/1234567890123456'],
    [NLB, undefined],
    ['arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/gwy/g/1234567890123456', undefined],
    [TG, undefined],
    ['app/my-lb/1234567890123456', undefined],
  ])('LoadBalancer of %s is %s (Application Load Balancers only)', (arn, dimension) => {
    expect(albDimension(arn)).toBe(dimension);
  });
});

describe('parseRatio', () => {
  it.each([
    ['1%', 0.01],
    ['0.01', 0.01],
    ['0.5%', 0.005],
    [' 2 % ', 0.02],
    ['.05', 0.05],
    ['0', 0],
    ['1', 1],
    ['100%', 1],
  ])('%j is %s', (text, ratio) => {
    expect(parseRatio(text)).toBeCloseTo(ratio, 12);
  });

  it.each(['5', '101%', '-1', '-1%', '1e-2', 'abc', '', '%', '1%%', '0x1'])('%j is not a ratio', (text) => {
    expect(parseRatio(text)).toBeUndefined();
  });
});

describe('what a described service says', () => {
  const service: Service = {
    serviceName: 'crystal-service-lb',
    loadBalancers: [{ targetGroupArn: TG }, { targetGroupArn: TG }, { loadBalancerName: 'classic' }],
    deployments: [
      {
        status: 'ACTIVE',
        rolloutState: 'FAILED',
        serviceConnectConfiguration: { enabled: true, services: [{ portName: 'old', discoveryName: 'old' }] },
      },
      {
        status: 'PRIMARY',
        rolloutState: 'IN_PROGRESS',
        failedTasks: 1,
        runningCount: 2,
        desiredCount: 3,
        serviceConnectConfiguration: {
          enabled: true,
          services: [
            { portName: 'crystal', discoveryName: 'crystal' },
            { portName: 'metrics' },
            { portName: 'crystal', discoveryName: 'crystal' },
          ],
        },
      },
    ],
  };

  it("the PRIMARY deployment's discovery names: discoveryName, else portName, each once", () => {
    expect(discoveryNamesOf(service)).toEqual(['crystal', 'metrics']);
  });

  it('no discovery names without a configuration, with it disabled, or for a client-only one', () => {
    expect(discoveryNamesOf({ deployments: [{ status: 'PRIMARY' }] })).toEqual([]);
    expect(
      discoveryNamesOf({
        deployments: [{ status: 'PRIMARY', serviceConnectConfiguration: { enabled: false, services: [{ portName: 'a' }] } }],
      }),
    ).toEqual([]);
    expect(discoveryNamesOf({ deployments: [{ status: 'PRIMARY', serviceConnectConfiguration: { enabled: true } }] })).toEqual([]);
  });

  it('the PRIMARY deployment state, and none without a PRIMARY deployment', () => {
    expect(deploymentStateOf(service)).toEqual({ rolloutState: 'IN_PROGRESS', failedTasks: 1, running: 2, desired: 3 });
    expect(deploymentStateOf({ deployments: [{ status: 'ACTIVE' }] })).toBeUndefined();
  });

  it('the target groups of its load balancers, each once', () => {
    expect(targetGroupArnsOf(service)).toEqual([TG]);
    expect(targetGroupArnsOf({})).toEqual([]);
  });
});

describe('trafficQueries', () => {
  it('reads requests on the server side, 5xx and response time on the callers side, and four series per target group', () => {
    expect(trafficQueries(PLAN_ALB)).toEqual([
      {
        id: 'sc0_requests',
        namespace: 'AWS/ECS',
        metricName: 'RequestCount',
        dimensions: { ClusterName: 'appmesh-workshop', ServiceName: 'crystal-service-lb', DiscoveryName: 'crystal' },
        stat: 'Sum',
      },
      {
        id: 'sc0_5xx',
        namespace: 'AWS/ECS',
        metricName: 'HTTPCode_Target_5XX_Count',
        dimensions: { TargetDiscoveryName: 'crystal' },
        stat: 'Sum',
      },
      {
        id: 'sc0_ms',
        namespace: 'AWS/ECS',
        metricName: 'TargetResponseTime',
        dimensions: { TargetDiscoveryName: 'crystal' },
        stat: 'Average',
      },
      ...(
        [
          ['tg0_requests', 'RequestCount', 'Sum'],
          ['tg0_5xx', 'HTTPCode_Target_5XX_Count', 'Sum'],
          ['tg0_healthy', 'HealthyHostCount', 'Minimum'],
          ['tg0_unhealthy', 'UnHealthyHostCount', 'Maximum'],
        ] as const
      ).map(([id, metricName, stat]) => ({
        id,
        namespace: 'AWS/ApplicationELB',
        metricName,
        dimensions: { TargetGroup: 'targetgroup/crystal-tg/0123456789abcdef', LoadBalancer: 'app/IntLB-appmesh-workshop/50dc6c495c0c9188' },
        stat,
      })),
    ]);
  });

  it('numbers the queries of several discovery names; a target group that no load balancer forwards to has none', () => {
    const ids = trafficQueries({
      ...PLAN,
      discoveryNames: ['crystal', 'crystal-admin'],
      targets: [{ targetGroupArn: TG, targetGroup: 'targetgroup/crystal-tg/0123456789abcdef' }],
    }).map((q) => q.id);
    expect(ids).toEqual(['sc0_requests', 'sc0_5xx', 'sc0_ms', 'sc1_requests', 'sc1_5xx', 'sc1_ms']);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
  });
});

describe('judgeTraffic', () => {
  it('passes with requests, a 5xx share under the limit and a healthy deployment', () => {
    const v = judge({ series: [...traffic(1000, 5), series('sc0_ms', at([3, 10], [2, 20]))] });
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => `${c.name}:${c.ok}`)).toEqual(['requests:true', '5xx-ratio:true', 'rollout:true', 'failed-tasks:true']);
    expect(check(v, 'requests')!.detail).toBe('1000 requests arrived at crystal in the last 10m00s (datapoints in 2 of 10 minutes)');
    expect(check(v, '5xx-ratio')!.detail).toBe('Service Connect crystal: 5 of 1000 responses were 5xx (0.50%), at most 1.00% allowed');
    expect(v.metrics).toEqual({ requests: 1000, errors5xx: 5, ratio: 0.005, responseTimeMs: 15 });
    expect(v.window).toEqual({
      start: '2026-10-01T11:50:00.000Z',
      end: '2026-10-01T12:00:00.000Z',
      durationMs: 600_000,
      periodSeconds: 60,
    });
    expect(v.deployment).toEqual(HEALTHY);
    expect(v.note).toMatch(/not that any particular response was right.*none from outside the namespace/);
  });

  it('fails when no requests arrived, saying so with the series it read', () => {
    const v = judge({ series: [series('sc0_requests', []), series('sc0_5xx', [])] });
    expect(v.ok).toBe(false);
    expect(check(v, 'requests')).toEqual({
      name: 'requests',
      ok: false,
      value: 0,
      detail:
        'no requests arrived at crystal in the last 10m00s (RequestCount of ClusterName=appmesh-workshop, ServiceName=crystal-service-lb); ' +
        'send traffic from a task in the namespace, or widen the window',
    });
    expect(check(v, '5xx-ratio')).toMatchObject({ ok: true, detail: 'Service Connect crystal: no requests, so no 5xx ratio to judge' });
    expect(v.metrics).toEqual({ requests: 0, errors5xx: 0, ratio: null });
  });

  it.each([
    [1000, 10],
    [500, 5],
    [300, 3],
    [700, 7],
  ])('passes exactly at the ratio: %i requests, %i 5xx at 1%%', (requests, errors) => {
    const v = judge({ series: traffic(requests, errors) });
    expect(check(v, '5xx-ratio')!.ok).toBe(true);
    expect(v.ok).toBe(true);
  });

  it('passes exactly at a percentage that floating point cannot hold: 7 of 1000 at 0.7%', () => {
    const max = parseRatio('0.7%')!;
    expect(max).toBeLessThan(0.007); // 0.7 / 100 is 0.006999999999999999
    expect(judge({ series: traffic(1000, 7), max5xxRatio: max }).ok).toBe(true);
    expect(judge({ series: traffic(1000, 8), max5xxRatio: max }).ok).toBe(false);
  });

  it('fails above the ratio, with the numbers', () => {
    const v = judge({ series: traffic(1000, 11) });
    expect(v.ok).toBe(false);
    expect(check(v, '5xx-ratio')).toEqual({
      name: '5xx-ratio',
      ok: false,
      value: 0.011,
      detail: 'Service Connect crystal: 11 of 1000 responses were 5xx (1.10%), more than the 1.00% allowed',
    });
  });

  it('a ratio of 0 allows no 5xx at all', () => {
    expect(judge({ series: traffic(1000, 1), max5xxRatio: 0 }).ok).toBe(false);
    expect(judge({ series: traffic(1000, 0), max5xxRatio: 0 }).ok).toBe(true);
  });

  it('fails on 5xx responses when no request was counted', () => {
    const v = judge({ series: [series('sc0_requests', []), series('sc0_5xx', at([1, 4]))] });
    expect(check(v, '5xx-ratio')).toEqual({
      name: '5xx-ratio',
      ok: false,
      value: 4,
      detail: 'Service Connect crystal: 4 5xx responses but no requests counted',
    });
  });

  it('fails on a FAILED rollout', () => {
    const v = judge({ series: traffic(1000, 0), deployment: { ...HEALTHY, rolloutState: 'FAILED', running: 1 } });
    expect(v.ok).toBe(false);
    expect(check(v, 'rollout')).toEqual({ name: 'rollout', ok: false, detail: 'PRIMARY deployment FAILED, 1 of 3 tasks running' });
  });

  it('an IN_PROGRESS rollout or one that reports no state passes: only FAILED fails', () => {
    expect(judge({ series: traffic(10, 0), deployment: { ...HEALTHY, rolloutState: 'IN_PROGRESS', running: 0 } }).ok).toBe(true);
    const v = judge({ series: traffic(10, 0), deployment: { failedTasks: 0, running: 3, desired: 3 } });
    expect(check(v, 'rollout')).toMatchObject({ ok: true, detail: 'PRIMARY deployment state not reported, 3 of 3 tasks running' });
  });

  it('fails on failed tasks', () => {
    const v = judge({ series: traffic(1000, 0), deployment: { ...HEALTHY, failedTasks: 2 } });
    expect(v.ok).toBe(false);
    expect(check(v, 'failed-tasks')).toEqual({
      name: 'failed-tasks',
      ok: false,
      value: 2,
      detail: '2 failed tasks in the PRIMARY deployment',
    });
  });

  it('fails without a PRIMARY deployment', () => {
    const v = judge({ series: traffic(1000, 0), deployment: undefined });
    expect(check(v, 'rollout')).toEqual({ name: 'rollout', ok: false, detail: 'the service shows no PRIMARY deployment' });
    expect(v.deployment).toBeNull();
    expect(v.ok).toBe(false);
  });

  it('counts a window with missing datapoints: quiet minutes add nothing, a missing series is zero', () => {
    const v = judge({ series: [series('sc0_requests', at([9, 40], [5, 30], [1, 30]))] });
    expect(v.ok).toBe(true);
    expect(check(v, 'requests')!.detail).toBe('100 requests arrived at crystal in the last 10m00s (datapoints in 3 of 10 minutes)');
    expect(v.metrics).toEqual({ requests: 100, errors5xx: 0, ratio: 0 });
    expect(v.metrics).not.toHaveProperty('responseTimeMs');
  });

  it('adds up several discovery names', () => {
    const v = judge({
      plan: { ...PLAN, discoveryNames: ['crystal', 'crystal-admin'] },
      series: [series('sc0_requests', at([1, 600])), series('sc1_requests', at([1, 400])), series('sc1_5xx', at([1, 20]))],
    });
    expect(v.metrics).toMatchObject({ requests: 1000, errors5xx: 20, ratio: 0.02 });
    expect(check(v, '5xx-ratio')!.detail).toMatch(/^Service Connect crystal, crystal-admin: 20 of 1000 responses were 5xx \(2\.00%\)/);
    expect(v.ok).toBe(false);
  });

  describe('behind an Application Load Balancer', () => {
    const alb = (healthy: MetricSeries['points'], extra: MetricSeries[] = []) =>
      judge({
        plan: PLAN_ALB,
        series: [
          ...traffic(1000, 0),
          series('tg0_requests', at([2, 500])),
          series('tg0_5xx', []),
          series('tg0_healthy', healthy),
          series('tg0_unhealthy', at([1, 1])),
          ...extra,
        ],
      });

    it('passes with healthy hosts in the latest minute with data', () => {
      const v = alb(at([3, 0], [2, 2]));
      expect(v.ok).toBe(true);
      expect(check(v, 'healthy-hosts:crystal-tg')).toEqual({
        name: 'healthy-hosts:crystal-tg',
        ok: true,
        value: 2,
        detail: 'target group crystal-tg: 2 healthy and 1 unhealthy hosts in the latest minute with data',
      });
      expect(check(v, 'alb-5xx-ratio:crystal-tg')!.ok).toBe(true);
      expect(v.targetGroups).toEqual([
        {
          targetGroupArn: TG,
          targetGroup: 'targetgroup/crystal-tg/0123456789abcdef',
          loadBalancer: 'app/IntLB-appmesh-workshop/50dc6c495c0c9188',
          requests: 500,
          errors5xx: 0,
          ratio: 0,
          healthyHosts: 2,
          unhealthyHosts: 1,
        },
      ]);
    });

    it('fails with 0 healthy hosts', () => {
      const v = alb(at([3, 2], [1, 0]));
      expect(v.ok).toBe(false);
      expect(check(v, 'healthy-hosts:crystal-tg')).toMatchObject({
        ok: false,
        value: 0,
        detail: 'target group crystal-tg: 0 healthy and 1 unhealthy hosts in the latest minute with data',
      });
    });

    it('fails without any HealthyHostCount datapoint', () => {
      const v = alb([]);
      expect(check(v, 'healthy-hosts:crystal-tg')).toEqual({
        name: 'healthy-hosts:crystal-tg',
        ok: false,
        detail:
          'target group crystal-tg: no HealthyHostCount datapoint in the last 10m00s ' +
          '(TargetGroup=targetgroup/crystal-tg/0123456789abcdef, LoadBalancer=app/IntLB-appmesh-workshop/50dc6c495c0c9188)',
      });
      expect(v.targetGroups[0]).toMatchObject({ healthyHosts: null });
    });

    it("fails on the target group's own 5xx share", () => {
      const v = judge({
        plan: PLAN_ALB,
        series: [
          ...traffic(1000, 0),
          series('tg0_requests', at([2, 100])),
          series('tg0_5xx', at([2, 3])),
          series('tg0_healthy', at([1, 3])),
        ],
      });
      expect(check(v, 'alb-5xx-ratio:crystal-tg')).toMatchObject({
        ok: false,
        detail: 'target group crystal-tg: 3 of 100 responses were 5xx (3.00%), more than the 1.00% allowed',
      });
      expect(v.ok).toBe(false);
    });

    it('fails for a target group that no load balancer forwards to', () => {
      const v = judge({
        plan: { ...PLAN, targets: [{ targetGroupArn: TG, targetGroup: 'targetgroup/crystal-tg/0123456789abcdef' }] },
        series: traffic(10, 0),
      });
      expect(check(v, 'healthy-hosts:crystal-tg')).toEqual({
        name: 'healthy-hosts:crystal-tg',
        ok: false,
        detail: 'target group crystal-tg: no load balancer forwards to it, so it has no health metrics',
      });
      expect(v.targetGroups[0]).not.toHaveProperty('loadBalancer');
    });
  });
});
