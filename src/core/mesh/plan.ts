import { InputError } from '../../errors.js';
import { diffJson, type Change } from '../json-diff.js';
import {
  compact,
  fromAwsShape,
  listenerFields,
  SHAPES,
  type GatewayListener,
  type GatewayRouteDecl,
  type HealthCheck,
  type MeshFile,
  type NodeListener,
  type Protocol,
  type RouteDecl,
  type Shape,
  type VirtualGatewayDecl,
  type VirtualNodeDecl,
  type VirtualRouterDecl,
  type VirtualServiceDecl,
} from './file.js';

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
  /** In the file's terms; a removal at a path under `spec.` is an App Mesh field the file cannot express. */
  changes: Change[];
}

const key = (o: { kind: string; name: string; parent?: string }) => `${o.kind}/${o.parent ?? ''}/${o.name}`;

/** The file's form of an object: a validated file's `listener` is dropped where `listeners` says it all. */
function fileForm<T extends { listener?: unknown; listeners?: unknown }>(o: T): Omit<T, 'listener'> | T {
  if (o.listeners === undefined) return o;
  const { listener: _first, ...rest } = o;
  return rest;
}

/** Backends compare as a set: App Mesh keeps no order for them. */
function comparable(kind: MeshKind, decl: unknown): unknown {
  const d = decl as { backends?: unknown };
  return kind === 'virtualNode' && Array.isArray(d.backends) ? { ...d, backends: [...(d.backends as string[])].sort() } : decl;
}

/** A mesh file (or what exists, read back into the file's terms) as a flat list of objects. */
export function meshObjects(f: Partial<MeshFile>): MeshObject[] {
  const out: MeshObject[] = [];
  if (f.namespace) {
    // A namespace cannot be changed in place: only whether it exists is compared.
    out.push({ kind: 'namespace', name: f.namespace.name, decl: {} });
    for (const s of f.namespace.services) out.push({ kind: 'cloudMapService', name: s, parent: f.namespace.name, decl: {} });
  }
  if (f.mesh) {
    const { name, ...mesh } = f.mesh;
    out.push({ kind: 'mesh', name, decl: mesh });
  }
  for (const { name, ...n } of f.virtualNodes ?? []) out.push({ kind: 'virtualNode', name, decl: fileForm(n) });
  for (const { name, routes, ...r } of f.virtualRouters ?? []) {
    out.push({ kind: 'virtualRouter', name, decl: fileForm(r) });
    for (const { name: routeName, ...route } of routes) out.push({ kind: 'route', name: routeName, parent: name, decl: route });
  }
  for (const { name, ...s } of f.virtualServices ?? []) out.push({ kind: 'virtualService', name, decl: s });
  if (f.virtualGateway) {
    const { name, routes, ...g } = f.virtualGateway;
    out.push({ kind: 'virtualGateway', name, decl: fileForm(g) });
    for (const { name: routeName, ...route } of routes) out.push({ kind: 'gatewayRoute', name: routeName, parent: name, decl: route });
  }
  return out;
}

const order = (o: MeshObject) => MESH_KINDS.indexOf(o.kind);

/** Where fromAwsSpec records, in a decl read from App Mesh, the spec fields the file cannot express (path → value). */
const UNEXPRESSIBLE = 'unexpressible';
/** Changes at paths under `spec.` name App Mesh fields the file cannot express; no file field is called `spec`. */
const AWS_PATH = 'spec.';

const unexpressibleOf = (decl: unknown): Record<string, unknown> =>
  ((decl as Record<string, unknown> | undefined)?.[UNEXPRESSIBLE] as Record<string, unknown> | undefined) ?? {};
const withoutUnexpressible = (decl: unknown): Record<string, unknown> => {
  const { [UNEXPRESSIBLE]: _lost, ...rest } = (decl ?? {}) as Record<string, unknown>;
  return rest;
};
const describeObject = (o: { kind: string; name: string; parent?: string }) => `${o.kind} ${o.parent ? `${o.parent}/` : ''}${o.name}`;

/** From what exists to what is wanted: the file's fields, then a removal for each field the file cannot express. */
function changesBetween(kind: MeshKind, have: unknown, want: unknown): Change[] {
  const lost = Object.entries(unexpressibleOf(have)).map(([path, value]): Change => ({ op: 'remove', path, value }));
  return [...diffJson(comparable(kind, withoutUnexpressible(have)), comparable(kind, want)), ...lost];
}

/**
 * What the file declares and what exists (both in the file's terms) in; the actions that make them
 * equal out: creates and updates in dependency order, then, with `prune`, deletes of what the file
 * does not declare, in reverse order. Nothing outside the file is touched without `prune`. An object
 * holding fields the file cannot express is an update that removes them (paths `spec.…`), never unchanged.
 */
export function planMesh(desired: Partial<MeshFile>, actual: readonly MeshObject[], options: { prune?: boolean } = {}): MeshAction[] {
  const have = new Map(actual.map((o) => [key(o), o]));
  const want = meshObjects(desired);
  const actions: MeshAction[] = want
    .sort((a, b) => order(a) - order(b))
    .map((o) => {
      const existing = have.get(key(o));
      if (!existing) return { ...o, action: 'create', changes: diffJson({}, o.decl) };
      const changes = changesBetween(o.kind, existing.decl, o.decl);
      return { ...o, action: changes.length ? 'update' : 'unchanged', changes };
    });
  if (options.prune) {
    const wanted = new Set(want.map(key));
    const extra = [...have.values()].filter((o) => !wanted.has(key(o)) && o.kind !== 'mesh' && o.kind !== 'namespace');
    actions.push(
      ...extra
        .sort((a, b) => order(b) - order(a))
        .map((o): MeshAction => ({
          ...o,
          decl: withoutUnexpressible(o.decl),
          action: 'delete',
          changes: changesBetween(o.kind, o.decl, {}),
        })),
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

/** The plan in; one message per field an update would remove because the mesh file cannot express it (none: apply loses nothing). */
export function unexpressibleLosses(actions: readonly MeshAction[]): string[] {
  return actions
    .filter((a) => a.action === 'update')
    .flatMap((a) =>
      a.changes
        .filter((c) => c.op === 'remove' && c.path.startsWith(AWS_PATH))
        .map((c) => `${describeObject(a)}: ${c.path} is not expressible in the mesh file; apply would remove it`),
    );
}

/** Throws, before apply writes anything, when an update would remove what the file cannot express; names each object and field. */
export function refuseUnexpressibleLosses(actions: readonly MeshAction[]): void {
  const lost = unexpressibleLosses(actions);
  if (lost.length === 0) return;
  throw new InputError(
    [
      ...lost,
      'apply changed nothing. To keep these objects as they are, leave them out of the file (and do not --prune); to let apply manage them, remove those fields in App Mesh first',
    ].join('\n'),
  );
}

/** What exists in; a note for each App Mesh field the file cannot express (plan shows it as a removal; export leaves it out). */
export function unexpressibleNotes(objects: readonly MeshObject[]): string[] {
  return objects.flatMap((o) =>
    Object.keys(unexpressibleOf(o.decl)).map(
      (path) => `${describeObject(o)}: ${path} is not expressible in the mesh file; export leaves it out, and apply refuses to update it`,
    ),
  );
}

// App Mesh's API shapes, to and from the file's terms. The file mirrors App Mesh's field names, so most of
// this is moving fields: a listener's portMapping is flattened, a route's kind becomes `protocol`, its match
// prefix the route's `prefix`, and names become plain strings.

type Decl = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type AwsSpec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROUTE_KEYS = [
  ['http', 'httpRoute'],
  ['http2', 'http2Route'],
  ['grpc', 'grpcRoute'],
  ['tcp', 'tcpRoute'],
] as const satisfies readonly (readonly [Protocol, string])[];
const ROUTE_SHAPES: Record<Protocol, { match: Shape; retry?: Shape; timeout: Shape }> = {
  http: { match: SHAPES.httpMatch, retry: SHAPES.httpRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  http2: { match: SHAPES.httpMatch, retry: SHAPES.httpRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  grpc: { match: SHAPES.grpcMatch, retry: SHAPES.grpcRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  tcp: { match: SHAPES.tcpMatch, timeout: SHAPES.tcpRouteTimeout },
};
const routeKey = (protocol: Protocol) => ROUTE_KEYS.find(([p]) => p === protocol)![1];
const hasPrefix = (protocol: Protocol) => protocol === 'http' || protocol === 'http2';

/** A decl's listeners, whichever form it has (a node's `healthCheck` belongs to its one `listener`). */
function listenersOf(d: Decl): Decl[] {
  if (Array.isArray(d.listeners)) return d.listeners;
  return d.listener ? [compact({ ...d.listener, healthCheck: d.healthCheck })] : [];
}
const listenerToAws = ({ port, protocol, ...rest }: Decl) => ({ portMapping: { port, protocol }, ...rest });

function serviceDiscoveryToAws(sd: Decl | undefined): Decl | undefined {
  if (sd?.cloudMap) {
    const { namespace, service, attributes, ipPreference } = sd.cloudMap;
    // attributes: optional in AWS, required by moto; an empty list means the same to both.
    return { awsCloudMap: compact({ namespaceName: namespace, serviceName: service, attributes: attributes ?? [], ipPreference }) };
  }
  return sd?.dns ? { dns: compact({ ...sd.dns }) } : undefined;
}

/** A decl (the file's terms, as planMesh holds it) in; the spec App Mesh's Create and Update calls take out. */
export function toAwsSpec(kind: MeshKind, decl: unknown): Record<string, unknown> {
  const d = (decl ?? {}) as Decl;
  switch (kind) {
    case 'mesh':
      return compact({ egressFilter: { type: d.egressFilter }, serviceDiscovery: d.serviceDiscovery });
    case 'virtualNode':
      return compact({
        listeners: listenersOf(d).map(listenerToAws),
        serviceDiscovery: serviceDiscoveryToAws(d.serviceDiscovery),
        backends: ((d.backends ?? []) as string[]).map((b) => ({
          virtualService: compact({ virtualServiceName: b, clientPolicy: d.backendClientPolicies?.[b] }),
        })),
        backendDefaults: d.backendDefaults,
        logging: d.logging,
      });
    case 'virtualRouter':
      return { listeners: listenersOf(d).map((l) => ({ portMapping: { port: l.port, protocol: l.protocol } })) };
    case 'route': {
      const protocol: Protocol = d.protocol ?? 'http';
      const match = hasPrefix(protocol) ? compact({ prefix: d.prefix, ...d.match }) : d.match;
      const route = compact({
        // App Mesh requires a match object on every kind but tcp.
        match: protocol === 'tcp' ? match : (match ?? {}),
        action: {
          weightedTargets: ((d.targets ?? []) as Decl[]).map((t) =>
            compact({ virtualNode: t.virtualNode, weight: t.weight, port: t.port }),
          ),
        },
        retryPolicy: d.retryPolicy,
        timeout: d.timeout,
      });
      return compact({ priority: d.priority, [routeKey(protocol)]: route });
    }
    case 'virtualService': {
      const p = (d.provider ?? {}) as Decl;
      if (p.virtualRouter !== undefined) return { provider: { virtualRouter: { virtualRouterName: p.virtualRouter } } };
      return p.virtualNode !== undefined ? { provider: { virtualNode: { virtualNodeName: p.virtualNode } } } : {};
    }
    case 'virtualGateway':
      return compact({ listeners: listenersOf(d).map(listenerToAws), backendDefaults: d.backendDefaults, logging: d.logging });
    case 'gatewayRoute': {
      const protocol: Protocol = d.protocol ?? 'http';
      const action = compact({
        target: compact({ virtualService: { virtualServiceName: d.virtualService }, port: d.targetPort }),
        // App Mesh rewrites the matched prefix to / unless told not to; the file says which.
        rewrite: d.prefix !== undefined ? { prefix: { defaultPrefix: d.rewritePrefix ? 'ENABLED' : 'DISABLED' } } : undefined,
      });
      const match = hasPrefix(protocol) ? compact({ prefix: d.prefix, ...d.match }) : { ...d.match };
      return compact({ priority: d.priority, [routeKey(protocol)]: { match, action } });
    }
    default:
      return {};
  }
}

const portOf = (l: AwsSpec | undefined) => ({
  port: l?.portMapping?.port ?? 0,
  protocol: (l?.portMapping?.protocol ?? 'http') as Protocol,
});

function nodeListenerFromAws(l: AwsSpec | undefined): NodeListener {
  return compact({
    ...portOf(l),
    healthCheck: fromAwsShape(SHAPES.healthCheck, l?.healthCheck) as HealthCheck | undefined,
    timeout: fromAwsShape(SHAPES.listenerTimeout, l?.timeout) as NodeListener['timeout'],
    outlierDetection: fromAwsShape(SHAPES.outlierDetection, l?.outlierDetection) as NodeListener['outlierDetection'],
    connectionPool: fromAwsShape(SHAPES.nodeConnectionPool, l?.connectionPool) as NodeListener['connectionPool'],
    tls: fromAwsShape(SHAPES.listenerTls, l?.tls) as NodeListener['tls'],
  });
}

function gatewayListenerFromAws(l: AwsSpec | undefined): GatewayListener {
  return compact({
    ...portOf(l),
    healthCheck: fromAwsShape(SHAPES.healthCheck, l?.healthCheck) as HealthCheck | undefined,
    connectionPool: fromAwsShape(SHAPES.gatewayConnectionPool, l?.connectionPool) as GatewayListener['connectionPool'],
    tls: fromAwsShape(SHAPES.listenerTls, l?.tls) as GatewayListener['tls'],
  });
}

function serviceDiscoveryFromAws(sd: AwsSpec | undefined): Decl {
  const cm = sd?.awsCloudMap;
  if (cm) {
    const attributes = fromAwsShape(SHAPES.cloudMapAttributes, cm.attributes);
    return {
      cloudMap: compact({ namespace: cm.namespaceName, service: cm.serviceName, attributes, ipPreference: cm.ipPreference ?? undefined }),
    };
  }
  const dns = sd?.dns;
  // None (App Mesh allows it for a node without listeners): {} reads as none back, and the file says it needs one.
  return dns
    ? { dns: compact({ hostname: dns.hostname, responseType: dns.responseType ?? undefined, ipPreference: dns.ipPreference ?? undefined }) }
    : {};
}

/** The fields of an App Mesh spec mapped to the file's terms, and nothing else. */
function declFromAws(kind: MeshKind, s: AwsSpec): Decl {
  switch (kind) {
    case 'mesh':
      return compact({
        egressFilter: s.egressFilter?.type ?? 'DROP_ALL',
        serviceDiscovery: fromAwsShape(SHAPES.meshServiceDiscovery, s.serviceDiscovery),
      });
    case 'virtualNode': {
      const backends = ((s.backends ?? []) as AwsSpec[]).map((b) => b?.virtualService ?? {});
      const policies = backends
        .filter((b) => b.clientPolicy)
        .map((b) => [b.virtualServiceName, fromAwsShape(SHAPES.clientPolicy, b.clientPolicy)]);
      return compact({
        ...listenerFields(((s.listeners ?? []) as AwsSpec[]).map(nodeListenerFromAws), true),
        serviceDiscovery: serviceDiscoveryFromAws(s.serviceDiscovery),
        backends: backends.map((b) => b.virtualServiceName),
        backendDefaults: fromAwsShape(SHAPES.backendDefaults, s.backendDefaults),
        backendClientPolicies: policies.length ? Object.fromEntries(policies) : undefined,
        logging: fromAwsShape(SHAPES.logging, s.logging),
      });
    }
    case 'virtualRouter':
      return listenerFields(((s.listeners ?? []) as AwsSpec[]).map(portOf), false);
    case 'route': {
      const [protocol, field] = ROUTE_KEYS.find(([, k]) => s[k]) ?? ROUTE_KEYS[0];
      const r = (s[field] ?? {}) as AwsSpec;
      const shapes = ROUTE_SHAPES[protocol];
      return compact({
        protocol: protocol === 'http' ? undefined : protocol,
        priority: s.priority ?? undefined,
        prefix: hasPrefix(protocol) ? (r.match?.prefix ?? undefined) : undefined,
        match: fromAwsShape(shapes.match, r.match),
        targets: ((r.action?.weightedTargets ?? []) as AwsSpec[]).map((t) =>
          compact({ virtualNode: t.virtualNode, weight: t.weight, port: t.port ?? undefined }),
        ),
        retryPolicy: shapes.retry && fromAwsShape(shapes.retry, r.retryPolicy),
        timeout: fromAwsShape(shapes.timeout, r.timeout),
      });
    }
    case 'virtualService': {
      const p = s.provider ?? {};
      if (p.virtualRouter) return { provider: { virtualRouter: p.virtualRouter.virtualRouterName } };
      return { provider: p.virtualNode ? { virtualNode: p.virtualNode.virtualNodeName } : {} };
    }
    case 'virtualGateway':
      return compact({
        ...listenerFields(((s.listeners ?? []) as AwsSpec[]).map(gatewayListenerFromAws), false),
        backendDefaults: fromAwsShape(SHAPES.backendDefaults, s.backendDefaults),
        logging: fromAwsShape(SHAPES.logging, s.logging),
      });
    case 'gatewayRoute': {
      const [protocol, field] = ROUTE_KEYS.slice(0, 3).find(([, k]) => s[k]) ?? ROUTE_KEYS[0];
      const r = (s[field] ?? {}) as AwsSpec;
      const prefix = hasPrefix(protocol) ? (r.match?.prefix ?? undefined) : undefined;
      return compact({
        protocol: protocol === 'http' ? undefined : protocol,
        priority: s.priority ?? undefined,
        prefix,
        match: fromAwsShape(protocol === 'grpc' ? SHAPES.gatewayGrpcMatch : SHAPES.gatewayHttpMatch, r.match),
        virtualService: r.action?.target?.virtualService?.virtualServiceName,
        targetPort: r.action?.target?.port ?? undefined,
        // A route made without a rewrite block rewrites: App Mesh's default.
        rewritePrefix: prefix === undefined ? undefined : r.action?.rewrite?.prefix?.defaultPrefix !== 'DISABLED',
      });
    }
    default:
      return {};
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A spec as compared: no nulls, no empty lists or objects (App Mesh and moto leave them out or send them, alike). */
function normalized(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalized).filter((x) => x !== undefined);
    return items.length ? items : undefined;
  }
  if (isObj(v)) {
    const entries = Object.entries(v)
      .map(([k, x]) => [k, normalized(x)] as const)
      .filter(([, x]) => x !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return v ?? undefined;
}

/** The fields of `spec` that writing `decl` back would remove or change: what the file cannot express, by path. */
function lostFields(kind: MeshKind, spec: AwsSpec, decl: Decl): Record<string, unknown> {
  const lost: Record<string, unknown> = {};
  for (const c of diffJson(normalized(spec) ?? {}, normalized(toAwsSpec(kind, decl)) ?? {})) {
    if (c.op === 'remove') lost[`spec.${c.path}`] = c.value;
    if (c.op === 'change') lost[`spec.${c.path}`] = c.from;
  }
  return lost;
}

/**
 * An App Mesh spec as DescribeX returns it, in the file's terms (the inverse of toAwsSpec). Whatever toAwsSpec
 * could not write back is recorded under `unexpressible` by its spec path, so planMesh shows it and apply refuses.
 */
export function fromAwsSpec(kind: MeshKind, spec: AwsSpec | undefined): unknown {
  const decl = declFromAws(kind, spec ?? {});
  if (kind === 'namespace' || kind === 'cloudMapService') return decl;
  const lost = lostFields(kind, spec ?? {}, decl);
  return Object.keys(lost).length ? { ...decl, [UNEXPRESSIBLE]: lost } : decl;
}

/** What exists, as a mesh file: `mesh export` writes it, so export then plan shows no change (what it cannot express is left out, with a note). */
export function toMeshFile(objects: readonly MeshObject[]): Partial<MeshFile> {
  const of = (kind: MeshKind) => objects.filter((o) => o.kind === kind).map((o) => ({ ...o, decl: withoutUnexpressible(o.decl) }));
  const f: Partial<MeshFile> = {};
  const ns = of('namespace')[0];
  if (ns) f.namespace = { name: ns.name, services: of('cloudMapService').map((s) => s.name) };
  const mesh = of('mesh')[0];
  if (mesh) f.mesh = { name: mesh.name, ...(mesh.decl as Omit<MeshFile['mesh'], 'name'>) };
  f.virtualNodes = of('virtualNode').map((o) => ({ name: o.name, ...(o.decl as Omit<VirtualNodeDecl, 'name'>) }));
  f.virtualRouters = of('virtualRouter').map((o) => ({
    name: o.name,
    ...(o.decl as Omit<VirtualRouterDecl, 'name' | 'routes'>),
    routes: of('route')
      .filter((r) => r.parent === o.name)
      .map((r) => ({ name: r.name, ...(r.decl as Omit<RouteDecl, 'name'>) })),
  }));
  f.virtualServices = of('virtualService').map((o) => ({ name: o.name, ...(o.decl as Omit<VirtualServiceDecl, 'name'>) }));
  const gw = of('virtualGateway')[0];
  if (gw) {
    f.virtualGateway = {
      name: gw.name,
      ...(gw.decl as Omit<VirtualGatewayDecl, 'name' | 'routes'>),
      routes: of('gatewayRoute')
        .filter((r) => r.parent === gw.name)
        .map((r) => ({ name: r.name, ...(r.decl as Omit<GatewayRouteDecl, 'name'>) })),
    };
  }
  return f;
}
