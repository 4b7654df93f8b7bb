// ---- rule 3(a): who takes a virtual service's name ----------------------------------------------

import { MeshDescription, DescribedVirtualRouter, DescribedRoute } from '../mesh/description.js';
import { normalizeHost } from '../host-refs.js';
import { byName, Draft, Finding, RouteReport, VirtualServiceReport } from './types.js';

/*
 * Service Connect gives a name and port to one ECS service. A virtual service with several nodes behind
 * it (a 90/10 canary, header routing to seven colours) keeps its name on one of them: the heaviest target
 * of the routes without match conditions, or the one --alias-owner names. The others keep their own names.
 */

/** One virtual service of a mesh description, with what is behind it and who takes its name. */
export interface Ownership {
  mesh: string;
  source: string;
  /** Normalized (lower case, no trailing dot). */
  name: string;
  router?: DescribedVirtualRouter;
  /** Node names behind it, as the description spells them. */
  nodes: string[];
  /** Weight per node (lower case) over the default routes; total of those weights. */
  weights: Map<string, number>;
  total: number;
  owner?: string;
  ownerService?: string;
  decidedBy: VirtualServiceReport['decidedBy'];
  /** Why nothing decides, when nothing does. */
  undecided?: string;
}

const key = (s: string) => s.toLowerCase();
export const sameName = (a: string, b: string) => key(a) === key(b);

/** A route without match conditions takes every request its router's listener gets. */
export const isDefaultRoute = (r: DescribedRoute) => (r.matches ?? []).length === 0;

function decide(o: Ownership): void {
  if (o.nodes.length === 1) return void Object.assign(o, { owner: o.nodes[0], decidedBy: 'only provider' });
  const ranked = [...o.weights].filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0) {
    o.undecided = 'every route has match conditions (header, path or method routing) and none is a default';
    return;
  }
  if (ranked.length > 1 && ranked[0]![1] === ranked[1]![1]) {
    const tied = ranked.filter(([, w]) => w === ranked[0]![1]).map(([n]) => o.nodes.find((x) => key(x) === n)!);
    o.undecided = `its default route splits equally (${ranked[0]![1]} each) between ${tied.join(' and ')}`;
    return;
  }
  o.owner = o.nodes.find((n) => key(n) === ranked[0]![0]);
  o.decidedBy = 'heaviest default route';
}

function ownershipOf(m: MeshDescription, name: string, provider: { virtualNode: string } | { virtualRouter: string }): Ownership {
  const base = {
    mesh: m.mesh,
    source: m.source,
    name,
    nodes: [] as string[],
    weights: new Map<string, number>(),
    total: 0,
    decidedBy: null,
  };
  if ('virtualNode' in provider) return { ...base, nodes: [provider.virtualNode] };
  const router = m.virtualRouters.find((r) => sameName(r.name, provider.virtualRouter));
  const o: Ownership = { ...base, ...(router ? { router } : {}) };
  for (const r of router?.routes ?? []) {
    for (const t of r.targets) {
      if (!o.nodes.some((n) => sameName(n, t.virtualNode))) o.nodes.push(t.virtualNode);
      if (!isDefaultRoute(r)) continue;
      o.weights.set(key(t.virtualNode), (o.weights.get(key(t.virtualNode)) ?? 0) + t.weight);
      o.total += t.weight;
    }
  }
  return o;
}

/** ECS services (by name) that run `node` of `mesh`. */
export function servicesOf(drafts: Draft[], mesh: string, node: string): string[] {
  return drafts
    .filter((d) => d.virtualNode && sameName(d.virtualNode.mesh, mesh) && sameName(d.virtualNode.name, node))
    .map((d) => d.facts.service)
    .sort(byName);
}

/**
 * Every virtual service of the descriptions with a provider: the nodes behind it and who takes its name
 * (--alias-owner first). Problems with --alias-owner itself are returned as cluster findings.
 */
export function ownerships(meshes: MeshDescription[], drafts: Draft[], aliasOwners: Record<string, string> = {}) {
  const out: Ownership[] = [];
  const findings: Finding[] = [];
  for (const m of meshes) {
    for (const vs of m.virtualServices) {
      const name = normalizeHost(vs.name);
      if (!vs.provider || out.some((o) => o.name === name && sameName(o.mesh, m.mesh))) continue;
      const o = ownershipOf(m, name, vs.provider);
      decide(o);
      out.push(o);
    }
  }
  const wanted = new Map(Object.entries(aliasOwners).map(([vs, s]) => [normalizeHost(vs), s]));
  for (const [vs, service] of wanted) {
    const mine = out.filter((o) => o.name === vs);
    if (mine.length === 0) {
      const known = out.map((o) => o.name).join(', ') || 'none: no mesh description was given or read';
      findings.push({
        level: 'error',
        message: `--alias-owner ${vs}=${service}: no mesh description has virtual service ${vs} (known: ${known})`,
      });
      continue;
    }
    for (const o of mine) {
      const behind = o.nodes.flatMap((n) => servicesOf(drafts, o.mesh, n));
      if (!behind.includes(service)) {
        const list = behind.join(', ') || 'no ECS service of the cluster';
        findings.push({ level: 'error', message: `--alias-owner ${vs}=${service}: ${service} is not behind ${vs} (behind it: ${list})` });
        continue;
      }
      Object.assign(o, { ownerService: service, decidedBy: '--alias-owner' });
      delete o.undecided;
    }
  }
  return { ownerships: out, findings };
}

/** The target's ECS service, else its node's name. */
function targetName(drafts: Draft[], o: Ownership, node: string): string {
  return servicesOf(drafts, o.mesh, node)[0] ?? node;
}

function routeReport(drafts: Draft[], o: Ownership, r: DescribedRoute): RouteReport {
  const split = r.targets.map((t) => ({ target: targetName(drafts, o, t.virtualNode), weight: t.weight }));
  const lost: string[] = [];
  if (r.targets.filter((t) => t.weight > 0).length > 1) lost.push(`the split ${split.map((t) => `${t.target} ${t.weight}`).join(' / ')}`);
  if (o.nodes.length > 1) lost.push(...(r.matches ?? []).map((m) => `the match ${m}`));
  return { name: r.name, split, matches: r.matches ?? [], lost };
}

/** The owner as an ECS service: --alias-owner's, else the first service running the owner node. */
export function ownerServiceOf(drafts: Draft[], o: Ownership): string | null {
  return o.ownerService ?? (o.owner ? (servicesOf(drafts, o.mesh, o.owner)[0] ?? null) : null);
}

export function virtualServiceReport(drafts: Draft[], o: Ownership): VirtualServiceReport {
  return {
    name: o.name,
    behind: [...new Set(o.nodes.flatMap((n) => servicesOf(drafts, o.mesh, n)))].sort(byName),
    owner: ownerServiceOf(drafts, o),
    decidedBy: o.owner || o.ownerService ? o.decidedBy : null,
    routes: (o.router?.routes ?? []).map((r) => routeReport(drafts, o, r)),
  };
}

/** The ECS services behind each virtual service name: a caller of the name rolls after every one of them. */
export function behindIndex(drafts: Draft[], all: Ownership[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const o of all) {
    const behind = o.nodes.flatMap((n) => servicesOf(drafts, o.mesh, n));
    index.set(o.name, [...new Set([...(index.get(o.name) ?? []), ...behind])].sort(byName));
  }
  return index;
}
