import type { Service, ServiceDeployment, Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import {
  countTasks,
  fromServiceDeployment,
  fromServiceDeployments,
  judgeService,
  serviceConnectOf,
  trafficNotRun,
  type DeploymentView,
  type VerifyFacts,
} from '../../../src/core/migrate/verify.js';
import type { TrafficVerdict } from '../../../src/core/migrate/traffic-check.js';

// Our own shapes, after the ECS API reference's DescribeServices (deployments[], serviceConnectConfiguration),
// DescribeServiceDeployments (ServiceDeployment) and DescribeTasks answers.
const REVISION = 'arn:aws:ecs:us-west-2:123456789012:task-definition/payments-task:2';
const SC = {
  enabled: true,
  namespace: 'arn:aws:servicediscovery:us-west-2:123456789012:namespace/ns-local',
  services: [
    {
      portName: 'payments',
      discoveryName: 'payments-sc',
      clientAliases: [{ dnsName: 'payments.local', port: 5000 }],
      timeout: { perRequestTimeoutSeconds: 60, idleTimeoutSeconds: 300 },
    },
  ],
  accessLogConfiguration: { format: 'JSON' as const, includeQueryParameters: 'ENABLED' as const },
  logConfiguration: { logDriver: 'awslogs' as const, options: { 'awslogs-stream-prefix': 'sc' } },
};
type ScConfig = NonNullable<Service['deployments']>[number]['serviceConnectConfiguration'];
const service = (over: Partial<Service> = {}, sc: ScConfig | null = SC) =>
  ({
    serviceName: 'payments',
    taskDefinition: REVISION,
    desiredCount: 2,
    deployments: [
      {
        id: 'ecs-svc/1',
        status: 'PRIMARY',
        taskDefinition: REVISION,
        rolloutState: 'COMPLETED',
        rolloutStateReason: 'ECS deployment ecs-svc/1 completed.',
        desiredCount: 2,
        runningCount: 2,
        failedTasks: 0,
        ...(sc ? { serviceConnectConfiguration: sc } : {}),
      },
    ],
    ...over,
  }) as Service;
const task = (id: string, over: Partial<Task> = {}): Task => ({
  taskArn: `arn:aws:ecs:us-west-2:123456789012:task/c/${id}`,
  taskDefinitionArn: REVISION,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  healthStatus: 'HEALTHY',
  group: 'service:payments',
  ...over,
});
const SUCCESSFUL: ServiceDeployment = {
  serviceDeploymentArn: 'arn:aws:ecs:us-west-2:123456789012:service-deployment/c/payments/abc',
  status: 'SUCCESSFUL',
  targetServiceRevision: { arn: 'arn:rev', requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
  deploymentCircuitBreaker: { status: 'MONITORING_COMPLETE', failureCount: 0, threshold: 10 },
};
const passed = { ok: true, checks: [{ name: 'requests', ok: true, detail: '900 requests arrived at payments-sc' }] } as TrafficVerdict;
const failedTraffic = {
  ok: false,
  checks: [
    { name: 'requests', ok: true, detail: '900 requests' },
    { name: '5xx-ratio', ok: false, detail: '90 of 900 responses were 5xx (10.00%)' },
  ],
} as TrafficVerdict;

const facts = (over: Partial<VerifyFacts> = {}): VerifyFacts => ({
  service: service(),
  runsEnvoy: false,
  deployment: fromServiceDeployment(SUCCESSFUL),
  tasks: [task('a'), task('b')],
  traffic: { ran: true, verdict: passed },
  ...over,
});

describe('judgeService', () => {
  it('a service on Service Connect, its deployment SUCCESSFUL, every task running and healthy, traffic passed: healthy', () => {
    const v = judgeService(facts());
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.tasks).toEqual({ desired: 2, running: 2, healthy: 2, unhealthy: 0, otherRevisions: 0, stopped: [] });
    expect(v.traffic.status).toBe('passed');
  });

  const rollback: DeploymentView = {
    ...fromServiceDeployment({ ...SUCCESSFUL, status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'circuit breaker: 3 tasks failed' } }),
  };
  it.each<[string, Partial<VerifyFacts>, RegExp]>([
    ['still on envoy', { runsEnvoy: true }, /payments-task:2, a revision with envoy: not migrated; run meshctl migrate apply/],
    ['ECS shows no Service Connect', { service: service({}, null) }, /^ECS reports no Service Connect configuration/],
    ['Service Connect off', { service: service({}, { enabled: false }) }, /^ECS reports no Service Connect configuration/],
    ['no deployment at all', { deployment: null }, /^ECS reports no deployment for it$/],
    [
      'a deployment rolled back',
      { deployment: rollback },
      /^deployment ROLLBACK_SUCCESSFUL; rolled back: circuit breaker: 3 tasks failed$/,
    ],
    [
      'a deployment still in progress (deployments[])',
      { deployment: fromServiceDeployments(service({ deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }] }), '500')! },
      /^deployment IN_PROGRESS: not finished; run migrate verify again when it is$/,
    ],
    [
      'a FAILED rollout (deployments[])',
      {
        deployment: fromServiceDeployments(service({ deployments: [{ status: 'PRIMARY', rolloutState: 'FAILED', failedTasks: 4 }] }), 'x')!,
      },
      /^deployment FAILED$/,
    ],
    ['one task short', { tasks: [task('a')] }, /^1 of 2 tasks of payments-task:2 running$/],
    ['an unhealthy task', { tasks: [task('a'), task('b', { healthStatus: 'UNHEALTHY' })] }, /^1 running tasks UNHEALTHY$/],
    [
      'an old revision left',
      { tasks: [task('a'), task('b'), task('old', { taskDefinitionArn: REVISION.replace(':2', ':1') })] },
      /^1 tasks of an older revision still running$/,
    ],
    ['traffic failed', { traffic: { ran: true, verdict: failedTraffic } }, /^Service Connect traffic: 5xx-ratio: 90 of 900 responses/],
  ])('not healthy: %s', (_name, over, problem) => {
    const v = judgeService(facts(over));
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual(expect.stringMatching(problem));
  });

  it('a FAILED rollout with failed tasks names both', () => {
    const d = fromServiceDeployments(service({ deployments: [{ status: 'PRIMARY', rolloutState: 'FAILED', failedTasks: 4 }] }), 'x')!;
    expect(judgeService(facts({ deployment: d })).problems).toEqual(['deployment FAILED', '4 failed tasks in the deployment']);
  });

  it('a client-only service (Service Connect without services) has no traffic to check, and is healthy', () => {
    const s = service({}, { enabled: true, namespace: 'local', services: [] });
    const notRun = trafficNotRun(s, false)!;
    expect(notRun.why).toMatch(/client-only/);
    const v = judgeService(facts({ service: s, traffic: { ran: false, ...notRun } }));
    expect(v.ok).toBe(true);
    expect(v.traffic).toEqual({ status: 'not-run', detail: notRun.why, verdict: null });
  });

  it('trafficNotRun: the check runs for a service that serves names; not for one off Service Connect', () => {
    expect(trafficNotRun(service(), false)).toBeUndefined();
    expect(trafficNotRun(service(), true)?.why).toMatch(/not on Service Connect/);
    expect(trafficNotRun(service({}, null), false)?.why).toMatch(/not on Service Connect/);
  });
});

describe('the deployment', () => {
  it('a service deployment: its status, counts, circuit breaker failures and rollback', () => {
    expect(fromServiceDeployment(SUCCESSFUL)).toEqual({
      source: 'DescribeServiceDeployments',
      fallback: null,
      id: SUCCESSFUL.serviceDeploymentArn,
      state: 'SUCCESSFUL',
      reason: null,
      taskDefinition: null,
      running: 2,
      desired: 2,
      failedTasks: 0,
      rollback: null,
    });
  });

  it('deployments[]: the PRIMARY one, with why it was read; none without a PRIMARY deployment', () => {
    const s = service({ deployments: [{ status: 'ACTIVE', id: 'old' }, ...service().deployments!] });
    expect(fromServiceDeployments(s, 'ListServiceDeployments answered ServerException (HTTP 500)')).toMatchObject({
      source: 'deployments',
      fallback: 'ListServiceDeployments answered ServerException (HTTP 500)',
      id: 'ecs-svc/1',
      state: 'COMPLETED',
      taskDefinition: REVISION,
      running: 2,
      desired: 2,
      failedTasks: 0,
    });
    expect(fromServiceDeployments(service({ deployments: [] }), 'x')).toBeNull();
  });
});

describe('countTasks', () => {
  it('counts RUNNING tasks of the revision (family:rev as moto stores it too) and lists its stopped ones with their reasons', () => {
    const tasks = [
      task('a', { taskDefinitionArn: 'payments-task:2' }),
      task('b', { healthStatus: 'UNKNOWN' }),
      task('c', { lastStatus: 'PENDING', healthStatus: 'UNKNOWN' }),
      task('d', {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedReason: 'Essential container in task exited',
        containers: [
          { name: 'app', exitCode: 1, reason: '' },
          { name: 'ecs-service-connect-x', exitCode: 0 },
        ],
      }),
      task('e', { taskDefinitionArn: REVISION.replace(':2', ':1'), lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
    ];
    expect(countTasks(tasks, REVISION, 3)).toEqual({
      desired: 3,
      running: 2,
      healthy: 1,
      unhealthy: 0,
      otherRevisions: 0,
      stopped: [{ task: 'd', reason: 'Essential container in task exited', containers: ['app: exit 1'] }],
    });
  });
});

describe('serviceConnectOf', () => {
  it('reads back what apply carried: namespace, names, aliases, timeouts, access logs and the log driver', () => {
    expect(serviceConnectOf(service())).toEqual({
      enabled: true,
      namespace: SC.namespace,
      services: [
        {
          portName: 'payments',
          discoveryName: 'payments-sc',
          clientAliases: ['payments.local:5000'],
          timeout: { perRequestTimeoutSeconds: 60, idleTimeoutSeconds: 300 },
          tls: null,
        },
      ],
      accessLog: { format: 'JSON', includeQueryParameters: 'ENABLED' },
      logDriver: 'awslogs',
    });
    expect(serviceConnectOf(service({}, null))).toBeNull();
  });
});
