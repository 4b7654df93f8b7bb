import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { seedClusterWorld } from '../support/cluster-world.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { CLUSTER, REGION, SERVICE } from '../support/workshop.js';

// verify --service-connect as a user runs it, against moto: the test plays the Service Connect proxies
// and the load balancer by writing their datapoints with PutMetricData (moto keeps them and answers
// GetMetricData on real time, so the points lie within the last minutes). moto does not echo a
// serviceConnectConfiguration, so every run names --discovery-name; the names taken from the deployment,
// NextToken pages and FAILED rollouts run against mocked AWS in test/aws/cloudwatch.test.ts.

const env = useMotoWorkshop();
const { cli } = env;
const clientConfig = () => ({
  endpoint: env.moto.url,
  region: REGION,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
const ARGS = ['verify', '--service-connect', '--service', SERVICE, '--discovery-name', 'crystal', '--window', '10m', '--json'];

const SERVER = [
  { Name: 'ClusterName', Value: CLUSTER },
  { Name: 'ServiceName', Value: SERVICE },
  { Name: 'DiscoveryName', Value: 'crystal' },
];
const CALLERS = [{ Name: 'TargetDiscoveryName', Value: 'crystal' }];

/** A datapoint `minutesAgo` minutes back (plus `seconds`), as CloudWatch would hold one. */
const point = (MetricName: string, Dimensions: MetricDatum['Dimensions'], minutesAgo: number, Value: number, seconds = 0): MetricDatum => ({
  MetricName,
  Dimensions,
  Timestamp: new Date(Date.now() - minutesAgo * 60_000 - seconds * 1000),
  Value,
  Unit: MetricName.endsWith('Time') ? 'Milliseconds' : 'Count',
});

async function putMetrics(Namespace: string, data: MetricDatum[]): Promise<void> {
  await new CloudWatchClient(clientConfig()).send(new PutMetricDataCommand({ Namespace, MetricData: data }));
}

/** What the Service Connect proxies of crystal would publish: requests on the server side, 5xx on the callers side. */
async function actAsServiceConnectProxies(requestsPerMinute: number[], errors5xx: number): Promise<void> {
  await putMetrics('AWS/ECS', [
    ...requestsPerMinute.map((n, i) => point('RequestCount', SERVER, i + 1, n)),
    ...(errors5xx ? [point('HTTPCode_Target_5XX_Count', CALLERS, 1, errors5xx)] : []),
  ]);
}

interface Verdict {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; value?: number }[];
  metrics: { requests: number; errors5xx: number; ratio: number | null; responseTimeMs?: number };
  deployment: { rolloutState?: string; failedTasks: number; running: number; desired: number } | null;
  targetGroups: { targetGroup: string; loadBalancer?: string; healthyHosts: number | null }[];
}

describe('meshctl verify --service-connect against moto', () => {
  it('passes on requests with a 5xx share under 1%, with the JSON shape', async () => {
    await actAsServiceConnectProxies([400, 300, 300], 2);
    const r = await cli(ARGS);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Verdict & Record<string, unknown>;
    expect(Object.keys(out)).toEqual([
      'ok',
      'cluster',
      'service',
      'discoveryNames',
      'window',
      'checks',
      'metrics',
      'deployment',
      'targetGroups',
      'note',
    ]);
    expect(out).toMatchObject({ ok: true, cluster: CLUSTER, service: SERVICE, discoveryNames: ['crystal'], targetGroups: [] });
    expect(out.metrics).toEqual({ requests: 1000, errors5xx: 2, ratio: 0.002 });
    // moto's deployment: desiredCount 3, runningCount from MOTO_ECS_SERVICE_RUNNING (0), so IN_PROGRESS; not FAILED.
    expect(out.deployment).toEqual({ rolloutState: 'IN_PROGRESS', failedTasks: 0, running: 0, desired: 3 });
    expect(out.checks.map((c) => `${c.name}:${c.ok}`)).toEqual(['requests:true', '5xx-ratio:true', 'rollout:true', 'failed-tasks:true']);
    expect(out.checks[0]!.detail).toBe('1000 requests arrived at crystal in the last 10m00s (datapoints in 3 of 10 minutes)');
    expect(out.note).toMatch(/^metrics prove that traffic arrived and how much of it failed, not that any particular response was right/);
    expect(r.stderr).toBe('');
  });

  it('fails (exit 1) at 5% 5xx, naming the ratio', async () => {
    await actAsServiceConnectProxies([500, 500], 50);
    const r = await cli(ARGS);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Verdict;
    expect(out.ok).toBe(false);
    expect(out.metrics).toEqual({ requests: 1000, errors5xx: 50, ratio: 0.05 });
    expect(r.stderr).toMatch(
      /error: verify --service-connect: 5xx-ratio: Service Connect crystal: 50 of 1000 responses were 5xx \(5\.00%\), more than the 1\.00% allowed\n/,
    );
  });

  it('fails (exit 1) saying no requests arrived when the window holds no data', async () => {
    const r = await cli(ARGS.filter((a) => a !== '--json'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✖ requests: no requests arrived at crystal in the last 10m00s/m);
    expect(r.stdout).toMatch(/\nFAILED: requests \(1 of 4 checks\)\n/);
    expect(r.stderr).toMatch(
      /error: verify --service-connect: requests: no requests arrived at crystal in the last 10m00s \(RequestCount of /,
    );
  });

  it('--max-5xx-ratio 5% lets the same 5% pass', async () => {
    await actAsServiceConnectProxies([1000], 50);
    const r = await cli([...ARGS, '--max-5xx-ratio', '5%']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('reads only its own dimension sets: another service, and 5xx on the server dimensions (never published), do not count', async () => {
    await actAsServiceConnectProxies([100], 0);
    await putMetrics('AWS/ECS', [
      point('RequestCount', [...SERVER.slice(0, 1), { Name: 'ServiceName', Value: 'other' }, SERVER[2]!], 1, 5000),
      point('HTTPCode_Target_5XX_Count', SERVER, 1, 90),
      point('HTTPCode_Target_5XX_Count', [{ Name: 'TargetDiscoveryName', Value: 'other' }], 1, 90),
    ]);
    const r = await cli(ARGS);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Verdict).metrics).toEqual({ requests: 100, errors5xx: 0, ratio: 0 });
  });

  it('adds the datapoints of a minute up (Sum) and averages response times (Average)', async () => {
    await putMetrics('AWS/ECS', [
      point('RequestCount', SERVER, 2, 100, 5),
      point('RequestCount', SERVER, 2, 300, 20),
      point('TargetResponseTime', CALLERS, 2, 10, 5),
      point('TargetResponseTime', CALLERS, 2, 30, 20),
    ]);
    const r = await cli(ARGS);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Verdict).metrics).toEqual({ requests: 400, errors5xx: 0, ratio: 0, responseTimeMs: 20 });
  });

  it('behind the ALB: fails with 0 healthy hosts in the target group, passes once there are some', async () => {
    await env.seeded('cluster', seedClusterWorld);
    const elb = new ElasticLoadBalancingV2Client(clientConfig());
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['crystal-tg'] }))).TargetGroups![0]!;
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['IntLB-appmesh-workshop'] }))).LoadBalancers![0]!;
    const tgDimension = tg.TargetGroupArn!.split(':').pop()!;
    const lbDimension = lb.LoadBalancerArn!.split(':loadbalancer/').pop()!;
    const ALB = [
      { Name: 'TargetGroup', Value: tgDimension },
      { Name: 'LoadBalancer', Value: lbDimension },
    ];
    await actAsServiceConnectProxies([200], 0);
    await putMetrics('AWS/ApplicationELB', [
      point('RequestCount', ALB, 1, 80),
      // two minutes and more apart from the healthy point written below, so that the two never share
      // a one-minute bucket (whose Minimum would be 0 again) whatever second the test starts at.
      point('HealthyHostCount', ALB, 3, 2),
      point('HealthyHostCount', ALB, 2, 0),
      point('UnHealthyHostCount', ALB, 2, 2),
    ]);
    const sick = await cli(ARGS);
    expect(sick.code).toBe(1);
    const out = JSON.parse(sick.stdout) as Verdict;
    expect(out.targetGroups).toMatchObject([{ targetGroup: tgDimension, loadBalancer: lbDimension, healthyHosts: 0 }]);
    expect(sick.stderr).toMatch(
      /error: verify --service-connect: healthy-hosts:crystal-tg: target group crystal-tg: 0 healthy and 2 unhealthy hosts in the latest minute with data\n/,
    );

    await putMetrics('AWS/ApplicationELB', [point('HealthyHostCount', ALB, 0, 2, 5)]);
    const well = await cli(ARGS);
    expect(well.code, well.stderr).toBe(0);
    expect((JSON.parse(well.stdout) as Verdict).checks.map((c) => c.name)).toEqual([
      'requests',
      '5xx-ratio',
      'rollout',
      'failed-tasks',
      'healthy-hosts:crystal-tg',
      'alb-5xx-ratio:crystal-tg',
    ]);
  });

  it('verify --help shows the Service Connect flags and an example', async () => {
    const r = await cli(['verify', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--service-connect', '--discovery-name <name>', '--window <duration>', '--max-5xx-ratio <ratio>'])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('meshctl verify --service-connect --service crystal-service-lb --discovery-name crystal --window 10m');
  });
});
