import type { ClusterPlanInput, ServicePlan } from './types.js';

/*
 * What a service needs to run Service Connect, as the ECS Developer Guide's "Service Connect
 * considerations" lists it; a service that lacks one fails at deploy time, after a plan that looked fine:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html#service-connect-considerations
 *  - the network mode awsvpc or bridge (not host, not none);
 *  - no Windows containers;
 *  - on Fargate, the Linux platform version 1.4.0 or later (LATEST is 1.4.0);
 *  - on EC2, an ECS agent 1.67.2 or later on the container instances; no external instances (ECS Anywhere);
 *  - a task-level memory, above the sum of the containers' memory limits (the proxy takes the rest);
 *  - the ECS (rolling) deployment controller: CODE_DEPLOY and EXTERNAL are not supported.
 */

/** How one ECS service runs, as DescribeServices and DescribeContainerInstances give it. */
export interface ServiceRuntime {
  service: string;
  launchType?: string;
  /** The capacity providers of its strategy (FARGATE, FARGATE_SPOT, or an Auto Scaling group's provider). */
  capacityProviders: string[];
  platformVersion?: string;
  platformFamily?: string;
  /** deploymentController.type: ECS (rolling), CODE_DEPLOY or EXTERNAL. */
  deploymentController?: string;
  /** The agent version of each ACTIVE container instance of its cluster, read only when the service runs on EC2. */
  agents?: { instance: string; version?: string }[];
}

export const MIN_FARGATE_PLATFORM = '1.4.0';
export const MIN_AGENT_VERSION = '1.67.2';

/** Compares dotted versions by number (`1.67.10` > `1.67.2`); a part that is no number counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.');
  const pb = b.replace(/^v/, '').split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (parseInt(pa[i] ?? '0', 10) || 0) - (parseInt(pb[i] ?? '0', 10) || 0);
    if (d) return d;
  }
  return 0;
}

const onFargate = (r: ServiceRuntime) => r.launchType === 'FARGATE' || r.capacityProviders.some((c) => /^FARGATE(_SPOT)?$/.test(c));
/** On EC2: the EC2 launch type, or a capacity provider that is not Fargate's. */
export const onEc2 = (r: Pick<ServiceRuntime, 'launchType' | 'capacityProviders'>) =>
  r.launchType === 'EC2' || r.capacityProviders.some((c) => !/^FARGATE(_SPOT)?$/.test(c));

/** The problems that keep one service (its revision to be registered, or its current one) off Service Connect, each with its fix. */
export function prerequisiteProblems(p: ServicePlan, input: ClusterPlanInput, runtime: ServiceRuntime | undefined): string[] {
  const facts = input.services.find((f) => f.service === p.service);
  const td = p.taskDefinition ?? facts?.described.taskDefinition;
  if (!td) return [];
  const problems: string[] = [];
  const mode = td.networkMode;
  if (mode === 'host' || mode === 'none')
    problems.push(`network mode ${mode}: Service Connect needs awsvpc or bridge; register the task definition with networkMode awsvpc`);
  const os = td.runtimePlatform?.operatingSystemFamily ?? runtime?.platformFamily;
  if (os && /^WINDOWS/i.test(os))
    problems.push(
      `${os}: Service Connect does not support Windows containers; keep this service on DNS (a Cloud Map DNS namespace or a load balancer)`,
    );
  // The rest needs how the service runs, which migrate reads beside the cluster (steps/standalone-tasks.ts).
  if (!runtime) return problems;
  if (!td.memory) {
    problems.push(
      'no task-level memory: Service Connect needs one (its proxy takes what the containers leave); set memory on the task definition',
    );
  } else {
    const limits = (td.containerDefinitions ?? []).map((c) => c.memory);
    const sum = limits.reduce<number>((a, m) => a + (m ?? 0), 0);
    if (limits.length && limits.every((m) => m !== undefined) && sum >= Number(td.memory))
      problems.push(
        `the containers' memory limits (${sum} MiB) take all the task's memory (${td.memory} MiB): leave room for the Service Connect proxy (64 MiB or more)`,
      );
  }
  if (runtime.launchType === 'EXTERNAL')
    problems.push('external instances (ECS Anywhere) cannot run Service Connect; keep this service on DNS or run it on EC2 or Fargate');
  const version = runtime.platformVersion;
  if (onFargate(runtime) && version && version !== 'LATEST' && compareVersions(version, MIN_FARGATE_PLATFORM) < 0)
    problems.push(
      `Fargate platform version ${version}: Service Connect needs ${MIN_FARGATE_PLATFORM} or later; update the service with --platform-version LATEST`,
    );
  const old = (runtime.agents ?? []).filter((a) => !a.version || compareVersions(a.version, MIN_AGENT_VERSION) < 0);
  if (onEc2(runtime) && old.length) {
    const list = old.map((a) => `${a.instance} (${a.version ?? 'version unknown'})`).join(', ');
    problems.push(
      `container instances with an ECS agent older than ${MIN_AGENT_VERSION}: ${list}; update their agent (UpdateContainerAgent, or a current ECS-optimized AMI)`,
    );
  }
  const controller = runtime.deploymentController;
  if (controller === 'CODE_DEPLOY' || controller === 'EXTERNAL')
    problems.push(
      `deployment controller ${controller}: Service Connect needs the ECS deployment controller (rolling or ECS blue/green); recreate the service with it`,
    );
  return problems;
}

/** Each migrating service that cannot run Service Connect gets an error finding per problem. */
export function checkPrerequisites(services: ServicePlan[], input: ClusterPlanInput): void {
  const runtimes = new Map((input.runtime ?? []).map((r) => [r.service, r]));
  for (const p of services) {
    if (p.status !== 'migrate') continue;
    for (const message of prerequisiteProblems(p, input, runtimes.get(p.service)))
      p.findings.push({ level: 'error', service: p.service, message: `cannot run Service Connect: ${message}` });
  }
}
