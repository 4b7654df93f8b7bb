// ---- rule 11: callers outside the plan, and frozen endpoints ---------------------------------------

import { proxyContainers } from '../envoy/proxy.js';
import type { DescribedVirtualNode, MeshDescription } from '../mesh/description.js';
import { serversOf, type ClusterPlanInput, type Finding, type ServiceFacts, type ServicePlan } from './types.js';

/*
 * What the plan cannot see from one cluster but must say:
 * - Other clusters of a namespace: Cloud Map services of a namespace the plan uses that no service of
 *   this cluster registers are someone else's (another cluster's services, most often). Service Connect
 *   spans the clusters of one namespace, so they can call the migrated names: a note.
 * - Other accounts: a mesh shared with this account (App Mesh's meshOwner, or the node's
 *   APPMESH_RESOURCE_ARN naming another account) has callers and servers there. Service Connect has no
 *   cross-account namespaces (a Cloud Map namespace belongs to one account), so those calls break: warned.
 * - Frozen endpoints: since App Mesh ended, a running envoy keeps the endpoints it last received. For a
 *   node discovered through Cloud Map (awsCloudMap) App Mesh sent the instances' addresses, which never
 *   change again; a DNS-discovered node's envoy still re-resolves its hostname. Replacing such a server's
 *   tasks leaves its envoy clients calling gone addresses until they migrate too.
 */

/** The 12-digit account of an ARN, or undefined when it is no ARN (moto and AWS both write one). */
export function accountOfArn(arn: string | undefined): string | undefined {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn ?? '')?.[1];
}

/** The account of the mesh envoy's APPMESH_RESOURCE_ARN names, when it names one. */
function meshAccountOf(facts: ServiceFacts): string | undefined {
  const td = facts.described.taskDefinition;
  const proxies = proxyContainers(td);
  for (const c of (td.containerDefinitions ?? []).filter((x) => proxies.has(x.name ?? ''))) {
    const arn = (c.environment ?? []).find((e) => e.name === 'APPMESH_RESOURCE_ARN')?.value?.trim();
    const account = accountOfArn(arn);
    if (account) return account;
  }
  return undefined;
}

const meshOf = (meshes: readonly MeshDescription[], name: string) => meshes.filter((m) => m.mesh === name);

/** The node a service's envoy serves, as a mesh description has it. */
function nodeOf(meshes: readonly MeshDescription[], p: ServicePlan): DescribedVirtualNode | undefined {
  if (!p.virtualNode) return undefined;
  for (const m of meshOf(meshes, p.virtualNode.mesh)) {
    const node = m.virtualNodes.find((n) => n.name === p.virtualNode!.name);
    if (node) return node;
  }
  return undefined;
}

/** Services of the plan still on envoy that call `server` (directly, or behind a virtual service it serves). */
export function envoyClientsOf(services: readonly ServicePlan[], server: string): string[] {
  return services
    .filter((s) => s.status === 'migrate' && s.service !== server)
    .filter((s) => serversOf(s.backends).includes(server))
    .map((s) => s.service);
}

/** Cloud Map services of the plan's namespaces that no service of this cluster registers or plans: one note per namespace. */
function otherClusters(services: readonly ServicePlan[], input: ClusterPlanInput): Finding[] {
  const ours = new Set<string>();
  for (const f of input.services) for (const r of f.registries) ours.add(`${r.namespace}/${r.service}`.toLowerCase());
  for (const s of services) for (const l of s.listeners) if (s.namespace) ours.add(`${s.namespace}/${l.discoveryName}`.toLowerCase());
  const used = new Set(services.filter((s) => s.status === 'migrate' && s.namespace).map((s) => s.namespace!));
  return input.namespaces
    .filter((ns) => used.has(ns.name))
    .flatMap((ns) => {
      const others = ns.services.filter((name) => !ours.has(`${ns.name}/${name}`.toLowerCase()));
      if (others.length === 0) return [];
      const shown = others.length > 5 ? `${others.slice(0, 5).join(', ')} and ${others.length - 5} more` : others.join(', ');
      return [
        {
          level: 'info' as const,
          message:
            `namespace ${ns.name} also holds ${shown}, which no service of this cluster registers (other clusters', most likely): ` +
            'fine, Service Connect spans the clusters of one namespace; their clients on envoy still need their servers to move first',
        },
      ];
    });
}

/** A warning for each migrating service in a mesh another account owns or shares. */
function otherAccounts(services: readonly ServicePlan[], input: ClusterPlanInput): Finding[] {
  const facts = new Map(input.services.map((f) => [f.service, f]));
  const findings: Finding[] = [];
  for (const s of services.filter((x) => x.status === 'migrate' && x.virtualNode)) {
    const f = facts.get(s.service)!;
    const own = accountOfArn(f.taskDefinitionArn);
    const owners = [
      ...meshOf(input.meshes, s.virtualNode!.mesh).flatMap((m) => (m.owner ? [m.owner] : [])),
      ...[meshAccountOf(f) ?? []].flat(),
    ].filter((a) => a !== own);
    const owner = owners[0];
    if (!owner) continue;
    const calls = s.backends.filter((b) => !b.servedBy).map((b) => b.name);
    const where = calls.length ? `; of the names it calls, ${calls.join(', ')} are served by no service of this cluster` : '';
    findings.push({
      level: 'warn',
      service: s.service,
      message:
        `${s.service}'s node ${s.virtualNode!.name} is in mesh ${s.virtualNode!.mesh}, owned by account ${owner}, shared with this one${where}. ` +
        'Service Connect has no cross-account namespaces: services of other accounts can neither call it nor be called by it on ' +
        'Service Connect; keep those calls on a name that resolves across accounts (a load balancer, a shared private hosted zone)',
    });
  }
  return findings;
}

/** The frozen-endpoint finding of each Cloud Map-discovered server with envoy clients, on the server and on each client. */
function frozenEndpoints(services: readonly ServicePlan[], input: ClusterPlanInput): Finding[] {
  const findings: Finding[] = [];
  for (const s of services.filter((x) => x.status === 'migrate')) {
    const node = nodeOf(input.meshes, s);
    if (!node?.discovery || !('cloudMap' in node.discovery)) continue;
    const clients = envoyClientsOf(services, s.service);
    if (clients.length === 0) continue;
    const { namespace, service } = node.discovery.cloudMap;
    s.frozenClients = clients;
    findings.push({
      level: 'warn',
      service: s.service,
      message:
        `frozen endpoints: ${s.service}'s node is discovered through Cloud Map (${service}.${namespace}); since App Mesh ended, ` +
        `the envoy of ${clients.join(', ')} keeps the addresses it last received. Replacing ${s.service}'s tasks (this migration in ` +
        'place, a scale-out, a failed task) leaves them calling gone addresses until they migrate: prefer --strategy blue-green for ' +
        `${s.service} (blue's tasks serve them until they move); in place, each of them starts as soon as the new tasks of ${s.service} and its other servers run, ` +
        'and apply reports how long the window lasted',
    });
    for (const c of clients) {
      // The server's warning carries the advice; the client's note says what it will see.
      findings.push({
        level: 'info',
        service: c,
        message:
          `frozen endpoints: ${c}'s envoy calls ${s.service} at the addresses App Mesh last sent; from the moment ${s.service}'s ` +
          `old tasks stop until ${c} runs on Service Connect, its calls to ${s.service} fail`,
      });
    }
  }
  return findings;
}

/**
 * The plan's services and its input in; findings about callers the plan does not hold (other clusters of
 * a namespace, other accounts) and Cloud Map-discovered servers whose envoy clients hold frozen endpoints
 * out. Each server with frozen clients gets `frozenClients`. Service findings go to their service.
 */
export function checkCallers(services: ServicePlan[], input: ClusterPlanInput): Finding[] {
  const byName = new Map(services.map((s) => [s.service, s]));
  const cluster: Finding[] = [];
  for (const f of [...otherClusters(services, input), ...otherAccounts(services, input), ...frozenEndpoints(services, input)]) {
    const s = f.service ? byName.get(f.service) : undefined;
    if (s) s.findings.push(f);
    else cluster.push(f);
  }
  return cluster;
}

/** How long a frozen-endpoint window lasted in an in-place apply: from the server's new tasks running to its last client's. */
export interface FrozenWindow {
  server: string;
  clients: string[];
  /** When the server's new tasks ran (ISO 8601); null when apply did not wait for them. */
  serverRunningAt: string | null;
  /** When the last client's new tasks ran; null while one has not (or was not waited for). */
  closedAt: string | null;
  seconds: number | null;
  /** Clients still on envoy after this apply (failed, not started): their window is still open. */
  open: string[];
}

/** The plan's servers with frozen clients and apply's results (`runningAt` of each service waited for) in; each window out. */
export function frozenWindows(
  services: readonly ServicePlan[],
  results: readonly { service: string; status: string; runningAt?: string }[],
): FrozenWindow[] {
  const byName = new Map(results.map((r) => [r.service, r]));
  const ranAt = (name: string) => {
    const r = byName.get(name);
    return r?.status === 'migrated' && r.runningAt ? r.runningAt : undefined;
  };
  return services
    .filter((s) => s.frozenClients?.length && byName.get(s.service)?.status === 'migrated')
    .map((s) => {
      const clients = s.frozenClients!;
      const from = ranAt(s.service);
      const open = clients.filter((c) => byName.get(c)?.status !== 'migrated');
      const times = clients.map(ranAt);
      const closed = open.length === 0 && times.every((t) => t !== undefined) ? times.sort().at(-1)! : undefined;
      const seconds = from && closed ? Math.max(0, Math.round((Date.parse(closed) - Date.parse(from)) / 1000)) : null;
      return { server: s.service, clients, serverRunningAt: from ?? null, closedAt: closed ?? null, seconds, open };
    });
}

/** One line per window, as apply prints it. */
export function frozenWindowLine(w: FrozenWindow): string {
  const who = w.clients.join(', ');
  if (w.open.length)
    return `frozen endpoints: ${w.server} runs new tasks, but ${w.open.join(', ')} still run envoy with its old addresses: the window is still open; resume the apply`;
  if (w.seconds === null) return `frozen endpoints: ${w.server} and ${who} are on Service Connect; the window was not measured (--no-wait)`;
  return `frozen endpoints: ${w.server}'s new tasks ran ${w.seconds} s before the last of ${who} did: the window in which their calls to it could fail lasted about ${w.seconds} s`;
}
