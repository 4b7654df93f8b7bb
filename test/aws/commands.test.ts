import { AppMeshClient, DescribeVirtualGatewayCommand, DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type DescribeServicesCommandOutput,
  type ServiceEvent,
  type Task,
} from '@aws-sdk/client-ecs';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/fake-deps.js';

const ecs = mockClient(ECSClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const mesh = mockClient(AppMeshClient);

const describeFixture = JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8'));
const OLD = describeFixture.taskDefinition.taskDefinitionArn as string;
const NEW = OLD.replace(/:1$/, ':2');
const CFN = ['--task-definition', 'appmesh-workshop-crystal-lb-vanilla', '--cluster', 'appmesh-workshop', '--asg', 'ruby-asg'];
const ENVOY_CURL = 'meshctl-resolved: 10.0.1.5\n< HTTP/1.1 200 OK\n< server: envoy\n\nenvoy crystal\nmeshctl-curl-exit: 0\n';

const tasks = (td: string, n: number, lastStatus = 'RUNNING'): Task[] =>
  Array.from({ length: n }, (_, i) => ({
    taskArn: `arn:task/${td.slice(-1)}-${i}`,
    taskDefinitionArn: td,
    lastStatus,
    desiredStatus: 'RUNNING',
    group: 'service:crystal-service-lb',
  }));

beforeEach(() => {
  for (const m of [ecs, ec2, ssm, mesh]) m.reset();
  ecs.on(DescribeTaskDefinitionCommand).resolves(describeFixture);
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW, revision: 2 } });
  ecs.on(UpdateServiceCommand).resolves({
    service: {
      serviceName: 'crystal-service-lb',
      taskDefinition: NEW,
      desiredCount: 3,
      deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'IN_PROGRESS' }],
    },
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: ['a', 'b', 'c'] });
  mesh.on(DescribeVirtualNodeCommand).resolves({ virtualNode: { status: { status: 'ACTIVE' } } as never });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc12345678' }] }] });
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
  ssm
    .on(GetCommandInvocationCommand)
    .resolvesOnce({ Status: 'InProgress' })
    .resolves({ Status: 'Success', StandardOutputContent: ENVOY_CURL });
});

describe('rollout with mocked AWS', () => {
  it('succeeds with the fewest calls: one describe, one register, one update, polls, the SSM pair', async () => {
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [...tasks(OLD, 3), ...tasks(NEW, 1, 'PENDING')] })
      .resolves({ tasks: [...tasks(OLD, 1), ...tasks(NEW, 3)] });
    const r = await runInProcess(['rollout', ...CFN, '--json', '--envoy-image', 'example/envoy:v1.29']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, taskDefinitionArn: NEW, verify: { ok: true, reason: 'HTTP 200 with server: envoy' } });
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(ecs).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 1);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'appmesh-workshop',
      service: 'crystal-service-lb',
      taskDefinition: NEW,
    });
    // UpdateService said which revision and how many tasks: no DescribeServices needed.
    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 2);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 2);
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 1);
    expect(r.stderr).toMatch(/✔ add-envoy · registered .*:2\n▸ update-service\n✔ update-service/);
  });

  it('says which step failed and how to resume when a task stops', async () => {
    // The first poll sees the task start; the second sees it stopped.
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [...tasks(OLD, 3), ...tasks(NEW, 1, 'PENDING')] })
      .resolves({
        tasks: [
          ...tasks(OLD, 3),
          {
            ...tasks(NEW, 1)[0]!,
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            stoppedReason: 'Task failed ELB health checks',
            containers: [{ name: 'envoy', reason: 'OutOfMemoryError' }],
          },
        ],
      });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'crystal-service-lb',
          taskDefinition: NEW,
          desiredCount: 3,
          deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'IN_PROGRESS' }],
        },
      ],
    });
    const r = await runInProcess(['rollout', ...CFN, '--skip-mesh-check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: wait-running failed: a task of .*:2 stopped while waiting\ndeployment ecs-svc\/1 \(PRIMARY\) rolloutState IN_PROGRESS\nstopped while waiting:\n {2}task 2-0 stopped: Task failed ELB health checks \(envoy: OutOfMemoryError\)/,
    );
    expect(r.stderr).toMatch(/resume with: meshctl rollout --task-definition appmesh-workshop-crystal-lb-vanilla .* --from wait-running/);
    expect(r.stdout).toMatch(/done:\n {2}add-envoy: registered .*\n {2}update-service: .*\nfailed: wait-running/);
  });
});

describe('verify with mocked AWS', () => {
  it('exits 0 for a 2xx answer with server: envoy, polling the invocation to its end', async () => {
    const r = await runInProcess(['verify', ...CFN]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'ok: http://crystal.appmeshworkshop.hosted.local:3000/crystal from i-0abc12345678 (10.0.1.5): HTTP 200 with server: envoy\n',
    );
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 2);
  });

  it('exits 1 naming the other server it saw', async () => {
    ssm
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'Success', StandardOutputContent: ENVOY_CURL.replace('server: envoy', 'server: nginx') });
    const r = await runInProcess(['verify', ...CFN, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      reason: 'HTTP 200 with server: nginx, expected envoy',
      headers: { server: 'nginx' },
    });
  });

  it('exits 1 when the SSM command itself failed', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Failed', StandardErrorContent: 'bash: dig: command not found\n' });
    const r = await runInProcess(['verify', ...CFN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the SSM command ended Failed: bash: dig: command not found/);
  });

  it('exits 1 when the group has no running instance', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const r = await runInProcess(['verify', ...CFN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no running instance in auto scaling group "ruby-asg"/);
  });
});

describe('wait-running with mocked AWS', () => {
  it('backs off from 0.25s towards --interval and reads the rollout state every third poll', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'crystal-service-lb',
          taskDefinition: NEW,
          desiredCount: 3,
          deployments: [{ taskDefinition: NEW, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }],
        },
      ],
    });
    ecs.on(DescribeTasksCommand).resolves({ tasks: tasks(NEW, 2) });
    const r = await runInProcess(['wait-running', ...CFN, '--interval', '5s', '--timeout', '20s']);
    expect(r.code).toBe(1);
    expect(r.clock.slept.slice(0, 5)).toEqual([250, 500, 1000, 2000, 4000]);
    expect(r.stderr).toMatch(/timed out after 20s with 2\/3 RUNNING/);
    // Polls at 0, 0.25, 0.75, 1.75, 3.75, 7.75, 12.75, 17.75 and 20 s. The service is read at the start, on
    // every third poll (0.75, 7.75, 20 s), when --interval passed since the last read (12.75, 17.75 s), and
    // once more for the timeout's message: 7 reads for 9 polls.
    expect(ecs.commandCalls(ListTasksCommand).length).toBe(9);
    expect(ecs.commandCalls(DescribeServicesCommand).length).toBe(7);
  });

  it('fails at once when the deployment rolloutState is FAILED', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [
          {
            serviceName: 'crystal-service-lb',
            taskDefinition: NEW,
            desiredCount: 3,
            deployments: [{ id: 'd1', taskDefinition: NEW, rolloutState: 'IN_PROGRESS' }],
          },
        ],
      })
      .resolves({
        services: [
          {
            serviceName: 'crystal-service-lb',
            taskDefinition: NEW,
            desiredCount: 3,
            deployments: [{ id: 'd1', taskDefinition: NEW, rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker tripped' }],
          },
        ],
      });
    ecs.on(DescribeTasksCommand).resolves({ tasks: tasks(NEW, 1) });
    const r = await runInProcess(['wait-running', ...CFN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: deployment d1 of .*:2 FAILED\ndeployment d1 rolloutState FAILED: circuit breaker tripped\n/);
  });
});

describe('service events and resume hints with mocked AWS', () => {
  const T = 1_700_000_000_000; // fakeClock's start: the wait begins here
  const service = (events: ServiceEvent[]): DescribeServicesCommandOutput => ({
    $metadata: {},
    services: [
      {
        serviceName: 'crystal-service-lb',
        taskDefinition: NEW,
        desiredCount: 3,
        deployments: [{ id: 'd1', status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'IN_PROGRESS', createdAt: new Date(T - 60_000) }],
        events,
      },
    ],
  });
  const OLD_EVENT = { id: 'e0', createdAt: new Date(T - 120_000), message: '(service crystal-service-lb) has reached a steady state.' };
  const E1 = { id: 'e1', createdAt: new Date(T - 30_000), message: '(service crystal-service-lb) has started 1 tasks: (task 2-0).' };
  const E2 = { id: 'e2', createdAt: new Date(T + 1_000), message: '(service crystal-service-lb) was unable to place a task\u001b[2J.' };

  it('prints each new event once as it appears, keeps them in --json, and ends a timeout with the deployment and the last events', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(service([E1, OLD_EVENT]))
      .resolves(service([E2, E1, OLD_EVENT]));
    ecs.on(DescribeTasksCommand).resolves({ tasks: tasks(NEW, 2) });
    const r = await runInProcess(['wait-running', ...CFN, '--timeout', '5s', '--json']);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes(': event '));
    expect(lines).toEqual([
      'crystal-service-lb: event 22:12:50 (service crystal-service-lb) has started 1 tasks: (task 2-0).',
      'crystal-service-lb: event 22:13:21 (service crystal-service-lb) was unable to place a task\\u001b[2J.',
    ]);
    const out = JSON.parse(r.stdout);
    expect(out.events).toEqual([
      { id: 'e1', createdAt: '2023-11-14T22:12:50.000Z', message: E1.message },
      { id: 'e2', createdAt: '2023-11-14T22:13:21.000Z', message: '(service crystal-service-lb) was unable to place a task\\u001b[2J.' },
    ]);
    expect(out.error.kind).toBe('timeout');
    expect(out.error.message).toMatch(
      /^timed out after 5s with 2\/3 RUNNING of .*:2\ndeployment d1 \(PRIMARY\) rolloutState IN_PROGRESS\n/,
    );
    expect(out.error.message).toMatch(/last service events \(2 of 2\):\n {2}22:12:50 .*\n {2}22:13:21 .*was unable to place a task/);
  });

  it('after a failed rollback the hint finishes the rollback, printed once', async () => {
    ecs.on(DescribeServicesCommand).resolves(service([]));
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [NEW] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        { ...tasks(NEW, 1)[0]!, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'Essential container in task exited' },
      ],
    });
    const r = await runInProcess(['rollout', ...CFN, '--skip-mesh-check', '--rollback-on-failure', '--timeout', '1m', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.rollback).toMatchObject({ ok: false, error: expect.stringMatching(/no revision before .*:2 to roll back to/) });
    const hint = 'meshctl rollback --timeout 1m --json --cluster appmesh-workshop --service crystal-service-lb';
    expect(out.resumeCommand).toBe(hint);
    expect(r.stderr).toContain(`the rollback failed too; finish it with: ${hint}\n`);
    expect(r.stderr.split('meshctl rollback').length - 1).toBe(1);
  });
});

describe('add-envoy --virtual-gateway with mocked AWS', () => {
  const GW = [
    'add-envoy',
    '--virtual-gateway',
    'gateway',
    '--mesh',
    'local-mesh',
    '--family',
    'gw',
    '--task-role-arn',
    'arn:aws:iam::123456789012:role/t',
    '--execution-role-arn',
    'arn:aws:iam::123456789012:role/e',
    '--region',
    'us-west-2',
  ];

  it('checks that the gateway exists and maps its listener port', async () => {
    mesh
      .on(DescribeVirtualGatewayCommand)
      .resolves({ virtualGateway: { spec: { listeners: [{ portMapping: { port: 9080, protocol: 'http' } }] } } } as never);
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: 'gw' })
      .rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' }));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td/gw:1' } });
    const r = await runInProcess([...GW, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(mesh).toHaveReceivedCommandWith(DescribeVirtualGatewayCommand, { meshName: 'local-mesh', virtualGatewayName: 'gateway' });
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input.containerDefinitions![0]!.portMappings).toEqual([
      { containerPort: 9080, protocol: 'tcp' },
    ]);
  });

  it('registers nothing when the gateway does not exist', async () => {
    mesh
      .on(DescribeVirtualGatewayCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'NotFoundException', $metadata: { httpStatusCode: 404 } }));
    const r = await runInProcess(GW);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/virtual gateway "gateway" does not exist in mesh "local-mesh"; nothing was registered/);
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });
});

describe('rollout --dry-run with mocked AWS', () => {
  const SERVICE_NOW = { serviceName: 'crystal-service-lb', taskDefinition: OLD, desiredCount: 2, deployments: [] };

  it('reads, checks and plans; never sends RegisterTaskDefinition, UpdateService, SendCommand, or polls a task', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [SERVICE_NOW] });
    ecs.on(ListTaskDefinitionsCommand, { status: 'ACTIVE' }).resolves({ taskDefinitionArns: [OLD] });
    ecs.on(ListTaskDefinitionsCommand, { status: 'INACTIVE' }).resolves({ taskDefinitionArns: [OLD.replace(/:1$/, ':4')] });
    const r = await runInProcess(['rollout', ...CFN, '--dry-run', '--json', '--envoy-image', 'example/envoy:v1.29']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.plan.addEnvoy.taskDefinitionArn).toBe(OLD.replace(/:1$/, ':5'));
    expect(out.plan.waitRunning).toMatchObject({ wanted: 2 });
    expect(out.plan.verify).toMatchObject({ instanceId: 'i-0abc12345678' });
    expect(mesh).toHaveReceivedCommandTimes(DescribeVirtualNodeCommand, 1);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    for (const command of [RegisterTaskDefinitionCommand, UpdateServiceCommand, ListTasksCommand, DescribeTasksCommand])
      expect(ecs).not.toHaveReceivedCommand(command);
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('--from wait-running: a FAILED deployment stops the dry run as it stops the wait, with its message', async () => {
    const failed = {
      ...SERVICE_NOW,
      deployments: [{ id: 'd1', taskDefinition: OLD, rolloutState: 'FAILED' as const, rolloutStateReason: 'circuit breaker' }],
    };
    ecs.on(DescribeServicesCommand).resolves({ services: [failed] });
    const dry = await runInProcess(['rollout', ...CFN, '--from', 'wait-running', '--dry-run']);
    const real = await runInProcess(['rollout', ...CFN, '--from', 'wait-running']);
    expect(dry.code).toBe(1);
    expect(real.code).toBe(1);
    const message = (stderr: string) => stderr.match(/^error: [\s\S]*?\n(?=resume with)/m)?.[0];
    expect(message(dry.stderr)).toMatch(/^error: wait-running failed: deployment d1 of .*:1 has FAILED\n/);
    expect(message(dry.stderr)).toBe(message(real.stderr));
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});
