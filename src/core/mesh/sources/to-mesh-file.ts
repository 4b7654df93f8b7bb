// ---- Back to a mesh file.

import type { EgressFilter } from './common.js';
import { InputError } from '../../../errors.js';
import {
  MeshListener,
  NodeDiscovery,
  DescribedVirtualNode,
  DescribedRoute,
  DescribedVirtualRouter,
  DescribedVirtualService,
  DescribedGatewayRoute,
  MeshDescription,
} from '../description.js';
import {
  Listener,
  VirtualNodeDecl,
  RouteDecl,
  VirtualRouterDecl,
  VirtualServiceDecl,
  GatewayRouteDecl,
  VirtualGatewayDecl,
  MeshFile,
} from '../file.js';
import { PORTS, isName, WEIGHTS } from './common.js';
import { MESH_PROTOCOLS as PROTOCOLS } from '../../protocol.js';

const fmt = (l: MeshListener): string => `${l.port}/${l.protocol}`;
const validListener = (l: MeshListener): boolean =>
  Number.isInteger(l.port) && l.port >= PORTS.min && l.port <= PORTS.max && PROTOCOLS.includes(l.protocol);

/** Keeps the first of each name; notes the ones the file cannot hold. */
function unique<T extends { name: string }>(items: readonly T[], what: (item: T) => string, notes: string[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (!isName(item.name)) return void notes.push(`${what(item)}: not a name the mesh file can hold (letters, digits, . _ -), left out`);
    if (seen.has(item.name)) return void notes.push(`${what(item)}: declared twice; the second is left out`);
    seen.add(item.name);
    return true;
  });
}

/** The one listener the file holds for an object, noting any others; undefined (noted) when there is none. */
function oneListener(listeners: readonly MeshListener[], what: string, notes: string[]): Listener | undefined {
  const valid = listeners.filter(validListener);
  for (const l of listeners.filter((x) => !validListener(x))) {
    notes.push(`${what}: listener ${fmt(l)} is not a port and protocol the mesh file holds, left out`);
  }
  const [first, ...rest] = valid;
  for (const l of rest) notes.push(`${what}: listener ${fmt(l)} left out (the mesh file holds one listener each)`);
  if (!first) notes.push(`${what}: no listener; the mesh file needs one, so it is left out`);
  return first && { port: first.port, protocol: first.protocol };
}

function fileDiscovery(d: NodeDiscovery | undefined): VirtualNodeDecl['serviceDiscovery'] | undefined {
  if (d && 'cloudMap' in d) return isName(d.cloudMap.namespace) && isName(d.cloudMap.service) ? { cloudMap: { ...d.cloudMap } } : undefined;
  return d && isName(d.dns.hostname) ? { dns: { hostname: d.dns.hostname } } : undefined;
}

function fileNodes(nodes: readonly DescribedVirtualNode[], notes: string[]): VirtualNodeDecl[] {
  return unique(nodes, (n) => `virtual node "${n.name}"`, notes).flatMap((n) => {
    const what = `virtual node "${n.name}"`;
    const listener = oneListener(n.listeners, what, notes);
    const serviceDiscovery = fileDiscovery(n.discovery);
    if (!serviceDiscovery) {
      const why = n.discovery ? 'service discovery names the mesh file cannot hold' : 'no service discovery';
      notes.push(`${what}: ${why}, so it is left out`);
    }
    return listener && serviceDiscovery ? [{ name: n.name, listener, serviceDiscovery, backends: [...n.backends] }] : [];
  });
}

function prefixOf(route: DescribedRoute): string | undefined {
  return 'prefix' in route && typeof route.prefix === 'string' ? route.prefix : undefined;
}

function fileRoute(route: DescribedRoute, router: string, nodes: ReadonlySet<string>, notes: string[]): RouteDecl | undefined {
  const what = `route "${route.name}" of virtual router "${router}"`;
  if (route.kind !== 'http') {
    return void notes.push(`${what}: a ${route.kind} route; the mesh file holds http routes only, so it is left out`);
  }
  const prefix = prefixOf(route);
  if (prefix === undefined || !prefix.startsWith('/')) return void notes.push(`${what}: does not match by path prefix, so it is left out`);
  if (route.retryPolicy) notes.push(`${what}: retry policy left out`);
  if (route.timeout) notes.push(`${what}: timeout left out`);
  const targets = route.targets.filter((t) => {
    const target = `${what}: target "${t.virtualNode}"`;
    if (!nodes.has(t.virtualNode)) return void notes.push(`${target} is not a virtual node of the mesh file, left out`);
    const weightOk = Number.isInteger(t.weight) && t.weight >= WEIGHTS.min && t.weight <= WEIGHTS.max;
    if (!weightOk) return void notes.push(`${target} weight ${t.weight} left out`);
    if (t.port !== undefined) notes.push(`${target} port ${t.port} left out`);
    return true;
  });
  if (targets.length === 0) return void notes.push(`${what}: no target left, so it is left out`);
  return { name: route.name, prefix, targets: targets.map((t) => ({ virtualNode: t.virtualNode, weight: t.weight })) };
}

function fileRouters(routers: readonly DescribedVirtualRouter[], nodes: ReadonlySet<string>, notes: string[]): VirtualRouterDecl[] {
  return unique(routers, (vr) => `virtual router "${vr.name}"`, notes).flatMap((vr) => {
    const listener = oneListener(vr.listeners, `virtual router "${vr.name}"`, notes);
    if (!listener) return [];
    const routes = vr.routes.flatMap((rt) => fileRoute(rt, vr.name, nodes, notes) ?? []);
    return [{ name: vr.name, listener, routes: unique(routes, (rt) => `route "${rt.name}" of virtual router "${vr.name}"`, notes) }];
  });
}

function fileServices(
  services: readonly DescribedVirtualService[],
  nodes: ReadonlySet<string>,
  routers: ReadonlySet<string>,
  notes: string[],
): VirtualServiceDecl[] {
  return unique(services, (s) => `virtual service "${s.name}"`, notes).flatMap((s): VirtualServiceDecl[] => {
    const p = s.provider;
    const ok = p && ('virtualNode' in p ? nodes.has(p.virtualNode) : routers.has(p.virtualRouter));
    if (ok) return [{ name: s.name, provider: { ...p } }];
    const which = !p ? 'no provider' : 'virtualNode' in p ? `virtual node "${p.virtualNode}"` : `virtual router "${p.virtualRouter}"`;
    notes.push(`virtual service "${s.name}": ${p ? `its provider ${which} is not in the mesh file` : which}, so it is left out`);
    return [];
  });
}

function keepBackends(nodes: VirtualNodeDecl[], services: ReadonlySet<string>, notes: string[]): void {
  for (const n of nodes) {
    n.backends = [...new Set(n.backends)].filter((b) => {
      if (!services.has(b)) notes.push(`virtual node "${n.name}": backend "${b}" is not a virtual service of the mesh file, left out`);
      return services.has(b);
    });
  }
}

function rewriteOf(route: DescribedGatewayRoute): boolean {
  // App Mesh's own default when a route does not say: the matched prefix is rewritten to /.
  return 'rewritePrefix' in route && typeof route.rewritePrefix === 'boolean' ? route.rewritePrefix : true;
}

function fileGatewayRoute(route: DescribedGatewayRoute, services: ReadonlySet<string>, notes: string[]): GatewayRouteDecl | undefined {
  const what = `gateway route "${route.name}" of virtual gateway "${route.gateway}"`;
  if (!route.prefix?.startsWith('/')) return void notes.push(`${what}: does not match by path prefix, so it is left out`);
  if (route.virtualService === undefined) return void notes.push(`${what}: no virtual service target, so it is left out`);
  if (!services.has(route.virtualService)) {
    return void notes.push(`${what}: target "${route.virtualService}" is not a virtual service of the mesh file, so it is left out`);
  }
  return { name: route.name, prefix: route.prefix, virtualService: route.virtualService, rewritePrefix: rewriteOf(route) };
}

function fileGateway(desc: MeshDescription, services: ReadonlySet<string>, notes: string[]): VirtualGatewayDecl | undefined {
  const gateways = unique(desc.virtualGateways, (g) => `virtual gateway "${g.name}"`, notes);
  let kept: VirtualGatewayDecl | undefined;
  for (const g of gateways) {
    const routes = desc.gatewayRoutes.filter((gr) => gr.gateway === g.name);
    const what = `virtual gateway "${g.name}"`;
    if (kept) {
      notes.push(`${what}: the mesh file holds one gateway ("${kept.name}"), so it and its ${routes.length} route(s) are left out`);
      continue;
    }
    const listener = oneListener(g.listeners, what, notes);
    if (!listener) {
      if (routes.length > 0) notes.push(`${what}: its ${routes.length} route(s) are left out with it`);
      continue;
    }
    const declared = routes.flatMap((gr) => fileGatewayRoute(gr, services, notes) ?? []);
    kept = { name: g.name, listener, routes: unique(declared, (gr) => `gateway route "${gr.name}" of virtual gateway "${g.name}"`, notes) };
  }
  const known = new Set(gateways.map((g) => g.name));
  for (const gr of desc.gatewayRoutes.filter((x) => !known.has(x.gateway))) {
    notes.push(`gateway route "${gr.name}": its virtual gateway "${gr.gateway}" is not in the mesh file, so it is left out`);
  }
  return kept;
}

/** The Cloud Map namespace the nodes are found in; the file declares one (without its VPC, which no description says). */
function fileNamespace(nodes: readonly VirtualNodeDecl[], notes: string[]): MeshFile['namespace'] {
  const byNamespace = new Map<string, string[]>();
  for (const n of nodes) {
    if (!('cloudMap' in n.serviceDiscovery)) continue;
    const { namespace, service } = n.serviceDiscovery.cloudMap;
    const services = byNamespace.get(namespace) ?? byNamespace.set(namespace, []).get(namespace)!;
    if (!services.includes(service)) services.push(service);
  }
  const [first, ...rest] = [...byNamespace.entries()];
  for (const [name] of rest) {
    notes.push(`Cloud Map namespace "${name}": the mesh file declares one namespace ("${first![0]}"), so it is not declared`);
  }
  return first && { name: first[0], services: first[1] };
}

function egressOf(desc: MeshDescription): EgressFilter {
  return 'egressFilter' in desc && (desc.egressFilter === 'ALLOW_ALL' || desc.egressFilter === 'DROP_ALL') ? desc.egressFilter : 'DROP_ALL';
}

/**
 * A description in; the same mesh in meshctl's mesh file schema out, with a note for each thing the schema
 * cannot hold (a second listener, a non-http route, a second gateway, ...) naming the object and what was left
 * out. Anything left out takes what depends on it along (a route to a left-out node), so the file validates.
 */
export function descriptionToMeshFile(desc: MeshDescription): { file: MeshFile; notes: string[] } {
  if (!isName(desc.mesh)) {
    throw new InputError(`${desc.source}: mesh "${desc.mesh}" is not a name the mesh file can hold (letters, digits, . _ -)`);
  }
  const notes: string[] = [];
  const virtualNodes = fileNodes(desc.virtualNodes, notes);
  const nodeNames = new Set(virtualNodes.map((n) => n.name));
  const virtualRouters = fileRouters(desc.virtualRouters, nodeNames, notes);
  const virtualServices = fileServices(desc.virtualServices, nodeNames, new Set(virtualRouters.map((vr) => vr.name)), notes);
  const serviceNames = new Set(virtualServices.map((s) => s.name));
  keepBackends(virtualNodes, serviceNames, notes);
  const virtualGateway = fileGateway(desc, serviceNames, notes);
  const namespace = fileNamespace(virtualNodes, notes);
  const file: MeshFile = {
    ...(namespace ? { namespace } : {}),
    mesh: { name: desc.mesh, egressFilter: egressOf(desc) },
    virtualNodes,
    virtualRouters,
    virtualServices,
    ...(virtualGateway ? { virtualGateway } : {}),
  };
  return { file, notes };
}
