import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from 'vitest';
import { interruptOnce, motoEnv, runCli } from '../support/cli.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { seedClusterWorld } from '../support/cluster-world.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { CLUSTER, REGION, sdkClients } from '../support/workshop.js';

// Blue/green at a Route 53 record: inventory (no load balancer, in Cloud Map namespace local) is fronted by
// a private zone's simple A record, seeded here on top of the cluster world.
const env = useMotoWorkshop();
const config = () => ({ endpoint: env.moto.url, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const route53 = () => new Route53Client(config());
const BLUE = 'inventory';
const GREEN = 'inventory-sc';
const RECORD = 'inventory.shop.internal';
const BLUE_IP = '10.0.1.10';
const GREEN_IP = '10.0.1.20';
let zoneId: string;

/** The records of inventory.shop.internal as `id:weight:value` (`simple:-:value` for a plain one), sorted. */
const records = async () => {
  const out = await route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return out
    .ResourceRecordSets!.filter((r) => r.Name!.replace(/\.$/, '') === RECORD)
    .map((r) => `${r.SetIdentifier ?? 'simple'}:${r.Weight ?? '-'}:${r.Type} ${(r.ResourceRecords ?? []).map((v) => v.Value).join(',')}`)
    .sort();
};
const serviceStatus = async (name: string) =>
  (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services?.[0]?.status ??
  'MISSING';

/** What the traffic check reads for green without a load balancer: its Service Connect requests and 5xx. */
async function greenMetrics(discoveryName: string, requests: number, errors5xx: number) {
  const dims = (d: Record<string, string>) => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
  const Timestamp = new Date();
  await new CloudWatchClient(config()).send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ECS',
      MetricData: [
        {
          MetricName: 'RequestCount',
          Dimensions: dims({ ClusterName: CLUSTER, ServiceName: GREEN, DiscoveryName: discoveryName }),
          Value: requests,
          Timestamp,
        },
        { MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: dims({ TargetDiscoveryName: discoveryName }), Value: errors5xx, Timestamp },
        { MetricName: 'TargetResponseTime', Dimensions: dims({ TargetDiscoveryName: discoveryName }), Value: 12, Timestamp },
      ],
    }),
  );
}

const route53Flag = (value?: string) => ['--route53', `${zoneId}:${RECORD}${value ? `=${value}` : ''}`];
const applyArgs = (stepWait = '1s') =>
  ['migrate', 'apply', '--service', BLUE, '--strategy', 'blue-green', '--shift', '10,50,100', '--step-wait', stepWait]
    .concat(['--window', '10m', '--interval', '1s', '--timeout', '30s'])
    .concat(route53Flag(GREEN_IP));
const apply = (...extra: string[]) => env.cli([...applyArgs(), ...extra]);
/** Green's discovery name as the plan has it (inventory-sc: Cloud Map's inventory is taken by blue's registration). */
const discoveryName = async () => {
  const plan = JSON.parse((await env.cli(['migrate', 'plan', '--service', BLUE, '--json'])).stdout);
  return plan.services[0].listeners[0].discoveryName as string;
};

beforeEach(async () => {
  await env.seeded('cluster', seedClusterWorld);
  const vpcId = (await sdkClients(env.moto.url).ec2.send(new DescribeSubnetsCommand({ SubnetIds: [env.ws.subnetId] }))).Subnets![0]!.VpcId!;
  const zone = await route53().send(
    new CreateHostedZoneCommand({
      Name: 'shop.internal',
      CallerReference: `shop-${Date.now()}`,
      VPC: { VPCId: vpcId, VPCRegion: REGION },
      HostedZoneConfig: { PrivateZone: true },
    }),
  );
  zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  await route53().send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: RECORD, Type: 'A', TTL: 60, ResourceRecords: [{ Value: BLUE_IP }] } }],
      },
    }),
  );
});

describe('migrate apply --strategy blue-green --route53: weighted records in front of a service without a load balancer', () => {
  it('refuses a malformed --route53 before any AWS call, and a value that does not fit the record after reading it', async () => {
    const bad = await env.cli([...applyArgs().slice(0, -2), '--route53', 'not-a-zone:inventory.shop.internal=10.0.1.20'], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--route53: "not-a-zone" is not a hosted zone id/);
    const cname = await env.cli([...applyArgs().slice(0, -2), ...route53Flag('green.shop.internal')]);
    expect(cname.code).toBe(2);
    expect(cname.stderr).toMatch(/the record is A, so green's value must be IPv4 addresses, not green.shop.internal/);
    const dry = await env.cli([...applyArgs().slice(0, -2), '--route53', `${zoneId}:nothing.shop.internal=10.0.1.20`, '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/the zone has no A, AAAA or CNAME record nothing.shop.internal/);
    const behindLb = await env.cli([
      'migrate',
      'apply',
      '--service',
      'crystal-service-lb',
      '--strategy',
      'blue-green',
      ...route53Flag(GREEN_IP),
      '--create-namespace',
      '--dry-run',
    ]);
    expect(behindLb.code).toBe(2);
    expect(behindLb.stderr).toMatch(/crystal-service-lb is behind a load balancer, so blue\/green shifts at its listeners/);
    expect(await records()).toEqual([`simple:-:A ${BLUE_IP}`]);
    expect(await serviceStatus(GREEN)).toBe('MISSING');
  });

  it('goes blue -> 10 -> 50 -> 100 with passing checks, status shows the weights, finish leaves a plain record with green', async () => {
    await greenMetrics(await discoveryName(), 200, 0);
    await env.withScheduler(async () => {
      const r = await apply('--json');
      expect(r.code, r.stderr).toBe(0);
      expectJsonMatchesSchema(['migrate', 'apply'], r.stdout);
      const result = JSON.parse(r.stdout).results[0];
      expect(result).toMatchObject({ service: BLUE, green: GREEN, status: 'green-only', weight: 100 });
      expect(result.checks.map((c: { weight: number; ok: boolean }) => `${c.weight}:${c.ok}`)).toEqual(['10:true', '50:true', '100:true']);
      expect(result.steps.map((s: { step: string }) => s.step)).toContain('record');
      expect(await records()).toEqual([`blue:0:A ${BLUE_IP}`, `green:100:A ${GREEN_IP}`]);

      const status = await env.cli(['migrate', 'status', '--service', BLUE, ...route53Flag(), '--json']);
      expect(status.code, status.stderr).toBe(0);
      expectJsonMatchesSchema(['migrate', 'status'], status.stdout);
      expect(JSON.parse(status.stdout).services[0]).toMatchObject({
        state: 'green-only',
        weight: 100,
        record: expect.stringContaining('green'),
      });

      // The same command again creates nothing: the records are weighted, green exists; no value needed any more.
      const again = await env.cli([...applyArgs().slice(0, -2), ...route53Flag(), '--json']);
      expect(again.code, again.stderr).toBe(0);
      const steps = JSON.parse(again.stdout).results[0].steps.map((s: { step: string; detail: string }) => `${s.step}: ${s.detail}`);
      expect(steps.join('\n')).not.toMatch(/created|weighted records|green 10%/);

      const finish = await env.cli(['migrate', 'finish', '--service', BLUE, ...route53Flag(), '--yes', '--json']);
      expect(finish.code, finish.stderr).toBe(0);
      expectJsonMatchesSchema(['migrate', 'finish'], finish.stdout);
      expect(JSON.parse(finish.stdout).done[0].actions.join('\n')).toMatch(/by one plain record with green's value \(A 10\.0\.1\.20\)/);
      expect(await records()).toEqual([`simple:-:A ${GREEN_IP}`]);
      expect(await serviceStatus(BLUE)).not.toBe('ACTIVE');
      expect(await serviceStatus(GREEN)).toBe('ACTIVE');
    });
  });

  it('a failing check shifts back to blue 100%, leaves green running, exits 1; abort restores the simple record and removes green', async () => {
    await greenMetrics(await discoveryName(), 100, 40);
    await env.withScheduler(async () => {
      const r = await apply();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the traffic check failed at green 10% \(.*\); traffic is back on blue, green inventory-sc is left running/);
      expect(r.stderr).toMatch(/meshctl migrate abort --service inventory/);
      expect(await records()).toEqual([`blue:100:A ${BLUE_IP}`, `green:0:A ${GREEN_IP}`]);
      expect(await serviceStatus(GREEN)).toBe('ACTIVE');

      const abort = await env.cli(['migrate', 'abort', '--service', BLUE, ...route53Flag(), '--yes', '--json']);
      expect(abort.code, abort.stderr).toBe(0);
      expectJsonMatchesSchema(['migrate', 'abort'], abort.stdout);
      expect(JSON.parse(abort.stdout).services[0].state).toBe('blue-only');
      expect(await records()).toEqual([`simple:-:A ${BLUE_IP}`]);
      expect(await serviceStatus(GREEN)).not.toBe('ACTIVE');
    });
  });

  it.each([
    ['after the records are made weighted', /record: weighted records/],
    ['during the shift', /shift: green 10%/],
  ])('SIGINT %s, then the same command finishes with one green service and one weighted pair', async (_when, marker) => {
    await greenMetrics(await discoveryName(), 200, 0);
    await env.withScheduler(async () => {
      const first = await runCli(applyArgs('2s'), { cwd: env.ws.dir, env: motoEnv(env.moto.url), onSpawn: interruptOnce(marker) });
      expect(first.code, first.stderr).toBe(130);
      const again = await apply('--json');
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).results[0]).toMatchObject({ status: 'green-only', weight: 100 });
      const services = (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [GREEN] })))
        .services!;
      expect(services.filter((s) => s.status === 'ACTIVE')).toHaveLength(1);
      expect(await records()).toEqual([`blue:0:A ${BLUE_IP}`, `green:100:A ${GREEN_IP}`]);
    });
  });
});
