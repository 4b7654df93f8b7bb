// ---- rule 3: aliases ---------------------------------------------------------------------------

import { dnsNameProblem } from '../ecs-names.js';
import { virtualNodeName } from '../envoy/render.js';
import { DescribedVirtualRouter, MeshDescription } from '../mesh/description.js';
import { Ownership, sameName, virtualServiceReport } from './providers.js';
import { Draft, ServiceFacts, LOAD_BALANCER_NAME, PrivateRecord, Candidate, Provided, note, addSource } from './types.js';
import { normalizeHost } from '../host-refs.js';

/**
 * Client port per node port for a virtual service provided through a router: clients call the router's
 * listener port (3000), the node listens on its own (9080). Same count: by order; else the same port, else
 * the only router listener, else the router listener of the same protocol.
 */
function routerPorts(router: DescribedVirtualRouter | undefined, ports: Draft['ports']): Record<number, number> | undefined {
  const listeners = router?.listeners ?? [];
  if (listeners.length === 0) return undefined;
  const out: Record<number, number> = {};
  ports.forEach((p, i) => {
    const l =
      listeners.length === ports.length
        ? listeners[i]
        : (listeners.find((x) => x.port === p.port) ??
          (listeners.length === 1 ? listeners[0] : listeners.find((x) => x.protocol === p.protocol)));
    if (l && l.port !== p.port) out[p.port] = l.port;
  });
  return Object.keys(out).length ? out : undefined;
}

/**
 * The virtual services a node provides, directly or through a router that targets it (names matched
 * without case). Service Connect gives one name and port to one service: the owner (see providers.ts)
 * takes it; the others get it in `lost` and keep their own names; with no owner decided, in `undecided`.
 */
export function provide(d: Draft, meshes: MeshDescription[], all: Ownership[], drafts: Draft[]): void {
  const vn = d.virtualNode;
  if (!vn) return;
  for (const o of all.filter((x) => sameName(x.mesh, vn.mesh) && x.nodes.some((n) => sameName(n, vn.name)))) {
    const ports = routerPorts(o.router, d.ports);
    const p: Provided = {
      name: o.name,
      source: o.source,
      ...(o.router ? { router: o.router } : {}),
      ...(o.owner ? { owner: o.owner } : {}),
      ...(o.ownerService ? { ownerService: o.ownerService } : {}),
      share: o.weights.get(vn.name.toLowerCase()) ?? 0,
      total: o.total,
      ...(ports ? { ports } : {}),
      ...(o.undecided ? { undecided: o.undecided } : {}),
      behind: virtualServiceReport(drafts, o).behind,
    };
    const mine = o.ownerService ? o.ownerService === d.facts.service : !!o.owner && sameName(o.owner, vn.name);
    if (!o.owner && !o.ownerService) d.undecided.push(p);
    else (mine ? d.owned : d.lost).push(p);
    d.virtualServices.push(virtualServiceReport(drafts, o));
  }
  // Only the owner's: the lighter targets' services already hear that the virtual service is not theirs.
  const owned = new Set(d.owned.map((p) => p.name));
  const routes = meshes
    .filter((m) => sameName(m.mesh, vn.mesh))
    .flatMap((m) => m.gatewayRoutes)
    .filter((g) => g.virtualService && owned.has(normalizeHost(g.virtualService)));
  d.gatewayRoutes = routes.filter((g, i) => routes.findIndex((x) => x.gateway === g.gateway && x.name === g.name) === i);
}

function isLoadBalancerName(name: string, facts: ServiceFacts): boolean {
  const n = normalizeHost(name);
  return LOAD_BALANCER_NAME.test(n) || facts.loadBalancerDnsNames.some((lb) => normalizeHost(lb) === n);
}

/** Route 53 alias targets of load balancers often carry the console's `dualstack.` prefix. */
function recordPointsAt(r: PrivateRecord, targets: Set<string>): boolean {
  const alias = r.aliasTarget ? normalizeHost(r.aliasTarget).replace(/^dualstack\./, '') : undefined;
  if (alias && targets.has(alias)) return true;
  return r.type.toUpperCase() === 'CNAME' && r.values.some((v) => targets.has(normalizeHost(v)));
}

/** The hosts rule 3(c) follows records to: the node's DNS hostname and the load balancers' names. */
function recordTargets(d: Draft): string[] {
  const discovery = d.node?.discovery;
  const host = discovery && 'dns' in discovery ? [discovery.dns.hostname] : [];
  return [...new Set([...host, ...d.facts.loadBalancerDnsNames].map(normalizeHost))];
}

function routeRecordNames(d: Draft, records: PrivateRecord[]): string[] {
  const targets = new Set(recordTargets(d));
  const wildcard = (n: string) => n.startsWith('*') || n.startsWith('\\052');
  return records.filter((r) => recordPointsAt(r, targets) && !wildcard(r.name)).map((r) => normalizeHost(r.name));
}

function cloudMapNames(d: Draft): string[] {
  const names = d.facts.registries.map((r) => `${r.service}.${r.namespace}`);
  const discovery = d.node?.discovery;
  if (discovery && 'cloudMap' in discovery) names.push(`${discovery.cloudMap.service}.${discovery.cloudMap.namespace}`);
  return names.map(normalizeHost);
}

/**
 * The names that went to other services: the virtual services this node lost, and the Cloud Map names of the
 * nodes that took them. Versions of one app often share one Cloud Map service (told apart by attributes, as in
 * App Mesh's ECS walkthroughs), or one named as the virtual service: neither is the name of this version alone.
 */
function takenNames(d: Draft, meshes: MeshDescription[], drafts: Draft[]): Set<string> {
  const taken = new Set(d.lost.map((p) => normalizeHost(p.name)));
  const vn = d.virtualNode;
  const nodes = vn ? meshes.filter((m) => sameName(m.mesh, vn.mesh)).flatMap((m) => m.virtualNodes) : [];
  for (const p of d.lost) {
    // The owner's node: the router's pick, or the node of the service --alias-owner names.
    const owner = p.ownerService ? drafts.find((x) => x.facts.service === p.ownerService)?.virtualNode?.name : p.owner;
    const discovery = nodes.find((n) => owner !== undefined && sameName(n.name, owner))?.discovery;
    if (discovery && 'cloudMap' in discovery) taken.add(normalizeHost(`${discovery.cloudMap.service}.${discovery.cloudMap.namespace}`));
  }
  return taken;
}

/** Rule 3's candidates in order (a) virtual services, (b) Cloud Map, (c) Route 53; never a load balancer's name. */
export function collectCandidates(d: Draft, records: PrivateRecord[], meshes: MeshDescription[] = [], drafts: Draft[] = []): void {
  const all: Candidate[] = [
    ...d.owned.map((p): Candidate => ({ name: p.name, kind: 'virtual service', source: p.source, ...(p.ports ? { ports: p.ports } : {}) })),
    ...cloudMapNames(d).map((name): Candidate => ({ name, kind: 'Cloud Map', source: 'Cloud Map' })),
    ...routeRecordNames(d, records).map((name): Candidate => ({ name, kind: 'Route 53', source: 'Route 53' })),
  ];
  const taken = takenNames(d, meshes, drafts);
  for (const c of all) {
    if (d.candidates.some((x) => x.name === c.name)) continue;
    if (c.kind !== 'virtual service' && taken.has(c.name)) {
      const why = 'names the virtual service this one is behind, or the node that takes it, which go to another service';
      note(d, 'info', `${c.name} (${c.kind}) ${why}; not an alias of this one`);
      continue;
    }
    if (!isLoadBalancerName(c.name, d.facts)) d.candidates.push(c);
    else note(d, 'info', `${c.name} (${c.kind}) is a load balancer's DNS name, not a client alias; skipped`);
  }
}

/** The override is --client-alias NAME[:PORT] of the one service selected: its port goes on the first listener. */
export function chooseAlias(d: Draft, override: { name: string; port?: number } | undefined): void {
  const first = d.ports[0]?.port;
  const ports = override?.port !== undefined && first !== undefined && override.port !== first ? { [first]: override.port } : undefined;
  const given = override && {
    name: override.name,
    kind: '--client-alias' as const,
    source: 'overrides',
    ...(ports ? { ports } : {}),
  };
  const chosen = given ?? d.candidates[0];
  // Nothing names it: a Service Connect client only (see plan.ts).
  if (!chosen) return;
  d.alias = chosen;
  addSource(d, chosen.source);
  const others = d.candidates.filter((c) => c.name !== chosen.name);
  if (others.length > 0) {
    const list = others.map((c) => `${c.name} (${c.kind})`).join(', ');
    const why = 'but Service Connect gives a port one alias: pass --client-alias to pick another';
    note(d, 'info', `client alias ${chosen.name} (${chosen.kind}); clients may also call ${list}, ${why}`);
  }
  const problem = dnsNameProblem(chosen.name);
  if (problem) note(d, 'error', problem);
  if (isLoadBalancerName(chosen.name, d.facts)) {
    note(d, 'error', `client alias ${chosen.name} is a load balancer's DNS name; name what clients call instead`);
  }
}

/** What rule 3 looked at, for the note of a service that nothing names (a client only). */
export function lookedAt(d: Draft, meshes: MeshDescription[]): string {
  const node = d.virtualNode ? virtualNodeName(d.virtualNode.mesh, d.virtualNode.name) : 'the service (envoy names no node)';
  const sources = meshes.map((m) => m.source).join(', ') || 'none given';
  const targets = recordTargets(d).join(', ') || 'none: no DNS-discovered node and no load balancer';
  return (
    `virtual services provided by ${node} (mesh descriptions: ${sources}), its Cloud Map registrations ` +
    `(${d.facts.registries.length}), Route 53 private records pointing at ${targets}`
  );
}
