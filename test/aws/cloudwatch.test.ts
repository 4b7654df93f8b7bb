import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCloudWatchApi, METRIC_DATA_QUERIES_MAX } from '../../src/aws/cloudwatch.js';
import type { MetricQuery } from '../../src/core/migrate/traffic-check.js';
import { AwsCallError } from '../../src/errors.js';
import { runInProcess } from '../support/fake-deps.js';

const config = { region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
const cw = mockClient(CloudWatchClient);
const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);

beforeEach(() => {
  cw.reset();
  ecs.reset();
  elb.reset();
});

const named = (name: string, status = 400) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const T0 = Date.UTC(2026, 9, 1, 12, 0, 0);
const RANGE = { start: T0 - 600_000, end: T0, periodSeconds: 60 };
const REQUESTS: MetricQuery = {
  id: 'sc0_requests',
  namespace: 'AWS/ECS',
  metricName: 'RequestCount',
  dimensions: { ClusterName: 'appmesh-workshop', ServiceName: 'crystal-service-lb', DiscoveryName: 'crystal' },
  stat: 'Sum',
};
const ERRORS: MetricQuery = {
  id: 'sc0_5xx',
  namespace: 'AWS/ECS',
  metricName: 'HTTPCode_Target_5XX_Count',
  dimensions: { TargetDiscoveryName: 'crystal' },
  stat: 'Sum',
};
const minute = (n: number) => new Date(T0 - n * 60_000);

describe('CloudWatchApi.getMetricData', () => {
  it('sends every query in one GetMetricData: namespace, metric, dimensions, period, statistic, start and end', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'sc0_requests', StatusCode: 'Complete', Timestamps: [minute(2), minute(1)], Values: [40, 60] },
        { Id: 'sc0_5xx', StatusCode: 'Complete', Timestamps: [], Values: [] },
      ],
    });
    const out = await createCloudWatchApi(new CloudWatchClient(config)).getMetricData([REQUESTS, ERRORS], RANGE);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(T0 - 600_000),
      EndTime: new Date(T0),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        {
          Id: 'sc0_requests',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ECS',
              MetricName: 'RequestCount',
              Dimensions: [
                { Name: 'ClusterName', Value: 'appmesh-workshop' },
                { Name: 'ServiceName', Value: 'crystal-service-lb' },
                { Name: 'DiscoveryName', Value: 'crystal' },
              ],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
        {
          Id: 'sc0_5xx',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ECS',
              MetricName: 'HTTPCode_Target_5XX_Count',
              Dimensions: [{ Name: 'TargetDiscoveryName', Value: 'crystal' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    });
    expect(out).toEqual([
      {
        id: 'sc0_requests',
        points: [
          { at: T0 - 120_000, value: 40 },
          { at: T0 - 60_000, value: 60 },
        ],
      },
      { id: 'sc0_5xx', points: [] },
    ]);
  });

  it('follows NextToken and joins the pages of each series, oldest point first', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: 'sc0_requests', StatusCode: 'PartialData', Timestamps: [minute(1)], Values: [7] }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'sc0_requests', StatusCode: 'Complete', Timestamps: [minute(3)], Values: [5] },
          { Id: 'sc0_5xx', StatusCode: 'Complete', Timestamps: [minute(3)], Values: [1] },
        ],
      });
    const out = await createCloudWatchApi(new CloudWatchClient(config)).getMetricData([REQUESTS, ERRORS], RANGE);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cw).toHaveReceivedNthSpecificCommandWith(2, GetMetricDataCommand, { NextToken: 'page-2' });
    expect(out).toEqual([
      {
        id: 'sc0_requests',
        points: [
          { at: T0 - 180_000, value: 5 },
          { at: T0 - 60_000, value: 7 },
        ],
      },
      { id: 'sc0_5xx', points: [{ at: T0 - 180_000, value: 1 }] },
    ]);
  });

  it('asks at most 500 queries a request', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const many = Array.from({ length: METRIC_DATA_QUERIES_MAX + 1 }, (_, i) => ({ ...REQUESTS, id: `q${i}` }));
    const out = await createCloudWatchApi(new CloudWatchClient(config)).getMetricData(many, RANGE);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length)).toEqual([500, 1]);
    expect(out).toHaveLength(501);
  });

  it('a series answered Forbidden is an AWS refusal, not a quiet series', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'sc0_requests', StatusCode: 'Forbidden', Messages: [{ Code: 'Forbidden', Value: 'no access' }] }],
    });
    const err = await createCloudWatchApi(new CloudWatchClient(config))
      .getMetricData([REQUESTS], RANGE)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as AwsCallError).exitCode).toBe(3);
    expect((err as AwsCallError).message).toBe('GetMetricData: series sc0_requests answered Forbidden: no access');
  });

  it('translates SDK errors', async () => {
    cw.on(GetMetricDataCommand).rejects(named('AccessDeniedException'));
    await expect(createCloudWatchApi(new CloudWatchClient(config)).getMetricData([REQUESTS], RANGE)).rejects.toThrow(
      /^GetMetricData failed: AccessDeniedException \(HTTP 400\).*lack permission/,
    );
  });
});

// What moto cannot show: a serviceConnectConfiguration in DescribeServices, a FAILED rollout or failed
// tasks without restarting moto with other settings, and NextToken pages. These run the command in-process.
describe('verify --service-connect with mocked AWS', () => {
  const TG = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/crystal-tg/0123456789abcdef';
  const ALB = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/IntLB-appmesh-workshop/50dc6c495c0c9188';
  const NOW = 1_700_000_000_000; // fakeClock's
  const base = ['verify', '--service-connect', '--cluster', 'appmesh-workshop'];
  const service = (over: Partial<Deployment> = {}): Service => ({
    serviceName: 'crystal-service-lb',
    clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/appmesh-workshop',
    status: 'ACTIVE',
    loadBalancers: [{ targetGroupArn: TG, containerName: 'crystal', containerPort: 3000 }],
    deployments: [
      {
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        failedTasks: 0,
        runningCount: 3,
        desiredCount: 3,
        serviceConnectConfiguration: {
          enabled: true,
          namespace: 'local',
          services: [{ portName: 'crystal-http', discoveryName: 'crystal' }],
        },
        ...over,
      },
    ],
  });
  const results = (healthy: number) => ({
    MetricDataResults: [
      { Id: 'sc0_requests', Timestamps: [new Date(NOW - 120_000)], Values: [1000] },
      { Id: 'sc0_5xx', Timestamps: [new Date(NOW - 120_000)], Values: [2] },
      { Id: 'sc0_ms', Timestamps: [new Date(NOW - 120_000)], Values: [12.5] },
      { Id: 'tg0_requests', Timestamps: [new Date(NOW - 120_000)], Values: [300] },
      { Id: 'tg0_5xx', Timestamps: [], Values: [] },
      { Id: 'tg0_healthy', Timestamps: [new Date(NOW - 120_000)], Values: [healthy] },
      { Id: 'tg0_unhealthy', Timestamps: [new Date(NOW - 120_000)], Values: [0] },
    ],
  });

  beforeEach(() => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] });
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG, LoadBalancerArns: [ALB] }] });
  });

  it("reads the deployment's discovery names and the target group behind the ALB, and passes", async () => {
    cw.on(GetMetricDataCommand).resolves(results(3));
    const r = await runInProcess([...base, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      ok: true,
      cluster: 'appmesh-workshop',
      service: 'crystal-service-lb',
      discoveryNames: ['crystal'],
      window: { start: new Date(NOW - 300_000).toISOString(), end: new Date(NOW).toISOString(), durationMs: 300_000, periodSeconds: 60 },
      metrics: { requests: 1000, errors5xx: 2, ratio: 0.002, responseTimeMs: 12.5 },
      deployment: { rolloutState: 'COMPLETED', failedTasks: 0, running: 3, desired: 3 },
      targetGroups: [{ targetGroupArn: TG, healthyHosts: 3, requests: 300, errors5xx: 0 }],
    });
    expect(out.checks.map((c: { name: string }) => c.name)).toEqual([
      'requests',
      '5xx-ratio',
      'rollout',
      'failed-tasks',
      'healthy-hosts:crystal-tg',
      'alb-5xx-ratio:crystal-tg',
    ]);
    expect(elb).toHaveReceivedCommandWith(DescribeTargetGroupsCommand, { TargetGroupArns: [TG] });
    const input = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date(NOW - 300_000));
    expect(input.EndTime).toEqual(new Date(NOW));
    expect(input.MetricDataQueries!.find((q) => q.Id === 'tg0_healthy')!.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HealthyHostCount',
        Dimensions: [
          { Name: 'TargetGroup', Value: 'targetgroup/crystal-tg/0123456789abcdef' },
          { Name: 'LoadBalancer', Value: 'app/IntLB-appmesh-workshop/50dc6c495c0c9188' },
        ],
      },
      Period: 60,
      Stat: 'Minimum',
    });
  });

  it('prints one line per check, a verdict line and the note', async () => {
    cw.on(GetMetricDataCommand).resolves(results(3));
    const r = await runInProcess(base);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        'Service Connect traffic to crystal (crystal-service-lb in appmesh-workshop), 2023-11-14T22:08:20.000Z to 2023-11-14T22:13:20.000Z (5m00s):',
        '✔ requests: 1000 requests arrived at crystal in the last 5m00s (datapoints in 1 of 5 minutes)',
        '✔ 5xx-ratio: Service Connect crystal: 2 of 1000 responses were 5xx (0.20%), at most 1.00% allowed',
        '✔ rollout: PRIMARY deployment COMPLETED, 3 of 3 tasks running',
        '✔ failed-tasks: no failed tasks in the PRIMARY deployment',
        '✔ healthy-hosts:crystal-tg: target group crystal-tg: 3 healthy and 0 unhealthy hosts in the latest minute with data',
        '✔ alb-5xx-ratio:crystal-tg: target group crystal-tg: 0 of 300 responses were 5xx (0.00%), at most 1.00% allowed',
        'ok: all 6 checks passed',
        'note: metrics prove that traffic arrived and how much of it failed, not that any particular response was right; ' +
          'meshctl sent no request, and none from outside the namespace (Service Connect names resolve only inside it)',
        '',
      ].join('\n'),
    );
  });

  it('fails (exit 1) with 0 healthy hosts behind the ALB', async () => {
    cw.on(GetMetricDataCommand).resolves(results(0));
    const r = await runInProcess(base);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ healthy-hosts:crystal-tg: target group crystal-tg: 0 healthy and 0 unhealthy hosts/);
    expect(r.stderr).toMatch(/error: verify --service-connect: healthy-hosts:crystal-tg: target group crystal-tg: 0 healthy/);
  });

  it.each<[Partial<Deployment>, RegExp]>([
    [{ rolloutState: 'FAILED' }, /error: verify --service-connect: rollout: PRIMARY deployment FAILED, 3 of 3 tasks running\n/],
    [{ failedTasks: 2 }, /error: verify --service-connect: failed-tasks: 2 failed tasks in the PRIMARY deployment\n/],
  ])('fails (exit 1) on a deployment %j', async (over, message) => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service(over)] });
    cw.on(GetMetricDataCommand).resolves(results(3));
    const r = await runInProcess(base);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('--discovery-name replaces the configured names; a client-only configuration without it is a usage error', async () => {
    cw.on(GetMetricDataCommand).resolves(results(3));
    const named = await runInProcess([...base, '--discovery-name', 'crystal-admin', '--json']);
    expect(JSON.parse(named.stdout).discoveryNames).toEqual(['crystal-admin']);

    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [service({ serviceConnectConfiguration: { enabled: true, namespace: 'local' } })] });
    const r = await runInProcess(base);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shows no Service Connect services in its PRIMARY deployment .*; pass --discovery-name/);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
  });

  it.each([
    [['--window', '30s'], /--window: "30s" is shorter than 1m/],
    [['--window', '16d'], /--window: "16d" is longer than 15 days/],
    [['--window', '400h'], /--window: "400h" is longer than 15 days/],
    [['--max-5xx-ratio', '5'], /--max-5xx-ratio: "5" is not a ratio from 0 to 1 or a percentage \(0\.01 or 1%\)/],
    [['--max-5xx-ratio', '-1%'], /--max-5xx-ratio: "-1%" is not a ratio/],
    [['--discovery-name', 'Crystal'], /--discovery-name: discoveryName "Crystal" has characters ECS rejects/],
    [['--host', 'crystal', '--timeout', '1m'], /--host, --timeout: only for the SSM check; --service-connect reads CloudWatch metrics/],
  ])('refuses %j before any AWS call (exit 2)', async (flags, message) => {
    const r = await runInProcess([...base, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
  });

  it('refuses the Service Connect flags without --service-connect (exit 2)', async () => {
    const r = await runInProcess(['verify', '--asg', 'ruby', '--window', '5m', '--discovery-name', 'crystal']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--discovery-name, --window: only with --service-connect/);
  });
});
