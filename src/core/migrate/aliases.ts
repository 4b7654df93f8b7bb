// ---- rule 3: aliases ---------------------------------------------------------------------------

import { dnsNameProblem } from '../ecs-names.js';
import { virtualNodeName } from '../envoy/render.js';
import { DescribedVirtualRouter, MeshDescription, DescribedVirtualService } from '../mesh/description.js';
import { byName, Draft, ServiceFacts, LOAD_BALANCER_NAME, PrivateRecord, Candidate, note, addSource } from './types.js';
import { normalizeHost } from '../host-refs.js';

/** Total weight per target node over a router's routes, heaviest first (ties by name, so the choice is stable). */
function routerWeights(router: DescribedVirtualRouter): [string, number][] {
  const weights = new Map<string, number>();
  for (const r of router.routes) for (const t of r.targets) weights.set(t.virtualNode, (weights.get(t.virtualNode) ?? 0) + t.weight);
  return [...weights].sort((a, b) => b[1] - a[1] || byName(a[0], b[0]));
}

function providerFor(m: MeshDescription, provider: NonNullable<DescribedVirtualService['provider']>, node: string) {
  if ('virtualNode' in provider) return provider.virtualNode === node ? { owner: node, share: 1, total: 1 } : undefined;
  const router = m.virtualRouters.find((r) => r.name === provider.virtualRouter);
  const weights = router ? routerWeights(router) : [];
  const mine = weights.find(([n]) => n === node);
  if (!router || !mine) return undefined;
  return { router, owner: weights[0]![0], share: mine[1], total: weights.reduce((sum, [, w]) => sum + w, 0) };
}

/**
 * The virtual services a node provides, directly or through a router that targets it. A router's virtual
 * service goes to its heaviest target only: Service Connect gives one name and port to one service, so a
 * 90/10 split cannot be kept; the lighter targets' services get it in `lost` and a warning.
 */
export function provide(d: Draft, meshes: MeshDescription[]): void {
  const vn = d.virtualNode;
  if (!vn) return;
  const same = meshes.filter((x) => x.mesh === vn.mesh);
  const seen = new Set<string>();
  for (const m of same) {
    for (const vs of m.virtualServices) {
      const name = normalizeHost(vs.name);
      const p = vs.provider && !seen.has(name) ? providerFor(m, vs.provider, vn.name) : undefined;
      if (!p) continue;
      seen.add(name);
      (p.owner === vn.name ? d.owned : d.lost).push({ name, source: m.source, ...p });
    }
  }
  // Only the owner's: the lighter targets' services already hear that the virtual service is not theirs.
  const owned = new Set(d.owned.map((p) => p.name));
  const routes = same.flatMap((m) => m.gatewayRoutes).filter((g) => g.virtualService && owned.has(normalizeHost(g.virtualService)));
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

/** Rule 3's candidates in order (a) virtual services, (b) Cloud Map, (c) Route 53; never a load balancer's name. */
export function collectCandidates(d: Draft, records: PrivateRecord[]): void {
  const all: Candidate[] = [
    ...d.owned.map((p): Candidate => ({ name: p.name, kind: 'virtual service', source: p.source })),
    ...cloudMapNames(d).map((name): Candidate => ({ name, kind: 'Cloud Map', source: 'Cloud Map' })),
    ...routeRecordNames(d, records).map((name): Candidate => ({ name, kind: 'Route 53', source: 'Route 53' })),
  ];
  for (const c of all) {
    if (d.candidates.some((x) => x.name === c.name)) continue;
    if (!isLoadBalancerName(c.name, d.facts)) d.candidates.push(c);
    else note(d, 'info', `${c.name} (${c.kind}) is a load balancer's DNS name, not a client alias; skipped`);
  }
}

function lookedAt(d: Draft, meshes: MeshDescription[]): string {
  const node = d.virtualNode ? virtualNodeName(d.virtualNode.mesh, d.virtualNode.name) : 'the service (envoy names no node)';
  const sources = meshes.map((m) => m.source).join(', ') || 'none given';
  const targets = recordTargets(d).join(', ') || 'none: no DNS-discovered node and no load balancer';
  return (
    `virtual services provided by ${node} (mesh descriptions: ${sources}), its Cloud Map registrations ` +
    `(${d.facts.registries.length}), Route 53 private records pointing at ${targets}`
  );
}

export function chooseAlias(d: Draft, override: string | undefined, meshes: MeshDescription[]): void {
  const chosen = override !== undefined ? { name: override, kind: '--client-alias' as const, source: 'overrides' } : d.candidates[0];
  if (!chosen) {
    const looked = lookedAt(d, meshes);
    const next = 'pass --client-alias with the name its clients call';
    return note(d, 'error', `no client alias found for ${d.facts.service}: looked at ${looked}; ${next}`);
  }
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
