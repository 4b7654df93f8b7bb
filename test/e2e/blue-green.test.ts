import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateServiceCommand, DescribeServicesCommand, ListServicesCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { ListNamespacesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from 'vitest';
import { pairMark, greenTargetGroupName } from '../../src/core/migrate/blue-green.js';
import { interruptOnce, motoEnv, runCli } from '../support/cli.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { seedClusterWorld } from '../support/cluster-world.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { CLUSTER, REGION, sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop();
const config = () => ({ endpoint: env.moto.url, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const elb = () => new ElasticLoadBalancingV2Client(config());
const BLUE = 'crystal-service-lb';
const GREEN = 'crystal-service-lb-sc';
const GREEN_TG = greenTargetGroupName(CLUSTER, GREEN);
let greenTg: string;
let lbArn: string;

/** The ALB's listener: its default action's target groups and weights. */
const weights = async () => {
  const [listener] = (await elb().send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners!;
  const action = listener!.DefaultActions![0]!;
  const groups = action.ForwardConfig?.TargetGroups ?? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
  return groups.map((g) => `${g.TargetGroupArn === greenTg ? 'green' : 'blue'}:${g.Weight ?? 1}`).join(',');
};
/** Green's revision, and the ACTIVE revisions of blue's family. */
const greenRevision = async () =>
  (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [GREEN] }))).services?.[0]
    ?.taskDefinition;
const FAMILY = 'appmesh-workshop-crystal-lb-vanilla';
const familyRevisions = async () =>
  (
    (await sdkClients(env.moto.url).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY, status: 'ACTIVE' })))
      .taskDefinitionArns ?? []
  )
    .filter((a) => a.split('/').pop()!.split(':')[0] === FAMILY)
    .sort();
const serviceStatus = async (name: string) =>
  (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services?.[0]?.status ??
  'MISSING';

/** What the traffic check reads: Service Connect requests and 5xx for green, and the green target group's health. */
async function greenMetrics(requests: number, errors5xx: number) {
  const cw = new CloudWatchClient(config());
  const now = new Date();
  const dims = (d: Record<string, string>) => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
  const tg = greenTg.split(':').pop()!;
  const lb = lbArn.split(':loadbalancer/').pop()!;
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ECS',
      MetricData: [
        {
          MetricName: 'RequestCount',
          Dimensions: dims({ ClusterName: CLUSTER, ServiceName: GREEN, DiscoveryName: 'crystal' }),
          Value: requests,
          Timestamp: now,
        },
        { MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: dims({ TargetDiscoveryName: 'crystal' }), Value: errors5xx, Timestamp: now },
        { MetricName: 'TargetResponseTime', Dimensions: dims({ TargetDiscoveryName: 'crystal' }), Value: 12, Timestamp: now },
      ],
    }),
  );
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ApplicationELB',
      MetricData: [
        { MetricName: 'RequestCount', Dimensions: dims({ TargetGroup: tg, LoadBalancer: lb }), Value: requests, Timestamp: now },
        {
          MetricName: 'HTTPCode_Target_5XX_Count',
          Dimensions: dims({ TargetGroup: tg, LoadBalancer: lb }),
          Value: errors5xx,
          Timestamp: now,
        },
        { MetricName: 'HealthyHostCount', Dimensions: dims({ TargetGroup: tg, LoadBalancer: lb }), Value: 2, Timestamp: now },
        { MetricName: 'UnHealthyHostCount', Dimensions: dims({ TargetGroup: tg, LoadBalancer: lb }), Value: 0, Timestamp: now },
      ],
    }),
  );
}

/** The blue/green apply of the workshop service, short steps; `stepWait` longer where a test interrupts it. */
const applyArgs = (stepWait = '1s') =>
  ['migrate', 'apply', '--service', BLUE, '--strategy', 'blue-green', '--create-namespace', '--shift', '50,100'].concat([
    '--step-wait',
    stepWait,
    '--window',
    '10m',
    '--interval',
    '1s',
    '--timeout',
    '30s',
  ]);
const apply = (...extra: string[]) => env.cli([...applyArgs(), ...extra]);

beforeEach(async () => {
  await env.seeded('cluster', seedClusterWorld);
  const [lb] = (await elb().send(new DescribeLoadBalancersCommand({ Names: ['IntLB-appmesh-workshop'] }))).LoadBalancers!;
  lbArn = lb!.LoadBalancerArn!;
  const [blueTg] = (await elb().send(new DescribeTargetGroupsCommand({ Names: ['crystal-tg'] }))).TargetGroups!;
  // Green's target group made ahead, with meshctl's mark (as a resumed run finds it), so that its metrics can be written first.
  const made = await elb().send(
    new CreateTargetGroupCommand({
      Name: GREEN_TG,
      Protocol: 'HTTP',
      Port: 3000,
      VpcId: blueTg!.VpcId,
      TargetType: 'ip',
      Tags: Object.entries(pairMark({ cluster: CLUSTER, blue: BLUE, green: GREEN })).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  greenTg = made.TargetGroups![0]!.TargetGroupArn!;
});

describe('migrate apply --strategy blue-green behind the workshop ALB', () => {
  it('creates green beside blue, shifts 50 then 100 with a passing check, and finish removes blue', { timeout: 90_000 }, async () => {
    await greenMetrics(200, 0);
    await env.withScheduler(async () => {
      const r = await apply('--json');
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.results).toEqual([expect.objectContaining({ service: BLUE, green: GREEN, status: 'green-only', weight: 100 })]);
      expect(out.results[0].checks.map((c: { weight: number; ok: boolean }) => `${c.weight}:${c.ok}`)).toEqual(['50:true', '100:true']);
      expect(await weights()).toBe('blue:0,green:100');
      expect(await serviceStatus(GREEN)).toBe('ACTIVE');
      expect(await serviceStatus(BLUE)).toBe('ACTIVE');

      const status = await env.cli(['migrate', 'status', '--service', BLUE, '--json']);
      expect(JSON.parse(status.stdout).services).toEqual([expect.objectContaining({ service: BLUE, state: 'green-only', weight: 100 })]);
      // --all-services finds the pair by green's mark.
      const all = await env.cli(['migrate', 'status', '--all-services', '--json']);
      expect(JSON.parse(all.stdout).services).toEqual([expect.objectContaining({ service: BLUE, green: GREEN, state: 'green-only' })]);

      // Running it again changes nothing: green exists, the weights are where they were.
      const again = await apply('--json');
      expect(again.code, again.stderr).toBe(0);
      const steps = JSON.parse(again.stdout).results[0].steps.map((s: { step: string; detail: string }) => `${s.step}: ${s.detail}`);
      expect(steps.join('\n')).not.toMatch(/created|weighted forward|green 50%/);

      const refused = await env.cli(['migrate', 'finish', '--service', BLUE]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /pass --yes to do it without a terminal:\n.*\n {2}- forward 1 listener\(s\) or rule\(s\) to green alone\n {2}- scale crystal-service-lb to 0 and delete it/,
      );
      const finish = await env.cli(['migrate', 'finish', '--service', BLUE, '--yes', '--json']);
      expect(finish.code, finish.stderr).toBe(0);
      expect(await weights()).toBe('green:1');
      expect(await serviceStatus(BLUE)).not.toBe('ACTIVE');
    });
  });

  it('a failing check shifts back to blue, leaves green running, exits 1; abort then removes green', { timeout: 90_000 }, async () => {
    await greenMetrics(100, 40);
    await env.withScheduler(async () => {
      const r = await apply();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /the traffic check failed at green 50% \(.*\); traffic is back on blue, green crystal-service-lb-sc is left running/,
      );
      expect(r.stderr).toMatch(/meshctl migrate abort --service crystal-service-lb/);
      expect(await weights()).toBe('blue:100,green:0');
      expect(await serviceStatus(GREEN)).toBe('ACTIVE');
      const revision = await greenRevision();
      const revisions = await familyRevisions();

      const abort = await env.cli(['migrate', 'abort', '--service', BLUE, '--yes', '--json']);
      expect(abort.code, abort.stderr).toBe(0);
      expect(JSON.parse(abort.stdout).services[0].state).toBe('blue-only');
      expect(await weights()).toBe('blue:1');
      expect(await serviceStatus(GREEN)).not.toBe('ACTIVE');
      const left = await elb()
        .send(new DescribeTargetGroupsCommand({}))
        .then((o) => o.TargetGroups!.map((g) => g.TargetGroupName));
      expect(left).not.toContain(GREEN_TG);

      const nothing = await env.cli(['migrate', 'abort', '--service', BLUE, '--yes']);
      expect(nothing.code).toBe(2);
      expect(nothing.stderr).toMatch(/there is no green service crystal-service-lb-sc; nothing to abort/);

      // Applying again after the abort reuses the envoy-free revision: the family's latest ACTIVE one is it.
      const again = await apply('--json');
      expect(again.code, again.stderr).toBe(1);
      expect(JSON.parse(again.stdout).results[0].steps).toContainEqual({
        step: 'revision',
        detail: `${revision} is already the migrated revision; registered nothing`,
      });
      expect(await greenRevision()).toBe(revision);
      expect(await familyRevisions()).toEqual(revisions);
    });
  });
});

describe('blue/green interrupted at each state change resumes without creating anything twice', () => {
  // Each run goes through a proxy. After the weighted forward, the next safe point comes once green's revision
  // is registered: that call is held there a while, so the interrupt lands before green is created however fast
  // moto answers.
  const slowRegistration = [{ kind: 'latency' as const, rate: 1, operations: ['RegisterTaskDefinition'], latencyMs: 1500 }];
  it.each([
    [
      'after the weighted forward',
      /edge: weighted forward/,
      /interrupted during wave 1 of crystal-service-lb, after "edge: weighted forward/,
      slowRegistration,
      0,
    ],
    [
      'after green is created',
      /green: created/,
      /interrupted during (wave 1 of crystal-service-lb, after "green: |the wait for green crystal-service-lb-sc to run)/,
      [],
      1,
    ],
    ['during the shift', /shift: green 50%/, /interrupted during the shift to 50%, in its 2s wait before the traffic check/, [], 1],
  ])(
    'SIGINT %s, then the same command finishes with one green service and one green target group',
    async (_when, marker, said, faults, greenCreated) => {
      await greenMetrics(200, 0);
      const proxy = await startFaultProxy(env.moto.url, faults);
      await env.withScheduler(async () => {
        const first = await runCli(applyArgs('2s'), {
          cwd: env.ws.dir,
          env: motoEnv(proxy.url),
          onSpawn: interruptOnce(marker),
        }).finally(() => proxy.close());
        expect(first.code, first.stderr).toBe(130);
        expect(first.stderr).toMatch(said);
        // The first run registered green's revision at most once, and created green only when interrupted after that.
        expect(proxy.seen.get('RegisterTaskDefinition') ?? 0).toBeLessThanOrEqual(1);
        expect(proxy.seen.get('CreateService') ?? 0).toBe(greenCreated);
        expect(first.stderr).not.toMatch(/between waves/);
        expect(first.stderr).toMatch(/meshctl migrate apply --service crystal-service-lb --strategy blue-green/);
        const again = await apply('--json');
        expect(again.code, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout).results[0]).toMatchObject({ status: 'green-only', weight: 100 });
        const services = (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [GREEN] })))
          .services!;
        expect(services.filter((s) => s.status === 'ACTIVE')).toHaveLength(1);
        const groups = (await elb().send(new DescribeTargetGroupsCommand({}))).TargetGroups!.map((g) => g.TargetGroupName);
        expect(groups.filter((n) => n === GREEN_TG)).toHaveLength(1);
        expect(await weights()).toBe('blue:0,green:100');
      });
    },
  );
});

/** What blue/green may change, as it stands: services, target groups, the listener, the family's revisions. */
async function world() {
  const ecs = sdkClients(env.moto.url).ecs;
  const arns = (await ecs.send(new ListServicesCommand({ cluster: CLUSTER }))).serviceArns ?? [];
  const services = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: arns }))).services ?? [];
  return {
    services: services.map((s) => `${s.serviceName}:${s.status}:${s.desiredCount}:${s.taskDefinition}`).sort(),
    targetGroups: ((await elb().send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map((g) => g.TargetGroupName).sort(),
    listener: await weights(),
    revisions: await familyRevisions(),
  };
}

describe('blue/green changes and deletes only what it created for the pair', () => {
  // One seeded world for the four commands (each refused before any request): a reseed per command cost more than the runs.
  it("apply, status, abort and finish with --green-name = blue's own name: exit 2 before any request, nothing changed", async () => {
    const before = await world();
    const runs = {
      apply: [...applyArgs(), '--green-name', BLUE],
      status: ['migrate', 'status', '--service', BLUE, '--green-name', BLUE],
      abort: ['migrate', 'abort', '--service', BLUE, '--green-name', BLUE, '--yes'],
      finish: ['migrate', 'finish', '--service', BLUE, '--green-name', BLUE, '--yes'],
    };
    const results = await Promise.all(Object.values(runs).map((args) => env.cli(args)));
    for (const [i, command] of Object.keys(runs).entries()) {
      const r = results[i]!;
      expect(r.code, `${command}: ${r.stderr}`).toBe(2);
      expect(r.stderr, command).toMatch(/--green-name: "crystal-service-lb" is the blue service itself/);
    }
    expect(await world()).toEqual(before);
    expect(await serviceStatus(BLUE)).toBe('ACTIVE');
  });

  it('an unrelated service as --green-name is never adopted: apply, status and abort refuse it (exit 1), it stays, the listener is unchanged', async () => {
    const ecs = sdkClients(env.moto.url).ecs;
    const [inventory] = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['inventory'] }))).services!;
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'other-svc',
        taskDefinition: inventory!.taskDefinition,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: inventory!.networkConfiguration,
      }),
    );
    const before = await world();
    const refused =
      /service other-svc exists but meshctl did not create it \(it has no meshctl:created-by=meshctl tag\); meshctl changes and deletes only what it created for this pair/;

    const applied = await env.cli([...applyArgs(), '--green-name', 'other-svc']);
    expect(applied.code, applied.stderr).toBe(1);
    expect(applied.stderr).toMatch(refused);
    expect(await world()).toEqual(before);

    const status = await env.cli(['migrate', 'status', '--service', BLUE, '--green-name', 'other-svc']);
    expect(status.code, status.stderr).toBe(1);
    expect(status.stderr).toMatch(refused);

    const aborted = await env.cli(['migrate', 'abort', '--service', BLUE, '--green-name', 'other-svc', '--yes']);
    expect(aborted.code, aborted.stderr).toBe(1);
    expect(aborted.stderr).toMatch(refused);
    const finished = await env.cli(['migrate', 'finish', '--service', BLUE, '--green-name', 'other-svc', '--yes']);
    expect(finished.code, finished.stderr).toBe(1);

    expect(await serviceStatus('other-svc')).toBe('ACTIVE');
    expect(await serviceStatus(BLUE)).toBe('ACTIVE');
    expect(await world()).toEqual(before);

    // --all-services finds pairs by meshctl's mark, not by name: an unmarked <blue>-sc is not a pair either.
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'inventory-sc',
        taskDefinition: inventory!.taskDefinition,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: inventory!.networkConfiguration,
      }),
    );
    const all = await env.cli(['migrate', 'abort', '--all-services', '--yes', '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).services).toEqual([]);
    expect(await serviceStatus('inventory-sc')).toBe('ACTIVE');
  });

  it("a target group of green's name that meshctl did not create for the pair is refused before anything changes", async () => {
    // The one beforeEach made, replaced by one of that name without the mark.
    await elb().send(new DeleteTargetGroupCommand({ TargetGroupArn: greenTg }));
    const [blueTg] = (await elb().send(new DescribeTargetGroupsCommand({ Names: ['crystal-tg'] }))).TargetGroups!;
    await elb().send(
      new CreateTargetGroupCommand({ Name: GREEN_TG, Protocol: 'HTTP', Port: 3000, VpcId: blueTg!.VpcId, TargetType: 'ip' }),
    );
    const before = await world();
    const r = await apply();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`target group ${GREEN_TG} exists but meshctl did not create it`));
    expect(await world()).toEqual(before);
  });
});

describe('two applies of one service at once', () => {
  const namespaces = async () =>
    ((await new ServiceDiscoveryClient(config()).send(new ListNamespacesCommand({}))).Namespaces ?? []).map((n) => n.Name).sort();
  // Each create waits on its way to moto for the other apply's (a barrier), so that both have read "absent"
  // before either lands: the race is run, not hoped for.
  const CREATES = ['CreateHttpNamespace', 'CreateTargetGroup', 'RegisterTaskDefinition', 'CreateService'];

  it.each([
    ['blue/green', applyArgs().map((a) => (a === '50,100' ? '100' : a)), CREATES],
    [
      'in place',
      ['migrate', 'apply', '--service', BLUE, '--create-namespace', '--interval', '1s', '--timeout', '30s'],
      ['CreateHttpNamespace', 'RegisterTaskDefinition'],
    ],
  ])('%s: one new revision, one namespace (and one green, one target group)', { timeout: 120_000 }, async (strategy, args, raced) => {
    // Green's target group is left to the applies to create (beforeEach made one).
    await elb().send(new DeleteTargetGroupCommand({ TargetGroupArn: greenTg }));
    const before = await world();
    const namespacesBefore = await namespaces();
    const proxy = await startFaultProxy(env.moto.url, [{ kind: 'barrier', rate: 1, operations: CREATES, latencyMs: 10_000 }]);
    try {
      await env.withScheduler(async () => {
        const run = () => runCli(args, { cwd: env.ws.dir, env: motoEnv(proxy.url) });
        const results = await Promise.all([run(), run()]);
        // Each ends as one apply alone would (blue/green's check finds no metrics here and shifts back: exit 1), never with an AWS error.
        for (const r of results) expect([0, 1], r.stderr).toContain(r.code);
      });
      for (const op of raced) expect(proxy.seen.get(op), op).toBe(2);
    } finally {
      await proxy.close();
    }
    const after = await world();
    expect(after.revisions.filter((r) => !before.revisions.includes(r))).toHaveLength(1);
    expect((await namespaces()).filter((n) => !namespacesBefore.includes(n))).toEqual(['appmeshworkshop.hosted.local']);
    if (strategy === 'blue/green') {
      expect(after.services.filter((s) => s.startsWith(`${GREEN}:`))).toHaveLength(1);
      expect(after.services.filter((s) => s.startsWith(`${GREEN}:ACTIVE`))).toHaveLength(1);
      expect(after.targetGroups.filter((n) => n === GREEN_TG)).toHaveLength(1);
      expect(after.targetGroups).toHaveLength(before.targetGroups.length + 1);
    } else expect(after.targetGroups).toEqual(before.targetGroups);
  });
});
