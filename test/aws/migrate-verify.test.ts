import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { pairMark } from '../../src/core/migrate/blue-green.js';
import { runInProcess } from '../support/fake-deps.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';

// migrate verify in process against mocked ECS and CloudWatch: the service deployment APIs' real answers
// (found, none listed, not found, HTTP 500, access denied, throttled), shaped after the ECS API reference
// (ListServiceDeployments, DescribeServiceDeployments); moto answers the first with HTTP 500 (test/e2e/migrate-verify.test.ts).

const ecs = mockClient(ECSClient);
const cw = mockClient(CloudWatchClient);
const ACCOUNT = 'arn:aws:ecs:us-west-2:123456789012';
const REVISION = `${ACCOUNT}:task-definition/payments-task:2`;
const DEPLOYMENT_ARN = `${ACCOUNT}:service-deployment/c/payments/abc`;
const named = (name: string, status: number) =>
  Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });

const service = (name: string): Service => ({
  serviceName: name,
  serviceArn: `${ACCOUNT}:service/c/${name}`,
  clusterArn: `${ACCOUNT}:cluster/c`,
  status: 'ACTIVE',
  taskDefinition: REVISION,
  desiredCount: 1,
  deployments: [
    {
      id: 'ecs-svc/1',
      status: 'PRIMARY',
      taskDefinition: REVISION,
      rolloutState: 'COMPLETED',
      desiredCount: 1,
      runningCount: 1,
      failedTasks: 0,
      serviceConnectConfiguration: { enabled: true, namespace: 'local', services: [{ portName: 'http', discoveryName: `${name}-sc` }] },
    },
  ],
});
const SUCCESSFUL: ServiceDeployment = {
  serviceDeploymentArn: DEPLOYMENT_ARN,
  status: 'SUCCESSFUL',
  targetServiceRevision: { arn: `${ACCOUNT}:service-revision/c/payments/1`, requestedTaskCount: 1, runningTaskCount: 1 },
};

beforeEach(() => {
  ecs.reset();
  cw.reset();
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.filter((s) => !s.endsWith('-sc')).map(service),
  }));
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: { family: 'payments-task', taskDefinitionArn: REVISION, containerDefinitions: [{ name: 'app', image: 'x' }] },
  });
  ecs.on(ListTasksCommand).callsFake((input: { serviceName: string; desiredStatus?: string }) => ({
    taskArns: input.desiredStatus === 'STOPPED' ? [] : [`${ACCOUNT}:task/c/${input.serviceName}-1`],
  }));
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: input.tasks.map((t) => ({
      taskArn: t,
      taskDefinitionArn: REVISION,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      group: `service:${t.split('/').pop()!.replace(/-1$/, '')}`,
    })),
  }));
  cw.on(GetMetricDataCommand).resolves({
    MetricDataResults: [{ Id: 'sc0_requests', StatusCode: 'Complete', Timestamps: [new Date(1_700_000_000_000 - 60_000)], Values: [500] }],
  });
});

const verify = (...services: string[]) =>
  runInProcess(['migrate', 'verify', '--cluster', 'c', ...services.flatMap((s) => ['--service', s]), '--json']);
interface Out {
  ok: boolean;
  services: { service: string; ok: boolean; problems: string[]; deployment: { source: string; fallback: string | null; state: string } }[];
}

describe('migrate verify: the deployment ECS made', () => {
  it('found: the latest service deployment, described; SUCCESSFUL with traffic and tasks is healthy (exit 0)', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: `${ACCOUNT}:service-deployment/c/payments/old`,
          status: 'SUCCESSFUL',
          createdAt: new Date(1_600_000_000_000),
        },
        { serviceDeploymentArn: DEPLOYMENT_ARN, status: 'SUCCESSFUL', createdAt: new Date(1_690_000_000_000) },
      ],
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [SUCCESSFUL] });
    const r = await verify('payments');
    expect(r.code, r.stderr).toBe(0);
    const out = expectJsonMatchesSchema(['migrate', 'verify', '--json'], r.stdout) as unknown as Out;
    expect(out.services[0]!.deployment).toMatchObject({ source: 'DescribeServiceDeployments', fallback: null, state: 'SUCCESSFUL' });
    expect(out.services[0]!.ok).toBe(true);
    expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, { cluster: 'c', service: `${ACCOUNT}:service/c/payments` });
    expect(ecs).toHaveReceivedCommandWith(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [DEPLOYMENT_ARN] });
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
  });

  it('a rolled-back deployment is not healthy (exit 1), with ECS reason', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT_ARN }] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ ...SUCCESSFUL, status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'circuit breaker tripped' } }],
    });
    const r = await verify('payments');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.services[0]!.problems).toContain('deployment ROLLBACK_SUCCESSFUL; rolled back: circuit breaker tripped');
    expect(r.stderr).toMatch(/1 of 1 services not healthy: payments/);
  });

  it.each<[string, () => void, RegExp]>([
    [
      'none listed',
      () => ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] }),
      /^ListServiceDeployments lists no deployment of the service$/,
    ],
    [
      'not found by DescribeServiceDeployments',
      () => {
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT_ARN }] });
        ecs
          .on(DescribeServiceDeploymentsCommand)
          .resolves({ serviceDeployments: [], failures: [{ arn: DEPLOYMENT_ARN, reason: 'MISSING' }] });
      },
      /^DescribeServiceDeployments did not find abc \(MISSING\)$/,
    ],
    [
      'HTTP 500',
      () => ecs.on(ListServiceDeploymentsCommand).rejects(named('ServerException', 500)),
      /^ListServiceDeployments answered ServerException \(HTTP 500\)$/,
    ],
    [
      'an old policy without the permission',
      () => ecs.on(ListServiceDeploymentsCommand).rejects(named('AccessDeniedException', 400)),
      /^ListServiceDeployments answered AccessDeniedException \(HTTP 400\)$/,
    ],
    [
      'a region without the API',
      () => ecs.on(ListServiceDeploymentsCommand).rejects(named('UnsupportedFeatureException', 400)),
      /^ListServiceDeployments answered UnsupportedFeatureException \(HTTP 400\)$/,
    ],
  ])('%s: falls back to deployments[] and says why', async (_name, arrange, why) => {
    arrange();
    const r = await verify('payments');
    expect(r.code, r.stderr).toBe(0);
    const d = (JSON.parse(r.stdout) as Out).services[0]!.deployment;
    expect(d.source).toBe('deployments');
    expect(d.state).toBe('COMPLETED');
    expect(d.fallback).toMatch(why);
  });

  it('after an HTTP 500 the APIs are not asked again for the next service; the text names the fallback once', async () => {
    ecs.on(ListServiceDeploymentsCommand).rejects(named('ServerException', 500));
    const r = await runInProcess(['migrate', 'verify', '--cluster', 'c', '--service', 'payments', '--service', 'products']);
    expect(r.code, r.stderr).toBe(0);
    expect(ecs).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 1);
    expect(r.stdout.match(/^note: ListServiceDeployments answered ServerException \(HTTP 500\);/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^payments +COMPLETED 1\/1 \(deployments\[\]\) +1\/1 running +local: payments-sc +✔ passed +healthy$/m);
  });

  it('throttling is no fallback: exit 3, the error said (never read as "not answered")', async () => {
    ecs.on(ListServiceDeploymentsCommand).rejects(named('ThrottlingException', 400));
    const r = await verify('payments');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/ListServiceDeployments failed: ThrottlingException/);
  });
});

describe('migrate verify --green-name: the green apply named so', () => {
  it("verifies the green of that name when meshctl's mark says it is payments' green; without the flag, payments itself", async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    // payments-blue-green: a green of another name, with meshctl's mark for the pair.
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.filter((s) => s === 'payments' || s === 'pay-green').map(service),
    }));
    const mark = pairMark({ cluster: 'c', blue: 'payments', green: 'pay-green' });
    ecs.on(ListTagsForResourceCommand).resolves({ tags: Object.entries(mark).map(([key, value]) => ({ key, value })) });
    const named = await runInProcess([
      'migrate',
      'verify',
      '--cluster',
      'c',
      '--service',
      'payments',
      '--green-name',
      'pay-green',
      '--json',
    ]);
    expect((JSON.parse(named.stdout) as Out).services.map((s) => s.service)).toEqual(['pay-green']);
    const plain = await verify('payments');
    expect((JSON.parse(plain.stdout) as Out).services.map((s) => s.service)).toEqual(['payments']);
  });

  it('--green-name without exactly one --service is exit 2 before any request', async () => {
    const r = await runInProcess(['migrate', 'verify', '--cluster', 'c', '--green-name', 'pay-green']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--green-name names one green service: pass exactly one --service with it/);
    expect(ecs.calls()).toHaveLength(0);
  });
});
