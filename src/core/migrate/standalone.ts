import { parseTaskDefinitionRef } from '../arn.js';
import { proxyContainers } from '../envoy/proxy.js';
import { hostRefsOf, normalizeHost } from '../host-refs.js';
import { type DescribedTaskDefinition } from '../task-definition.js';
import type { ClusterPlanInput, ServicePlan } from './types.js';

/*
 * Standalone tasks that EventBridge starts: a rule's ECS target or an EventBridge Scheduler schedule. One
 * that runs a revision with envoy of a family being migrated keeps starting envoy after the move, and
 * that envoy never gets a configuration (App Mesh has ended). Standalone tasks cannot be Service Connect
 * clients ("Only the tasks that Amazon ECS services create are supported"), so after the move they run
 * the envoy-free revision and reach the services they call by DNS.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html#service-connect-considerations
 */

/** An EventBridge rule target or a schedule that runs an ECS task, as gathered. */
export interface ScheduledTaskFacts {
  kind: 'rule' | 'schedule';
  /** The rule's or the schedule's name. */
  name: string;
  /** The rule's event bus, or the schedule's group. */
  group: string;
  /** The rule target's Id (a rule may have several targets). */
  targetId?: string;
  /** The cluster the task runs in: the target's Arn. */
  cluster: string;
  /** EcsParameters.TaskDefinitionArn, as the target names it. */
  taskDefinitionArn: string;
  /** That revision, described (undefined when it could not be read). */
  described?: DescribedTaskDefinition;
}

/** A scheduled task the apply moves to the envoy-free revision of its service's family. */
export interface StandaloneTask extends Omit<ScheduledTaskFacts, 'described'> {
  /** The envoy-free revision it moves to when the service already runs one; else the one apply registers. */
  to?: string;
  /** Names its containers' environment calls that are Service Connect aliases after the move: they will need DNS. */
  calls: string[];
}

/** `rule nightly (event bus default)`, `schedule report (group default)`. */
export function standaloneTaskName(t: Pick<StandaloneTask, 'kind' | 'name' | 'group' | 'targetId'>): string {
  return t.kind === 'rule'
    ? `rule ${t.name} (event bus ${t.group}${t.targetId ? `, target ${t.targetId}` : ''})`
    : `schedule ${t.name} (group ${t.group})`;
}

/** The family a target's TaskDefinitionArn names (an ARN with or without revision, or `family[:rev]`). */
export function familyOfTarget(taskDefinitionArn: string): string | undefined {
  return parseTaskDefinitionRef(taskDefinitionArn.trim())?.family;
}

/** True when the revision runs an App Mesh proxy: an envoy container or an APPMESH proxyConfiguration. */
const runsEnvoy = (d: DescribedTaskDefinition | undefined) => !!d && proxyContainers(d.taskDefinition).size > 0;

/** The hosts the app containers' environment names (the proxy's own are not the app's calls). */
function hostsCalled(d: DescribedTaskDefinition): string[] {
  const proxies = proxyContainers(d.taskDefinition);
  const apps = (d.taskDefinition.containerDefinitions ?? []).filter((c) => !proxies.has(c.name ?? ''));
  return [...new Set(hostRefsOf(apps).map((r) => r.host))];
}

/**
 * Service plans and the scheduled tasks gathered in; each migrating (or migrated) service whose family a
 * rule or schedule still runs with envoy gets them in `standaloneTasks` and a warning that says what
 * apply does and which names the task will need DNS for (the plan's aliases its environment names).
 */
export function planStandaloneTasks(services: ServicePlan[], input: ClusterPlanInput): void {
  const scheduled = (input.scheduled ?? []).filter((t) => runsEnvoy(t.described));
  if (!scheduled.length) return;
  // The names Service Connect answers after the move: the plan's aliases and those of services already on it.
  const planned = services.flatMap((s) => s.listeners.map((l) => l.alias.dnsName));
  const current = input.services.flatMap((f) =>
    (f.serviceConnect?.services ?? []).flatMap((x) => (x.clientAliases ?? []).map((a) => a.dnsName)),
  );
  const aliases = new Set([...planned, ...current].filter((n): n is string => !!n).map(normalizeHost));
  const facts = new Map(input.services.map((f) => [f.service, f]));
  for (const p of services) {
    if (p.status === 'not-in-mesh') continue;
    const f = facts.get(p.service);
    const family = f?.described.taskDefinition.family;
    if (!f || !family) continue;
    const mine = scheduled.filter((t) => familyOfTarget(t.taskDefinitionArn) === family);
    if (!mine.length) continue;
    p.standaloneTasks = mine.map((t) => ({
      kind: t.kind,
      name: t.name,
      group: t.group,
      ...(t.targetId !== undefined ? { targetId: t.targetId } : {}),
      cluster: t.cluster,
      taskDefinitionArn: t.taskDefinitionArn,
      ...(p.status === 'migrated' ? { to: f.taskDefinitionArn } : {}),
      calls: hostsCalled(t.described!).filter((h) => aliases.has(h)),
    }));
    for (const t of p.standaloneTasks) p.findings.push({ level: 'warn', service: p.service, message: standaloneMessage(t) });
  }
}

function standaloneMessage(t: StandaloneTask): string {
  const to = t.to ? `the envoy-free revision ${t.to}` : 'the envoy-free revision apply registers';
  const dns = t.calls.length
    ? `it calls ${t.calls.join(', ')}, which will then need DNS (a Cloud Map DNS namespace or a load balancer)`
    : 'the names it calls need DNS (a Cloud Map DNS namespace or a load balancer)';
  return (
    `${standaloneTaskName(t)} starts ${t.taskDefinitionArn}, a revision with envoy, whose envoy gets no configuration any more; ` +
    `apply moves it to ${to}. A standalone task cannot be a Service Connect client: ${dns}`
  );
}
