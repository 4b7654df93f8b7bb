import { DescribeServicesCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { beforeEach, describe, expect, it } from 'vitest';

import { seedClusterWorld } from '../support/cluster-world.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { CLUSTER, sdkClients } from '../support/workshop.js';

// A cluster whose payments service also runs as a scheduled job: an EventBridge rule and an EventBridge
// Scheduler schedule start its envoy revision. Beside them, rules that must be left alone: one on products'
// envoy revision (not migrated in this run) and one on a task definition that never had envoy.

const env = useMotoWorkshop();
const cli = (args: string[]) => env.cli(args);
const config = (url: string) => ({ endpoint: url, region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const ROLE = 'arn:aws:iam::123456789012:role/run-task';

let clusterArn: string;
const revisionOf = async (service: string) =>
  (await sdkClients(env.moto.url).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services![0]!;

function ecsTarget(id: string, taskDefinitionArn: string): Target {
  return {
    Id: id,
    Arn: clusterArn,
    RoleArn: ROLE,
    Input: '{"containerOverrides":[]}',
    EcsParameters: {
      TaskDefinitionArn: taskDefinitionArn,
      TaskCount: 1,
      LaunchType: 'FARGATE',
      NetworkConfiguration: { awsvpcConfiguration: { Subnets: [env.ws.subnetId], SecurityGroups: [env.ws.securityGroupId] } },
    },
  };
}

async function seedScheduled(): Promise<{ payments: string; products: string; plain: string }> {
  const eb = new EventBridgeClient(config(env.moto.url));
  const scheduler = new SchedulerClient(config(env.moto.url));
  const payments = await revisionOf('payments');
  clusterArn = payments.clusterArn!;
  const products = (await revisionOf('products')).taskDefinition!;
  const plain = (
    await sdkClients(env.moto.url).ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'reporting',
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        requiresCompatibilities: ['FARGATE'],
        containerDefinitions: [{ name: 'report', image: 'example/report:1', essential: true }],
      }),
    )
  ).taskDefinition!.taskDefinitionArn!;
  for (const [rule, arn] of [
    ['nightly-settle', payments.taskDefinition!],
    ['products-sync', products],
    ['daily-report', plain],
  ] as const) {
    await eb.send(new PutRuleCommand({ Name: rule, ScheduleExpression: 'rate(1 day)' }));
    await eb.send(new PutTargetsCommand({ Rule: rule, Targets: [ecsTarget('job', arn)] }));
  }
  await scheduler.send(
    new CreateScheduleCommand({
      Name: 'hourly-settle',
      ScheduleExpression: 'rate(1 hour)',
      Description: 'settle every hour',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: clusterArn, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: payments.taskDefinition!, TaskCount: 1 } },
    }),
  );
  return { payments: payments.taskDefinition!, products, plain };
}

const ruleTarget = async (rule: string) =>
  (await new EventBridgeClient(config(env.moto.url)).send(new ListTargetsByRuleCommand({ Rule: rule }))).Targets![0]!;
const scheduleOf = async (name: string) => new SchedulerClient(config(env.moto.url)).send(new GetScheduleCommand({ Name: name }));

beforeEach(async () => {
  await env.seeded('cluster', seedClusterWorld);
});

describe('scheduled tasks that start an envoy revision', () => {
  it('migrate plan lists the rule and the schedule of the migrating family, with the fix; others are not named', async () => {
    const seeded = await seedScheduled();
    const args = ['migrate', 'plan', '--service', 'payments', '--json'];
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(0);
    const out = expectJsonMatchesSchema(args, r.stdout) as unknown as {
      services: { service: string; standaloneTasks: Record<string, unknown>[] }[];
    };
    const payments = out.services.find((s) => s.service === 'payments')!;
    expect(payments.standaloneTasks).toEqual([
      {
        kind: 'rule',
        name: 'nightly-settle',
        group: 'default',
        targetId: 'job',
        cluster: clusterArn,
        taskDefinitionArn: seeded.payments,
        calls: [],
      },
      { kind: 'schedule', name: 'hourly-settle', group: 'default', cluster: clusterArn, taskDefinitionArn: seeded.payments, calls: [] },
    ]);
    const text = await cli(['migrate', 'plan', '--service', 'payments']);
    expect(text.stdout).toMatch(
      /! payments: rule nightly-settle \(event bus default, target job\) starts .*a revision with envoy.*A standalone task cannot be a Service Connect client/,
    );
    expect(text.stdout).toMatch(/! payments: schedule hourly-settle \(group default\) starts/);
    expect(text.stdout).not.toMatch(/products-sync|daily-report/);
  });

  it('migrate apply without a terminal needs --yes (exit 2) and changes nothing', async () => {
    const seeded = await seedScheduled();
    const r = await cli(['migrate', 'apply', '--service', 'payments', '--no-wait']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes to do it without a terminal/);
    expect(r.stderr).toMatch(/rule nightly-settle .* → the envoy-free revision of payments apply registers/);
    expect((await revisionOf('payments')).taskDefinition).toBe(seeded.payments);
    expect((await ruleTarget('nightly-settle')).EcsParameters?.TaskDefinitionArn).toBe(seeded.payments);
  });

  it('migrate apply --yes moves the rule and the schedule to the new revision, every other field kept; the rest untouched', async () => {
    const seeded = await seedScheduled();
    const before = await ruleTarget('nightly-settle');
    const args = ['migrate', 'apply', '--service', 'payments', '--yes', '--interval', '1s', '--timeout', '30s', '--json'];
    const r = await env.withScheduler(() => cli(args));
    expect(r.code, r.stderr).toBe(0);
    expectJsonMatchesSchema(args, r.stdout);
    const now = (await revisionOf('payments')).taskDefinition!;
    expect(now).not.toBe(seeded.payments);
    const out = JSON.parse(r.stdout) as { standaloneMoves: { name: string; status: string; to: string }[] };
    expect(out.standaloneMoves.map((m) => [m.name, m.status, m.to])).toEqual([
      ['nightly-settle', 'moved', now],
      ['hourly-settle', 'moved', now],
    ]);
    expect(await ruleTarget('nightly-settle')).toEqual({ ...before, EcsParameters: { ...before.EcsParameters, TaskDefinitionArn: now } });
    const schedule = await scheduleOf('hourly-settle');
    expect(schedule.Target?.EcsParameters?.TaskDefinitionArn).toBe(now);
    expect([schedule.ScheduleExpression, schedule.Description, schedule.Target?.RoleArn]).toEqual([
      'rate(1 hour)',
      'settle every hour',
      ROLE,
    ]);
    expect((await ruleTarget('products-sync')).EcsParameters?.TaskDefinitionArn).toBe(seeded.products);
    expect((await ruleTarget('daily-report')).EcsParameters?.TaskDefinitionArn).toBe(seeded.plain);

    // Planned again: nothing left to move.
    const again = await cli(['migrate', 'plan', '--service', 'payments', '--json']);
    expect(JSON.parse(again.stdout).services[0].standaloneTasks).toEqual([]);
  });
});
