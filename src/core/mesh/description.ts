/**
 * What meshctl knows of an App Mesh mesh, whatever it was read from: App Mesh itself while it answers,
 * a meshctl mesh file, a CloudFormation template, or `terraform show -json` state. Every source gives
 * this one shape, so the migration plan does not care where the facts came from.
 */

import { MeshProtocol } from '../protocol.js';
import type { MeshObject } from './plan.js';
import { matchConditions } from './match.js';

/** An App Mesh object's name: letters, digits, `_`, `.` and `-`, at most 255 (the one copy of the rule). */
export const APP_MESH_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

export interface MeshListener {
  port: number;
  protocol: MeshProtocol;
}

export type NodeDiscovery = { cloudMap: { namespace: string; service: string } } | { dns: { hostname: string } };

export interface DescribedVirtualNode {
  name: string;
  /** Every listener, in order. */
  listeners: MeshListener[];
  /** Virtual service names this node calls. */
  backends: string[];
  discovery?: NodeDiscovery;
}

export interface DescribedRoute {
  name: string;
  kind: MeshProtocol;
  targets: { virtualNode: string; weight: number; port?: number }[];
  retryPolicy: boolean;
  timeout: boolean;
  /** http and http2 routes that match by path prefix. */
  prefix?: string;
  /** Its match conditions (core/mesh/match.ts); none or absent: a default route that takes every request. */
  matches?: string[];
}

export interface DescribedVirtualRouter {
  name: string;
  listeners: MeshListener[];
  routes: DescribedRoute[];
}

export interface DescribedVirtualService {
  /** The DNS name clients call (App Mesh names a virtual service by it). */
  name: string;
  provider?: { virtualNode: string } | { virtualRouter: string };
}

export interface DescribedGatewayRoute {
  gateway: string;
  name: string;
  prefix?: string;
  virtualService?: string;
  /** The port of the virtual service's provider it sends to (App Mesh's target.port): a router's or node's listener port. */
  targetPort?: number;
  /** Whether App Mesh rewrites the matched prefix to / (its default) for a prefix route. */
  rewritePrefix?: boolean;
  /** Its match conditions besides the prefix (hostname, headers, method, …; core/mesh/match.ts). */
  matches?: string[];
}

export interface MeshDescription {
  mesh: string;
  /** Where the facts came from, for the plan's output: `App Mesh`, `mesh file mesh.yaml`, `CloudFormation template t.yaml`, … */
  source: string;
  virtualNodes: DescribedVirtualNode[];
  virtualRouters: DescribedVirtualRouter[];
  virtualServices: DescribedVirtualService[];
  virtualGateways: { name: string; listeners: MeshListener[] }[];
  gatewayRoutes: DescribedGatewayRoute[];
  /** Values the source held that could not be resolved to a name (a Ref to a parameter, say), each saying where. */
  unresolved: string[];
  /**
   * Objects of a CloudFormation or Terraform source left out because their name, parent or mesh could not be
   * resolved (`virtual node Logical.Properties`); why is among `unresolved`. The plan refuses them unless --allow-partial.
   */
  dropped?: string[];
  egressFilter?: 'DROP_ALL' | 'ALLOW_ALL';
  /** The account that owns the mesh when it is shared with this one (App Mesh's meshOwner). */
  owner?: string;
  /**
   * Every object read, whole, in the mesh file's terms (as `mesh plan` compares them): the fields above are
   * derived from these, and `mesh import` writes them. Absent only for a description built by hand.
   */
  objects?: MeshObject[];
}

/** An empty description of `mesh` from `source`, to fill in. */
export function emptyMesh(mesh: string, source: string): MeshDescription {
  return {
    mesh,
    source,
    virtualNodes: [],
    virtualRouters: [],
    virtualServices: [],
    virtualGateways: [],
    gatewayRoutes: [],
    unresolved: [],
  };
}

type Decl = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A decl's listeners, whichever form it has (`listener` or `listeners`). */
const listenersOf = (d: Decl): MeshListener[] =>
  ((Array.isArray(d.listeners) ? d.listeners : d.listener ? [d.listener] : []) as Decl[]).map((l) => ({
    port: l.port,
    protocol: l.protocol,
  }));

function discoveryOf(sd: Decl | undefined): NodeDiscovery | undefined {
  if (sd?.cloudMap) return { cloudMap: { namespace: sd.cloudMap.namespace, service: sd.cloudMap.service } };
  return sd?.dns ? { dns: { hostname: sd.dns.hostname } } : undefined;
}

/**
 * The objects of one mesh (what `mesh plan` reads from App Mesh, a mesh file, a template or a state, in the
 * file's terms) in; the description the migration reads out. The one way every source becomes a description.
 * A route or gateway route whose parent is not among the objects is kept under one with unknown listeners.
 */
export function fromMeshObjects(mesh: string, source: string, objects: readonly MeshObject[]): MeshDescription {
  const desc: MeshDescription = { ...emptyMesh(mesh, source), objects: [...objects] };
  const of = (kind: MeshObject['kind']) => objects.filter((o) => o.kind === kind).map((o) => ({ ...o, d: (o.decl ?? {}) as Decl }));
  const meshDecl = of('mesh')[0]?.d;
  if (meshDecl?.egressFilter === 'DROP_ALL' || meshDecl?.egressFilter === 'ALLOW_ALL') desc.egressFilter = meshDecl.egressFilter;
  desc.virtualNodes = of('virtualNode').map(({ name, d }) => {
    const discovery = discoveryOf(d.serviceDiscovery);
    return { name, listeners: listenersOf(d), backends: [...((d.backends ?? []) as string[])], ...(discovery ? { discovery } : {}) };
  });
  desc.virtualRouters = of('virtualRouter').map(({ name, d }) => ({ name, listeners: listenersOf(d), routes: [] }));
  for (const { name, parent, d } of of('route')) {
    let router = desc.virtualRouters.find((r) => r.name === parent);
    if (!router) {
      router = { name: parent ?? '', listeners: [], routes: [] };
      desc.virtualRouters.push(router);
      desc.unresolved.push(`route "${name}": virtual router "${parent}" is not declared here; its listeners are unknown`);
    }
    const route: DescribedRoute = {
      name,
      kind: (d.protocol ?? 'http') as MeshProtocol,
      targets: ((d.targets ?? []) as Decl[]).map((t) => ({
        virtualNode: t.virtualNode,
        weight: t.weight,
        ...(t.port ? { port: t.port } : {}),
      })),
      retryPolicy: d.retryPolicy !== undefined,
      timeout: d.timeout !== undefined,
    };
    if (typeof d.prefix === 'string') route.prefix = d.prefix;
    const matches = matchConditions({ prefix: d.prefix, ...d.match });
    if (matches.length) route.matches = matches;
    router.routes.push(route);
  }
  desc.virtualServices = of('virtualService').map(({ name, d }) => {
    const p = (d.provider ?? {}) as Decl;
    if (typeof p.virtualNode === 'string') return { name, provider: { virtualNode: p.virtualNode } };
    return typeof p.virtualRouter === 'string' ? { name, provider: { virtualRouter: p.virtualRouter } } : { name };
  });
  desc.virtualGateways = of('virtualGateway').map(({ name, d }) => ({ name, listeners: listenersOf(d) }));
  desc.gatewayRoutes = of('gatewayRoute').map(({ name, parent, d }) => {
    const route: DescribedGatewayRoute = { gateway: parent ?? '', name };
    if (typeof d.prefix === 'string') route.prefix = d.prefix;
    if (typeof d.virtualService === 'string') route.virtualService = d.virtualService;
    if (typeof d.targetPort === 'number') route.targetPort = d.targetPort;
    if (typeof d.rewritePrefix === 'boolean') route.rewritePrefix = d.rewritePrefix;
    const matches = matchConditions(d.match);
    if (matches.length) route.matches = matches;
    return route;
  });
  return desc;
}
