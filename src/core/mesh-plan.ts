import { diffJson, type Change } from './json-diff.js';
import type {
  GatewayRouteDecl,
  Listener,
  MeshFile,
  RouteDecl,
  VirtualGatewayDecl,
  VirtualNodeDecl,
  VirtualRouterDecl,
  VirtualServiceDecl,
} from './mesh-file.js';

/** Kinds in dependency order: apply creates in this order, prune and delete go backwards. */
export const MESH_KINDS = [
  'namespace',
  'cloudMapService',
  'mesh',
  'virtualNode',
  'virtualRouter',
  'route',
  'virtualService',
  'virtualGateway',
  'gatewayRoute',
] as const;
export type MeshKind = (typeof MESH_KINDS)[number];

/** One object of the mesh side, in the file's terms (`decl`), with its parent (router or gateway) for routes. */
export interface MeshObject {
  kind: MeshKind;
  name: string;
  parent?: string;
  decl: unknown;
}

export interface MeshAction extends MeshObject {
  action: 'create' | 'update' | 'unchanged' | 'delete';
  changes: Change[];
}

const key = (o: { kind: string; name: string; parent?: string }) => `${o.kind}/${o.parent ?? ''}/${o.name}`;

/** A mesh file (or what exists, read back into the file's terms) as a flat list of objects. */
export function meshObjects(f: Partial<MeshFile>): MeshObject[] {
  const out: MeshObject[] = [];
  if (f.namespace) {
    // A namespace cannot be changed in place: only whether it exists is compared.
    out.push({ kind: 'namespace', name: f.namespace.name, decl: {} });
    for (const s of f.namespace.services) out.push({ kind: 'cloudMapService', name: s, parent: f.namespace.name, decl: {} });
  }
  if (f.mesh) out.push({ kind: 'mesh', name: f.mesh.name, decl: { egressFilter: f.mesh.egressFilter } });
  for (const { name, ...n } of f.virtualNodes ?? [])
    out.push({ kind: 'virtualNode', name, decl: { ...n, backends: [...n.backends].sort() } });
  for (const { name, routes, ...r } of f.virtualRouters ?? []) {
    out.push({ kind: 'virtualRouter', name, decl: r });
    for (const { name: routeName, ...route } of routes) out.push({ kind: 'route', name: routeName, parent: name, decl: route });
  }
  for (const { name, ...s } of f.virtualServices ?? []) out.push({ kind: 'virtualService', name, decl: s });
  if (f.virtualGateway) {
    const { name, routes, ...g } = f.virtualGateway;
    out.push({ kind: 'virtualGateway', name, decl: g });
    for (const { name: routeName, ...route } of routes) out.push({ kind: 'gatewayRoute', name: routeName, parent: name, decl: route });
  }
  return out;
}

const order = (o: MeshObject) => MESH_KINDS.indexOf(o.kind);

/**
 * What the file declares and what exists (both in the file's terms) in; the actions that make them
 * equal out: creates and updates in dependency order, then, with `prune`, deletes of what the file
 * does not declare, in reverse order. Nothing outside the file is touched without `prune`.
 */
export function planMesh(desired: Partial<MeshFile>, actual: readonly MeshObject[], options: { prune?: boolean } = {}): MeshAction[] {
  const have = new Map(actual.map((o) => [key(o), o]));
  const want = meshObjects(desired);
  const actions: MeshAction[] = want
    .sort((a, b) => order(a) - order(b))
    .map((o) => {
      const existing = have.get(key(o));
      if (!existing) return { ...o, action: 'create', changes: diffJson({}, o.decl) };
      const changes = diffJson(existing.decl, o.decl);
      return { ...o, action: changes.length ? 'update' : 'unchanged', changes };
    });
  if (options.prune) {
    const wanted = new Set(want.map(key));
    const extra = [...have.values()].filter((o) => !wanted.has(key(o)) && o.kind !== 'mesh' && o.kind !== 'namespace');
    actions.push(
      ...extra.sort((a, b) => order(b) - order(a)).map((o): MeshAction => ({ ...o, action: 'delete', changes: diffJson(o.decl, {}) })),
    );
  }
  return actions;
}

/** Every object of the file, for `mesh delete`: reverse dependency order. */
export function deletionOrder(f: Partial<MeshFile>, exists: (o: MeshObject) => boolean): MeshAction[] {
  return meshObjects(f)
    .filter(exists)
    .sort((a, b) => order(b) - order(a))
    .map((o) => ({ ...o, action: 'delete', changes: [] }));
}

// App Mesh's API shapes, to and from the file's terms.

const listenerToAws = (l: Listener) => ({ portMapping: { port: l.port, protocol: l.protocol } });
const listenerFromAws = (l: { portMapping?: { port?: number; protocol?: string } } | undefined): Listener => ({
  port: l?.portMapping?.port ?? 0,
  protocol: (l?.portMapping?.protocol ?? 'http') as Listener['protocol'],
});

export function toAwsSpec(kind: MeshKind, decl: unknown): Record<string, unknown> {
  switch (kind) {
    case 'mesh':
      return { egressFilter: { type: (decl as { egressFilter: string }).egressFilter } };
    case 'virtualNode': {
      const n = decl as Omit<VirtualNodeDecl, 'name'>;
      return {
        listeners: [{ ...listenerToAws(n.listener), ...(n.healthCheck ? { healthCheck: n.healthCheck } : {}) }],
        serviceDiscovery:
          'cloudMap' in n.serviceDiscovery
            ? // attributes: optional in AWS, required by moto; an empty list means the same to both.
              {
                awsCloudMap: {
                  namespaceName: n.serviceDiscovery.cloudMap.namespace,
                  serviceName: n.serviceDiscovery.cloudMap.service,
                  attributes: [],
                },
              }
            : { dns: { hostname: n.serviceDiscovery.dns.hostname } },
        backends: n.backends.map((b) => ({ virtualService: { virtualServiceName: b } })),
      };
    }
    case 'virtualRouter':
      return { listeners: [listenerToAws((decl as Omit<VirtualRouterDecl, 'name' | 'routes'>).listener)] };
    case 'route': {
      const r = decl as Omit<RouteDecl, 'name'>;
      return {
        httpRoute: {
          match: { prefix: r.prefix },
          action: { weightedTargets: r.targets.map((t) => ({ virtualNode: t.virtualNode, weight: t.weight })) },
        },
      };
    }
    case 'virtualService': {
      const p = (decl as Omit<VirtualServiceDecl, 'name'>).provider;
      return {
        provider:
          'virtualRouter' in p
            ? { virtualRouter: { virtualRouterName: p.virtualRouter } }
            : { virtualNode: { virtualNodeName: p.virtualNode } },
      };
    }
    case 'virtualGateway':
      return { listeners: [listenerToAws((decl as Omit<VirtualGatewayDecl, 'name' | 'routes'>).listener)] };
    case 'gatewayRoute': {
      const g = decl as Omit<GatewayRouteDecl, 'name'>;
      return {
        httpRoute: {
          match: { prefix: g.prefix },
          action: {
            target: { virtualService: { virtualServiceName: g.virtualService } },
            // App Mesh rewrites the matched prefix to / unless told not to; the file says which.
            rewrite: { prefix: { defaultPrefix: g.rewritePrefix ? 'ENABLED' : 'DISABLED' } },
          },
        },
      };
    }
    default:
      return {};
  }
}

type AwsSpec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An App Mesh spec as DescribeX returns it, in the file's terms (the inverse of toAwsSpec). */
export function fromAwsSpec(kind: MeshKind, spec: AwsSpec | undefined): unknown {
  const s = spec ?? {};
  switch (kind) {
    case 'mesh':
      return { egressFilter: s.egressFilter?.type ?? 'DROP_ALL' };
    case 'virtualNode': {
      const l = s.listeners?.[0];
      const cm = s.serviceDiscovery?.awsCloudMap;
      const hc = l?.healthCheck;
      return {
        listener: listenerFromAws(l),
        ...(hc
          ? {
              healthCheck: {
                protocol: hc.protocol,
                ...(hc.path !== undefined ? { path: hc.path } : {}),
                intervalMillis: hc.intervalMillis,
                timeoutMillis: hc.timeoutMillis,
                healthyThreshold: hc.healthyThreshold,
                unhealthyThreshold: hc.unhealthyThreshold,
              },
            }
          : {}),
        serviceDiscovery: cm
          ? { cloudMap: { namespace: cm.namespaceName, service: cm.serviceName } }
          : { dns: { hostname: s.serviceDiscovery?.dns?.hostname } },
        backends: (s.backends ?? []).map((b: AwsSpec) => b.virtualService?.virtualServiceName).sort(),
      };
    }
    case 'virtualRouter':
    case 'virtualGateway':
      return { listener: listenerFromAws(s.listeners?.[0]) };
    case 'route': {
      const r = s.httpRoute ?? {};
      return {
        prefix: r.match?.prefix ?? '/',
        targets: (r.action?.weightedTargets ?? []).map((t: AwsSpec) => ({ virtualNode: t.virtualNode, weight: t.weight })),
      };
    }
    case 'virtualService': {
      const p = s.provider ?? {};
      return {
        provider: p.virtualRouter ? { virtualRouter: p.virtualRouter.virtualRouterName } : { virtualNode: p.virtualNode?.virtualNodeName },
      };
    }
    case 'gatewayRoute': {
      const r = s.httpRoute ?? {};
      return {
        prefix: r.match?.prefix,
        virtualService: r.action?.target?.virtualService?.virtualServiceName,
        rewritePrefix: r.action?.rewrite?.prefix?.defaultPrefix !== 'DISABLED',
      };
    }
    default:
      return {};
  }
}

/** What exists, as a mesh file: `mesh export` writes it, so export then plan shows no change. */
export function toMeshFile(objects: readonly MeshObject[]): Partial<MeshFile> {
  const of = (kind: MeshKind) => objects.filter((o) => o.kind === kind);
  const f: Partial<MeshFile> = {};
  const ns = of('namespace')[0];
  if (ns) f.namespace = { name: ns.name, services: of('cloudMapService').map((s) => s.name) };
  const mesh = of('mesh')[0];
  if (mesh) f.mesh = { name: mesh.name, ...(mesh.decl as { egressFilter: 'DROP_ALL' | 'ALLOW_ALL' }) };
  f.virtualNodes = of('virtualNode').map((o) => ({ name: o.name, ...(o.decl as Omit<VirtualNodeDecl, 'name'>) }));
  f.virtualRouters = of('virtualRouter').map((o) => ({
    name: o.name,
    ...(o.decl as { listener: Listener }),
    routes: of('route')
      .filter((r) => r.parent === o.name)
      .map((r) => ({ name: r.name, ...(r.decl as Omit<RouteDecl, 'name'>) })),
  }));
  f.virtualServices = of('virtualService').map((o) => ({ name: o.name, ...(o.decl as Omit<VirtualServiceDecl, 'name'>) }));
  const gw = of('virtualGateway')[0];
  if (gw) {
    f.virtualGateway = {
      name: gw.name,
      ...(gw.decl as { listener: Listener }),
      routes: of('gatewayRoute')
        .filter((r) => r.parent === gw.name)
        .map((r) => ({ name: r.name, ...(r.decl as Omit<GatewayRouteDecl, 'name'>) })),
    };
  }
  return f;
}
