import type { Deployment, Service, ServiceConnectConfiguration, ServiceDeployment, Task } from '@aws-sdk/client-ecs';
import { nameOfArn, sameRevision } from '../arn.js';
import type { TrafficVerdict } from './traffic-check.js';

/*
 * `migrate verify`: after apply, what ECS says of each migrated service, judged. Plain data in (the
 * described service, its deployment, its tasks, the traffic verdict), one verdict per service out.
 * ServiceDeployment statuses: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 * deployments[].rolloutState: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
 */

/** The deployment ECS made, from DescribeServiceDeployments or, where ECS does not answer that, the service's deployments[]. */
export interface DeploymentView {
  source: 'DescribeServiceDeployments' | 'deployments';
  /** Why deployments[] was read instead of the service deployment APIs; null when they answered. */
  fallback: string | null;
  /** The service deployment's ARN, or the deployment's id (`ecs-svc/…`). */
  id: string | null;
  /** ServiceDeployment status (SUCCESSFUL, IN_PROGRESS, …) or the PRIMARY deployment's rolloutState (COMPLETED, …). */
  state: string | null;
  reason: string | null;
  /** The deployment's task definition (deployments[] only: a service deployment names a service revision instead). */
  taskDefinition: string | null;
  running: number | null;
  desired: number | null;
  /** Failed tasks: deployments[].failedTasks, or the circuit breaker's failure count. */
  failedTasks: number | null;
  /** Set when ECS rolled the deployment back (the reason it gives). */
  rollback: string | null;
}

type Outcome = 'done' | 'in-progress' | 'failed' | 'unknown';
const SERVICE_DEPLOYMENT_OUTCOME: Record<string, Outcome> = {
  SUCCESSFUL: 'done',
  PENDING: 'in-progress',
  IN_PROGRESS: 'in-progress',
  STOPPED: 'failed',
  STOP_REQUESTED: 'failed',
  ROLLBACK_REQUESTED: 'failed',
  ROLLBACK_IN_PROGRESS: 'failed',
  ROLLBACK_SUCCESSFUL: 'failed',
  ROLLBACK_FAILED: 'failed',
};
const ROLLOUT_OUTCOME: Record<string, Outcome> = { COMPLETED: 'done', IN_PROGRESS: 'in-progress', FAILED: 'failed' };

/** A DescribeServiceDeployments answer's deployment as a view. */
export function fromServiceDeployment(d: ServiceDeployment): DeploymentView {
  const target = d.targetServiceRevision;
  return {
    source: 'DescribeServiceDeployments',
    fallback: null,
    id: d.serviceDeploymentArn ?? null,
    state: d.status ?? null,
    reason: d.statusReason ?? null,
    taskDefinition: null,
    running: target?.runningTaskCount ?? null,
    desired: target?.requestedTaskCount ?? null,
    failedTasks: d.deploymentCircuitBreaker?.failureCount ?? null,
    rollback: d.rollback ? (d.rollback.reason ?? 'rolled back') : null,
  };
}

/** The PRIMARY deployment of DescribeServices' deployments[] as a view, with why it was read instead; null when there is none. */
export function fromServiceDeployments(service: Service, fallback: string): DeploymentView | null {
  const d: Deployment | undefined = service.deployments?.find((x) => x.status === 'PRIMARY');
  if (!d) return null;
  return {
    source: 'deployments',
    fallback,
    id: d.id ?? null,
    state: d.rolloutState ?? null,
    reason: d.rolloutStateReason ?? null,
    taskDefinition: d.taskDefinition ?? null,
    running: d.runningCount ?? null,
    desired: d.desiredCount ?? null,
    failedTasks: d.failedTasks ?? null,
    rollback: null,
  };
}

function deploymentOutcome(d: DeploymentView): Outcome {
  const table = d.source === 'deployments' ? ROLLOUT_OUTCOME : SERVICE_DEPLOYMENT_OUTCOME;
  return (d.state && table[d.state]) || 'unknown';
}

/** One stopped task of the service's revision, with ECS's reasons. */
export interface StoppedTaskView {
  task: string;
  reason: string | null;
  containers: string[];
}

export interface TasksView {
  desired: number;
  running: number;
  /** RUNNING tasks whose health ECS reports HEALTHY; UNKNOWN (no container health check) counts as neither. */
  healthy: number;
  unhealthy: number;
  /** Tasks of other revisions still running (an old revision not yet drained). */
  otherRevisions: number;
  stopped: StoppedTaskView[];
}

/** The service's tasks (RUNNING and recently STOPPED ones, any revision) counted against its revision. */
export function countTasks(tasks: readonly Task[], revision: string, desired: number): TasksView {
  const view: TasksView = { desired, running: 0, healthy: 0, unhealthy: 0, otherRevisions: 0, stopped: [] };
  for (const t of tasks) {
    const stopped = t.lastStatus === 'STOPPED' || t.desiredStatus === 'STOPPED';
    if (!sameRevision(t.taskDefinitionArn, revision)) {
      if (!stopped) view.otherRevisions++;
      continue;
    }
    if (stopped) {
      const containers = (t.containers ?? [])
        .filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0))
        .map((c) => `${c.name ?? '?'}: ${c.reason || `exit ${c.exitCode}`}`);
      view.stopped.push({ task: nameOfArn(t.taskArn ?? '?'), reason: t.stoppedReason || null, containers });
    } else if (t.lastStatus === 'RUNNING') {
      view.running++;
      if (t.healthStatus === 'HEALTHY') view.healthy++;
      if (t.healthStatus === 'UNHEALTHY') view.unhealthy++;
    }
  }
  return view;
}

/** Service Connect as ECS reports it in the PRIMARY deployment: what apply carried, read back. */
export interface ServiceConnectView {
  enabled: boolean;
  namespace: string | null;
  services: {
    portName: string;
    discoveryName: string | null;
    clientAliases: string[];
    timeout: { perRequestTimeoutSeconds: number | null; idleTimeoutSeconds: number | null } | null;
    tls: { awsPcaAuthorityArn: string | null; roleArn: string | null } | null;
  }[];
  accessLog: { format: string | null; includeQueryParameters: string | null } | null;
  logDriver: string | null;
}

/** The PRIMARY deployment's serviceConnectConfiguration as a view; null when ECS reports none. */
export function serviceConnectOf(service: Service): ServiceConnectView | null {
  const sc: ServiceConnectConfiguration | undefined = service.deployments?.find((d) => d.status === 'PRIMARY')?.serviceConnectConfiguration;
  if (!sc) return null;
  return {
    enabled: sc.enabled === true,
    namespace: sc.namespace ?? null,
    services: (sc.services ?? []).map((s) => ({
      portName: s.portName ?? '?',
      discoveryName: s.discoveryName ?? null,
      clientAliases: (s.clientAliases ?? []).map((a) => `${a.dnsName ?? s.discoveryName ?? s.portName}:${a.port}`),
      timeout: s.timeout
        ? { perRequestTimeoutSeconds: s.timeout.perRequestTimeoutSeconds ?? null, idleTimeoutSeconds: s.timeout.idleTimeoutSeconds ?? null }
        : null,
      tls: s.tls
        ? { awsPcaAuthorityArn: s.tls.issuerCertificateAuthority?.awsPcaAuthorityArn ?? null, roleArn: s.tls.roleArn ?? null }
        : null,
    })),
    accessLog: sc.accessLogConfiguration
      ? {
          format: sc.accessLogConfiguration.format ?? null,
          includeQueryParameters: sc.accessLogConfiguration.includeQueryParameters ?? null,
        }
      : null,
    logDriver: sc.logConfiguration?.logDriver ?? null,
  };
}

/** The traffic check of `verify --service-connect`, or why it did not run. */
export type TrafficResult = { ran: true; verdict: TrafficVerdict } | { ran: false; why: string; counts: boolean };

/** What the verify step read of one service. */
export interface VerifyFacts {
  /** The service verified (blue/green: the green one). */
  service: Service;
  /** With blue/green: the blue service it stands in for. */
  blue?: string;
  /** The service's revision runs envoy (an App Mesh revision: not migrated). */
  runsEnvoy: boolean;
  deployment: DeploymentView | null;
  tasks: readonly Task[];
  traffic: TrafficResult;
}

export interface ServiceVerdict {
  service: string;
  blue: string | null;
  taskDefinition: string;
  ok: boolean;
  /** Each reason the service is not healthy, with what to do. */
  problems: string[];
  deployment: DeploymentView | null;
  tasks: TasksView;
  serviceConnect: ServiceConnectView | null;
  traffic: { status: 'passed' | 'failed' | 'not-run'; detail: string; verdict: TrafficVerdict | null };
}

/** One service's facts in, its verdict out: healthy only when every part is. */
export function judgeService(f: VerifyFacts): ServiceVerdict {
  const name = f.service.serviceName ?? '?';
  const revision = f.service.taskDefinition ?? '';
  const tasks = countTasks(f.tasks, revision, f.service.desiredCount ?? 0);
  const sc = serviceConnectOf(f.service);
  const problems: string[] = [];
  if (f.runsEnvoy) problems.push(`runs ${nameOfArn(revision)}, a revision with envoy: not migrated; run meshctl migrate apply`);
  if (!sc || !sc.enabled) problems.push('ECS reports no Service Connect configuration in its PRIMARY deployment');

  const d = f.deployment;
  if (!d) problems.push('ECS reports no deployment for it');
  else {
    const outcome = deploymentOutcome(d);
    const state = `deployment ${d.state ?? '(no state)'}${d.reason ? ` (${d.reason})` : ''}`;
    if (outcome === 'failed' || d.rollback) problems.push(`${state}${d.rollback ? `; rolled back: ${d.rollback}` : ''}`);
    else if (outcome === 'in-progress') problems.push(`${state}: not finished; run migrate verify again when it is`);
    if (d.failedTasks) problems.push(`${d.failedTasks} failed tasks in the deployment`);
  }

  if (tasks.running < tasks.desired) problems.push(`${tasks.running} of ${tasks.desired} tasks of ${nameOfArn(revision)} running`);
  if (tasks.unhealthy) problems.push(`${tasks.unhealthy} running tasks UNHEALTHY`);
  if (tasks.otherRevisions) problems.push(`${tasks.otherRevisions} tasks of an older revision still running`);

  let traffic: ServiceVerdict['traffic'];
  if (f.traffic.ran) {
    const failed = f.traffic.verdict.checks.filter((c) => !c.ok);
    traffic = {
      status: failed.length ? 'failed' : 'passed',
      detail: (failed.length ? failed : f.traffic.verdict.checks.slice(0, 2)).map((c) => `${c.name}: ${c.detail}`).join('; '),
      verdict: f.traffic.verdict,
    };
    if (failed.length) problems.push(`Service Connect traffic: ${traffic.detail}`);
  } else {
    traffic = { status: 'not-run', detail: f.traffic.why, verdict: null };
    if (f.traffic.counts) problems.push(`Service Connect traffic not checked: ${f.traffic.why}`);
  }
  return {
    service: name,
    blue: f.blue ?? null,
    taskDefinition: revision,
    ok: problems.length === 0,
    problems,
    deployment: d,
    tasks,
    serviceConnect: sc,
    traffic,
  };
}

/** Why the traffic check cannot run for a service, or undefined when it can (it serves Service Connect names). */
export function trafficNotRun(service: Service, runsEnvoy: boolean): { why: string; counts: boolean } | undefined {
  const sc = serviceConnectOf(service);
  if (runsEnvoy || !sc?.enabled) return { why: 'the service is not on Service Connect', counts: false };
  if (sc.services.length === 0) return { why: 'a client-only configuration receives no Service Connect traffic', counts: false };
  return undefined;
}
