import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEcsSchedulerStandIn, FAILED_TASK_REASON, nextSleepMs, type IdleReason } from '../../src/sandbox/scheduler.js';

const ecsMock = mockClient(ECSClient);
const net = { subnetId: 'subnet-1', securityGroupId: 'sg-1' };
const REV = (n: number) => `arn:aws:ecs:us-west-2:123456789012:task-definition/crystal:${n}`;

/** A one-service ECS in memory: the service's revision, and tasks RunTask and StopTask change. */
function fakeEcs(revision: string) {
  const world = {
    revision,
    desiredCount: 2,
    status: 'ACTIVE',
    listed: true,
    tasks: [] as Task[],
    mostRunning: new Map<string, number>(),
  };
  let next = 0;
  const run = (taskDefinitionArn: string) =>
    world.tasks.push({ taskArn: `t${++next}`, taskDefinitionArn, lastStatus: 'RUNNING', group: 'service:crystal' });
  run(revision);
  run(revision);
  ecsMock.on(ListServicesCommand).callsFake(async () => ({ serviceArns: world.listed ? ['arn:svc/crystal'] : [] }));
  ecsMock.on(DescribeServicesCommand).callsFake(async () => ({
    services: [{ serviceName: 'crystal', taskDefinition: world.revision, desiredCount: world.desiredCount, status: world.status }],
  }));
  ecsMock.on(RunTaskCommand).callsFake(async (input) => {
    const started = Array.from({ length: input.count }, () => world.tasks[run(input.taskDefinition) - 1]!);
    const now = world.tasks.filter((t) => t.taskDefinitionArn === input.taskDefinition && t.lastStatus === 'RUNNING').length;
    world.mostRunning.set(input.taskDefinition, Math.max(now, world.mostRunning.get(input.taskDefinition) ?? 0));
    return { tasks: started };
  });
  ecsMock
    .on(ListTasksCommand)
    .callsFake(async () => ({ taskArns: world.tasks.filter((t) => t.lastStatus !== 'STOPPED').map((t) => t.taskArn!) }));
  ecsMock.on(DescribeTasksCommand).callsFake(async (input) => ({ tasks: world.tasks.filter((t) => input.tasks.includes(t.taskArn)) }));
  ecsMock.on(StopTaskCommand).callsFake(async (input) => {
    const t = world.tasks.find((x) => x.taskArn === input.task)!;
    Object.assign(t, { lastStatus: 'STOPPED', stoppedReason: input.reason });
    return { task: t };
  });
  const running = () => world.tasks.filter((t) => t.lastStatus === 'RUNNING').map((t) => t.taskDefinitionArn!.split(':').pop());
  return { world, running };
}

const standIn = (options: Parameters<typeof createEcsSchedulerStandIn>[2] = {}) =>
  createEcsSchedulerStandIn('http://127.0.0.1:5000', net, { cluster: 'c', ...options });

beforeEach(() => {
  ecsMock.reset();
});

describe('the ECS scheduler stand-in', () => {
  it('says whether a pass acted: not while nothing moves, yes when it deploys, and while a delayed deployment is due', async () => {
    const ecs = fakeEcs(REV(1));
    const s = standIn({ taskDelayMs: 1000 });
    expect(await s.tick(0)).toBe(false);
    expect(await s.tick(250)).toBe(false);
    ecs.world.revision = REV(2);
    expect(await s.tick(500)).toBe(true);
    expect(s.nextDueAt()).toBe(1500);
    expect(await s.tick(1000)).toBe(true);
    expect(await s.tick(1500)).toBe(true);
    expect(s.nextDueAt()).toBeUndefined();
    expect(await s.tick(1750)).toBe(false);
  });

  it.each([
    [250, true, undefined, 250],
    [250, false, undefined, 500],
    [500, false, undefined, 1000],
    [1000, false, undefined, 1000],
    [1000, true, undefined, 250],
    [1000, false, 300, 300],
    [1000, false, -50, 0],
  ])('after a %i ms sleep, acted %s, a deployment due in %s ms: sleeps %i ms (base 250, at most 1000)', (last, acted, due, sleep) => {
    expect(nextSleepMs(last, acted, 250, 1000, due)).toBe(sleep);
  });

  it('never backs off past the base when no longer sleep is allowed (the tests pass one interval)', () => {
    expect(nextSleepMs(500, false, 500, 500)).toBe(500);
  });

  it('learns what runs on its first pass and plays a deployment on the next: new tasks up, old ones stopped', async () => {
    const ecs = fakeEcs(REV(1));
    const s = standIn();
    await s.tick(0);
    expect(ecsMock).not.toHaveReceivedCommand(RunTaskCommand);
    ecs.world.revision = REV(2);
    await s.tick(250);
    expect(ecs.running()).toEqual(['2', '2']);
    expect(ecsMock).toHaveReceivedCommandWith(RunTaskCommand, { cluster: 'c', taskDefinition: REV(2), count: 2, group: 'service:crystal' });
    await s.tick(500);
    expect(ecsMock).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });

  it('--task-delay: starts the new tasks only once the delay has passed', async () => {
    const ecs = fakeEcs(REV(1));
    const s = standIn({ taskDelayMs: 5000 });
    await s.tick(0);
    ecs.world.revision = REV(2);
    await s.tick(1000);
    await s.tick(5999);
    expect(ecs.running()).toEqual(['1', '1']);
    await s.tick(6000);
    expect(ecs.running()).toEqual(['2', '2']);
  });

  it('--fail-new-tasks: new tasks stop with the reason ECS gives, old ones keep running; a rollback to a revision that ran works', async () => {
    const ecs = fakeEcs(REV(1));
    const deployed: string[] = [];
    const s = standIn({
      failNewTasks: true,
      onDeploy: (service, td, failed) => deployed.push(`${service} ${td.split(':').pop()} ${failed}`),
    });
    await s.tick(0);
    ecs.world.revision = REV(2);
    await s.tick(250);
    expect(ecs.running()).toEqual(['1', '1']);
    expect(ecs.world.tasks.filter((t) => t.taskDefinitionArn === REV(2)).map((t) => t.stoppedReason)).toEqual([
      FAILED_TASK_REASON,
      FAILED_TASK_REASON,
    ]);
    // One at a time: a wait never sees the desired count of new tasks RUNNING.
    expect(ecs.world.mostRunning.get(REV(2))).toBe(1);
    ecs.world.revision = REV(1);
    await s.tick(500);
    expect(deployed).toEqual(['crystal 2 true', 'crystal 1 false']);
    expect(ecs.world.tasks.filter((t) => t.lastStatus === 'STOPPED' && t.stoppedReason !== FAILED_TASK_REASON)).toEqual([]);
  });

  it.each([
    ['scaled to 0', (w: ReturnType<typeof fakeEcs>['world']) => (w.desiredCount = 0), 'scaled to 0'],
    [
      'deleted (moto: listed INACTIVE)',
      (w: ReturnType<typeof fakeEcs>['world']) => ((w.desiredCount = 0), (w.status = 'INACTIVE')),
      'deleted',
    ],
    ['deleted (ECS: no longer listed)', (w: ReturnType<typeof fakeEcs>['world']) => (w.listed = false), 'deleted'],
  ])('a service %s: its running tasks are stopped, once, with the reason ECS gives', async (_what, change, why) => {
    const ecs = fakeEcs(REV(1));
    const stops: string[] = [];
    const s = standIn({ onStop: (service, n, reason: IdleReason) => stops.push(`${service} ${n} ${reason}`) });
    await s.tick(0);
    change(ecs.world);
    await s.tick(250);
    expect(ecs.running()).toEqual([]);
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, {
      cluster: 'c',
      reason: expect.stringMatching(/^Scaling activity initiated by/),
    });
    expect(stops).toEqual([`crystal 2 ${why}`]);
    await s.tick(500);
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 2);
    expect(ecsMock).not.toHaveReceivedCommand(RunTaskCommand);
  });

  it('a deployment still waiting for --task-delay is dropped when the service is scaled to 0; scaled up again, it gets its tasks', async () => {
    const ecs = fakeEcs(REV(1));
    const s = standIn({ taskDelayMs: 1000 });
    await s.tick(0);
    ecs.world.revision = REV(2);
    await s.tick(100);
    ecs.world.desiredCount = 0;
    await s.tick(200);
    await s.tick(5000);
    expect(ecs.running()).toEqual([]);
    expect(ecsMock).not.toHaveReceivedCommand(RunTaskCommand);
    ecs.world.desiredCount = 2;
    await s.tick(6000);
    await s.tick(7000);
    expect(ecs.running()).toEqual(['2', '2']);
  });
});
