import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListContainerInstancesCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEventBridgeApi } from '../../src/aws/eventbridge.js';
import { createSchedulerApi, type Schedule } from '../../src/aws/scheduler.js';
import { retargetRuleTarget, updateScheduleInput } from '../../src/core/migrate/retarget.js';
import type { ClusterPlan } from '../../src/core/migrate/types.js';
import { AwsCallError } from '../../src/errors.js';
import { gatherBreakers, moveStandaloneTasks } from '../../src/steps/standalone-tasks.js';
import { revision, tdArn } from '../core/migrate/fixtures.js';
import { mockedContext } from '../support/fake-deps.js';

const config = { region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
const eb = mockClient(EventBridgeClient);
const sched = mockClient(SchedulerClient);
const ecs = mockClient(ECSClient);

beforeEach(() => {
  eb.reset();
  sched.reset();
  ecs.reset();
});

const named = (name: string, status = 400) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const CLUSTER = 'arn:aws:ecs:us-west-2:123456789012:cluster/shop';
const OLD = tdArn('payments', 6);
const NEW = tdArn('payments', 8);

/** A rule's ECS target with every field EventBridge keeps for it. */
const target: Target = {
  Id: 'settle',
  Arn: CLUSTER,
  RoleArn: 'arn:aws:iam::123456789012:role/events-run-task',
  Input: '{"containerOverrides":[]}',
  RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
  DeadLetterConfig: { Arn: 'arn:aws:sqs:us-west-2:123456789012:dlq' },
  EcsParameters: {
    TaskDefinitionArn: OLD,
    TaskCount: 2,
    LaunchType: 'FARGATE',
    PlatformVersion: 'LATEST',
    Group: 'jobs',
    NetworkConfiguration: { awsvpcConfiguration: { Subnets: ['subnet-1'], SecurityGroups: ['sg-1'], AssignPublicIp: 'DISABLED' } },
    Tags: [{ Key: 'team', Value: 'pay' }],
    PropagateTags: 'TASK_DEFINITION',
    EnableECSManagedTags: true,
  },
};

/** A schedule as GetSchedule answers it. */
const schedule: Schedule = {
  Arn: 'arn:aws:scheduler:us-west-2:123456789012:schedule/jobs/hourly',
  Name: 'hourly',
  GroupName: 'jobs',
  ScheduleExpression: 'rate(1 hour)',
  ScheduleExpressionTimezone: 'Europe/Paris',
  StartDate: new Date('2026-01-01T00:00:00Z'),
  EndDate: new Date('2027-01-01T00:00:00Z'),
  Description: 'settle every hour',
  State: 'ENABLED',
  KmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k',
  FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
  ActionAfterCompletion: 'NONE',
  CreationDate: new Date('2026-01-01T00:00:00Z'),
  LastModificationDate: new Date('2026-02-01T00:00:00Z'),
  Target: {
    Arn: CLUSTER,
    RoleArn: 'arn:aws:iam::123456789012:role/scheduler-run-task',
    RetryPolicy: { MaximumRetryAttempts: 1 },
    EcsParameters: { TaskDefinitionArn: OLD, TaskCount: 1, LaunchType: 'FARGATE', ReferenceId: 'ref-1' },
  },
};

describe('EventBridge', () => {
  const api = () => createEventBridgeApi(new EventBridgeClient(config));

  it('follows NextToken through event buses, rules and targets', async () => {
    eb.on(ListEventBusesCommand)
      .resolvesOnce({ EventBuses: [{ Name: 'default' }], NextToken: 'b2' })
      .resolvesOnce({ EventBuses: [{ Name: 'orders' }] });
    eb.on(ListRulesCommand, { EventBusName: 'default' })
      .resolvesOnce({ Rules: [{ Name: 'a' }], NextToken: 'r2' })
      .resolvesOnce({ Rules: [{ Name: 'b' }] });
    eb.on(ListTargetsByRuleCommand)
      .resolvesOnce({ Targets: [target], NextToken: 't2' })
      .resolvesOnce({ Targets: [{ Id: 'x', Arn: 'arn:aws:sqs:q' }] });
    expect(await api().listEventBuses()).toEqual(['default', 'orders']);
    expect(await api().listRules('default')).toEqual(['a', 'b']);
    expect((await api().listTargetsByRule('a', 'default')).map((t) => t.Id)).toEqual(['settle', 'x']);
    expect(eb).toHaveReceivedCommandWith(ListRulesCommand, { EventBusName: 'default', NextToken: 'r2' });
    expect(eb).toHaveReceivedCommandWith(ListTargetsByRuleCommand, { Rule: 'a', EventBusName: 'default', NextToken: 't2' });
  });

  it('PutTargets sends the same target, only its TaskDefinitionArn changed', async () => {
    eb.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
    await api().putTarget('nightly', 'default', retargetRuleTarget(target, NEW));
    const sent = eb.commandCalls(PutTargetsCommand)[0]!.args[0].input;
    expect(sent).toEqual({
      Rule: 'nightly',
      EventBusName: 'default',
      Targets: [{ ...target, EcsParameters: { ...target.EcsParameters, TaskDefinitionArn: NEW } }],
    });
    // The original is not changed in place.
    expect(target.EcsParameters?.TaskDefinitionArn).toBe(OLD);
  });

  it('a refused entry (200 with FailedEntryCount) is an error naming it', async () => {
    eb.on(PutTargetsCommand).resolves({
      FailedEntryCount: 1,
      FailedEntries: [{ TargetId: 'settle', ErrorCode: 'ConcurrentModificationException', ErrorMessage: 'busy' }],
    });
    const err = await api()
      .putTarget('nightly', 'default', target)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as Error).message).toBe('PutTargets: rule nightly target settle was refused: busy');
  });
});

describe('EventBridge Scheduler', () => {
  const api = () => createSchedulerApi(new SchedulerClient(config));

  it('ListSchedules follows NextToken over every group', async () => {
    sched
      .on(ListSchedulesCommand)
      .resolvesOnce({ Schedules: [{ Name: 'hourly', GroupName: 'jobs', Target: { Arn: CLUSTER } }], NextToken: 'n2' })
      .resolvesOnce({ Schedules: [{ Name: 'ping', Target: { Arn: 'arn:aws:lambda:us-west-2:123456789012:function:f' } }] });
    expect(await api().listSchedules()).toEqual([
      { name: 'hourly', group: 'jobs', targetArn: CLUSTER },
      { name: 'ping', group: 'default', targetArn: 'arn:aws:lambda:us-west-2:123456789012:function:f' },
    ]);
    expect(sched).toHaveReceivedCommandWith(ListSchedulesCommand, { NextToken: 'n2' });
  });

  it('UpdateSchedule gets the whole schedule as GetSchedule gave it, only the ARN changed', async () => {
    sched.on(GetScheduleCommand).resolves({ ...schedule, $metadata: {} });
    sched.on(UpdateScheduleCommand).resolves({ ScheduleArn: schedule.Arn });
    const got = await api().getSchedule('hourly', 'jobs');
    await api().updateSchedule(updateScheduleInput(got, NEW));
    expect(sched.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toEqual({
      Name: 'hourly',
      GroupName: 'jobs',
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      StartDate: new Date('2026-01-01T00:00:00Z'),
      EndDate: new Date('2027-01-01T00:00:00Z'),
      Description: 'settle every hour',
      State: 'ENABLED',
      KmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
      ActionAfterCompletion: 'NONE',
      Target: { ...schedule.Target, EcsParameters: { ...schedule.Target!.EcsParameters, TaskDefinitionArn: NEW } },
    });
  });
});

// ---- the step: gathering and moving --------------------------------------------------------------

const envoyService = { serviceName: 'payments', taskDefinition: tdArn('payments', 7), launchType: 'FARGATE' } as Service;
const described = new Map([[tdArn('payments', 7), revision('payments', 7)]]);

describe('gatherBreakers', () => {
  it('EventBridge refused (403) is a note; the schedules are still read and their revision described', async () => {
    eb.on(ListEventBusesCommand).rejects(named('AccessDeniedException', 403));
    sched.on(ListSchedulesCommand).resolves({
      Schedules: [
        { Name: 'hourly', GroupName: 'jobs', Target: { Arn: CLUSTER } },
        { Name: 'ping', GroupName: 'default', Target: { Arn: 'arn:aws:lambda:us-west-2:123456789012:function:f' } },
      ],
    });
    sched.on(GetScheduleCommand).resolves({ ...schedule, $metadata: {} });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: OLD }).resolves({ taskDefinition: revision('payments', 6).taskDefinition });
    const notes: string[] = [];
    const got = await gatherBreakers(mockedContext(), 'shop', [envoyService], described, notes);
    expect(notes).toEqual([expect.stringMatching(/^EventBridge did not answer \(.*\): its scheduled tasks were not checked$/)]);
    expect(got.scheduled).toEqual([
      { kind: 'schedule', name: 'hourly', group: 'jobs', cluster: CLUSTER, taskDefinitionArn: OLD, described: revision('payments', 6) },
    ]);
    // Only the schedule that starts ECS tasks is read whole.
    expect(sched.commandCalls(GetScheduleCommand)).toHaveLength(1);
    expect(got.runtime).toEqual([{ service: 'payments', launchType: 'FARGATE', capacityProviders: [] }]);
  });

  it('a service on EC2: the agents of its cluster, listed page by page and described in batches of 100', async () => {
    eb.on(ListEventBusesCommand).resolves({ EventBuses: [] });
    sched.on(ListSchedulesCommand).resolves({ Schedules: [] });
    const arns = Array.from({ length: 150 }, (_, i) => `arn:aws:ecs:us-west-2:123456789012:container-instance/shop/${i}`);
    ecs
      .on(ListContainerInstancesCommand)
      .resolvesOnce({ containerInstanceArns: arns.slice(0, 100), nextToken: 'p2' })
      .resolvesOnce({ containerInstanceArns: arns.slice(100) });
    ecs.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances: string[] }) => ({
      containerInstances: input.containerInstances.map((arn, i) => ({
        containerInstanceArn: arn,
        ec2InstanceId: `i-${arn.split('/').pop()}`,
        status: i === 0 ? 'DRAINING' : 'ACTIVE',
        versionInfo: { agentVersion: '1.66.0' },
      })),
    }));
    const onEc2 = { ...envoyService, launchType: 'EC2' } as Service;
    const got = await gatherBreakers(mockedContext(), 'shop', [onEc2], described, []);
    expect(ecs.commandCalls(DescribeContainerInstancesCommand).map((c) => c.args[0].input.containerInstances!.length)).toEqual([100, 50]);
    expect(ecs).toHaveReceivedCommandWith(ListContainerInstancesCommand, { cluster: 'shop', nextToken: 'p2' });
    // Only ACTIVE instances take new tasks: the first of each batch is draining.
    expect(got.runtime![0]!.agents).toHaveLength(148);
    expect(got.runtime![0]!.agents![0]).toEqual({ instance: 'i-1', version: '1.66.0' });
  });

  it('throttling after retries is no "gone": it is thrown', async () => {
    eb.on(ListEventBusesCommand).rejects(named('ThrottlingException', 400));
    sched.on(ListSchedulesCommand).resolves({ Schedules: [] });
    await expect(gatherBreakers(mockedContext(), 'shop', [envoyService], described, [])).rejects.toBeInstanceOf(AwsCallError);
  });

  it('reads nothing from EventBridge when no service runs envoy', async () => {
    const plain = { serviceName: 'web', taskDefinition: tdArn('web', 1) } as Service;
    expect(
      await gatherBreakers(mockedContext(), 'shop', [plain], new Map([[tdArn('web', 1), revision('web', 1, { envoy: false })]]), []),
    ).toEqual({});
    expect(eb.calls()).toHaveLength(0);
    expect(sched.calls()).toHaveLength(0);
  });
});

describe('moveStandaloneTasks', () => {
  const plan = (to?: string): ClusterPlan => ({
    waves: [],
    findings: [],
    ok: true,
    services: [
      {
        service: 'payments',
        status: 'migrate',
        namespaceExists: true,
        listeners: [],
        backends: [],
        findings: [],
        sourceOf: [],
        standaloneTasks: [
          {
            kind: 'rule',
            name: 'nightly',
            group: 'default',
            targetId: 'settle',
            cluster: CLUSTER,
            taskDefinitionArn: OLD,
            calls: [],
            ...(to ? { to } : {}),
          },
          { kind: 'schedule', name: 'hourly', group: 'jobs', cluster: CLUSTER, taskDefinitionArn: OLD, calls: [] },
        ],
      },
    ],
  });

  it('moves both to the revision the service now runs', async () => {
    eb.on(ListTargetsByRuleCommand).resolves({ Targets: [target, { Id: 'other', Arn: 'arn:aws:sqs:us-west-2:123456789012:q' }] });
    eb.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
    sched.on(GetScheduleCommand).resolves({ ...schedule, $metadata: {} });
    sched.on(UpdateScheduleCommand).resolves({ ScheduleArn: schedule.Arn });
    const moves = await moveStandaloneTasks(mockedContext(), plan(), new Map([['payments', NEW]]));
    expect(moves.map((m) => [m.name, m.status, m.to])).toEqual([
      ['nightly', 'moved', NEW],
      ['hourly', 'moved', NEW],
    ]);
    // Only the planned target is sent, not the rule's other one.
    expect(eb.commandCalls(PutTargetsCommand)[0]!.args[0].input.Targets).toEqual([
      { ...target, EcsParameters: { ...target.EcsParameters, TaskDefinitionArn: NEW } },
    ]);
  });

  it('a target changed since the plan is left alone; a service that did not migrate moves nothing', async () => {
    eb.on(ListTargetsByRuleCommand).resolves({
      Targets: [{ ...target, EcsParameters: { ...target.EcsParameters, TaskDefinitionArn: tdArn('payments', 7) } }],
    });
    sched.on(GetScheduleCommand).resolves({ ...schedule, $metadata: {} });
    sched.on(UpdateScheduleCommand).resolves({ ScheduleArn: schedule.Arn });
    const moves = await moveStandaloneTasks(mockedContext(), plan(), new Map([['payments', NEW]]));
    expect(moves.map((m) => m.status)).toEqual(['unchanged', 'moved']);
    expect(eb.commandCalls(PutTargetsCommand)).toHaveLength(0);
    sched.resetHistory();
    const none = await moveStandaloneTasks(mockedContext(), plan(), new Map());
    expect(none.map((m) => m.status)).toEqual(['not-moved', 'not-moved']);
    expect(sched.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('a failed UpdateSchedule is that task failed, with the reason', async () => {
    eb.on(ListTargetsByRuleCommand).resolves({ Targets: [target] });
    eb.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
    sched.on(GetScheduleCommand).resolves({ ...schedule, $metadata: {} });
    sched.on(UpdateScheduleCommand).rejects(named('ValidationException', 400));
    const moves = await moveStandaloneTasks(mockedContext(), plan(NEW), new Map([['payments', NEW]]));
    expect(moves.map((m) => m.status)).toEqual(['moved', 'failed']);
    expect(moves[1]!.detail).toMatch(/UpdateSchedule/);
  });
});
