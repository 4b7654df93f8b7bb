import type { MeshProtocol } from '../protocol.js';
import type {
  Listener,
  ListenerTimeout,
  OutlierDetection,
  ListenerTls,
  ClientPolicy,
  BackendDefaults,
  Logging,
  HttpTimeout,
  HealthCheck,
} from './file.js';
import {
  NodeListener,
  ConnectionPool,
  GatewayListener,
  VirtualNodeDecl,
  RouteMatch,
  RouteDecl,
  RetryPolicy,
  GatewayRouteDecl,
  MeshFile,
  VirtualRouterDecl,
  VirtualServiceDecl,
  VirtualGatewayDecl,
  GatewayRewrite,
} from './file.js';
import { Obj, isObj, Shape, compact, listenerFields, SHAPES } from './shapes.js';
import { FileReader, at } from './file-reader.js';
import { MESH_PROTOCOLS as PROTOCOLS, APP_PROTOCOLS as GATEWAY_PROTOCOLS } from '../protocol.js';

/** The `listener`, `listeners` (and a node's `healthCheck`) a validated file holds for these listeners. */
function validatedListeners<L extends Listener & { healthCheck?: HealthCheck }>(ls: L[], liftHealthCheck: boolean) {
  const fields = listenerFields(ls, liftHealthCheck);
  return { listener: fields.listener ?? { port: ls[0]!.port, protocol: ls[0]!.protocol }, ...fields };
}

const portsOf = (o: { listener: Listener; listeners?: Listener[] }) => (o.listeners ?? [o.listener]).map((l) => l.port);

function readNodeListener(r: FileReader, v: unknown, path: string): NodeListener {
  const o = r.obj(v, path);
  r.only(o, path, ['port', 'protocol', 'healthCheck', 'timeout', 'outlierDetection', 'connectionPool', 'tls']);
  const l = r.listener({ port: o.port, protocol: o.protocol }, path, PROTOCOLS);
  return compact({
    ...l,
    healthCheck: o.healthCheck === undefined ? undefined : r.healthCheck(o.healthCheck, `${path}.healthCheck`, PROTOCOLS, l.port),
    timeout: r.byProtocol<ListenerTimeout>(SHAPES.listenerTimeout, o.timeout, `${path}.timeout`, l.protocol),
    outlierDetection: r.shape<OutlierDetection>(SHAPES.outlierDetection, o.outlierDetection, `${path}.outlierDetection`),
    connectionPool: r.byProtocol<ConnectionPool>(SHAPES.nodeConnectionPool, o.connectionPool, `${path}.connectionPool`, l.protocol),
    tls: r.shape<ListenerTls>(SHAPES.listenerTls, o.tls, `${path}.tls`),
  });
}

function readGatewayListener(r: FileReader, v: unknown, path: string): GatewayListener {
  const o = r.obj(v, path);
  r.only(o, path, ['port', 'protocol', 'healthCheck', 'connectionPool', 'tls']);
  const l = r.listener({ port: o.port, protocol: o.protocol }, path, GATEWAY_PROTOCOLS);
  return compact({
    ...l,
    healthCheck: o.healthCheck === undefined ? undefined : r.healthCheck(o.healthCheck, `${path}.healthCheck`, GATEWAY_PROTOCOLS, l.port),
    connectionPool: r.byProtocol<ConnectionPool>(SHAPES.gatewayConnectionPool, o.connectionPool, `${path}.connectionPool`, l.protocol),
    tls: r.shape<ListenerTls>(SHAPES.listenerTls, o.tls, `${path}.tls`),
  });
}

function readNode(r: FileReader, v: unknown, p: string): VirtualNodeDecl {
  const o = r.obj(v, p);
  r.only(o, p, [
    'name',
    'listener',
    'listeners',
    'healthCheck',
    'serviceDiscovery',
    'backends',
    'backendDefaults',
    'backendClientPolicies',
    'logging',
  ]);
  const name = r.name(o.name, `${p}.name`);
  if (o.listeners !== undefined && o.healthCheck !== undefined)
    r.fail(`${p}.healthCheck`, 'with listeners, write each health check in its listener');
  const listeners = r.listeners(
    o,
    p,
    PROTOCOLS,
    (l, lp) => readNodeListener(r, l, lp),
    (l) =>
      compact({
        ...l,
        healthCheck: o.healthCheck === undefined ? undefined : r.healthCheck(o.healthCheck, `${p}.healthCheck`, PROTOCOLS, l.port),
      }),
  );
  const sd = r.obj(o.serviceDiscovery, `${p}.serviceDiscovery`);
  r.only(sd, `${p}.serviceDiscovery`, ['cloudMap', 'dns']);
  if (sd.cloudMap !== undefined && sd.dns !== undefined)
    r.fail(`${p}.serviceDiscovery`, 'needs cloudMap or dns, not both: a node has one discovery method');
  let serviceDiscovery: VirtualNodeDecl['serviceDiscovery'];
  if (sd.cloudMap !== undefined) {
    const cp = `${p}.serviceDiscovery.cloudMap`;
    const cm = r.obj(sd.cloudMap, cp);
    r.only(cm, cp, ['namespace', 'service', 'attributes', 'ipPreference']);
    serviceDiscovery = {
      cloudMap: compact({
        namespace: r.name(cm.namespace, `${cp}.namespace`),
        service: r.name(cm.service, `${cp}.service`),
        attributes: r.shape<{ key: string; value: string }[]>(SHAPES.cloudMapAttributes, cm.attributes, `${cp}.attributes`),
        ipPreference: r.shape<string>(SHAPES.ipPreference, cm.ipPreference, `${cp}.ipPreference`),
      }),
    };
  } else if (sd.dns !== undefined) {
    const dp = `${p}.serviceDiscovery.dns`;
    const d = r.obj(sd.dns, dp);
    r.only(d, dp, ['hostname', 'responseType', 'ipPreference']);
    serviceDiscovery = {
      dns: compact({
        hostname: r.name(d.hostname, `${dp}.hostname`),
        responseType: r.shape<'LOADBALANCER' | 'ENDPOINTS'>(SHAPES.dnsResponseType, d.responseType, `${dp}.responseType`),
        ipPreference: r.shape<string>(SHAPES.ipPreference, d.ipPreference, `${dp}.ipPreference`),
      }),
    };
  } else return r.fail(`${p}.serviceDiscovery`, 'needs cloudMap or dns');
  const backends = r.arr(o.backends, `${p}.backends`).map((b, j) => r.name(b, `${p}.backends[${j}]`));
  backends.forEach((b, j) => {
    if (backends.indexOf(b) < j) r.fail(`${p}.backends[${j}]`, `"${b}" is declared twice`);
  });
  let backendClientPolicies: Record<string, ClientPolicy> | undefined;
  if (o.backendClientPolicies !== undefined) {
    const bp = `${p}.backendClientPolicies`;
    const m = r.obj(o.backendClientPolicies, bp);
    backendClientPolicies = Object.fromEntries(
      Object.entries(m).map(([service, policy]) => {
        if (!backends.includes(service)) r.fail(at(bp, service), `"${service}" is not one of this node's backends`);
        return [service, r.shape<ClientPolicy>(SHAPES.clientPolicy, policy, at(bp, service))!];
      }),
    );
  }
  return {
    name,
    ...validatedListeners(listeners, true),
    serviceDiscovery,
    backends,
    ...compact({
      backendDefaults: r.shape<BackendDefaults>(SHAPES.backendDefaults, o.backendDefaults, `${p}.backendDefaults`),
      backendClientPolicies,
      logging: r.shape<Logging>(SHAPES.logging, o.logging, `${p}.logging`),
    }),
  };
}

/** The match shape, whether a prefix applies, and whether retries do, for each route protocol. */
const ROUTE_KINDS: Record<MeshProtocol, { match: Shape; prefix: boolean; retry?: Shape; timeout: Shape }> = {
  http: { match: SHAPES.httpMatch, prefix: true, retry: SHAPES.httpRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  http2: { match: SHAPES.httpMatch, prefix: true, retry: SHAPES.httpRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  grpc: { match: SHAPES.grpcMatch, prefix: false, retry: SHAPES.grpcRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  tcp: { match: SHAPES.tcpMatch, prefix: false, timeout: SHAPES.tcpRouteTimeout },
};
const GATEWAY_ROUTE_MATCH: Record<string, Shape> = {
  http: SHAPES.gatewayHttpMatch,
  http2: SHAPES.gatewayHttpMatch,
  grpc: SHAPES.gatewayGrpcMatch,
};

/** A route's protocol, prefix and match, checked against the listeners of its router or gateway. */
function readMatch(
  r: FileReader,
  o: Obj,
  p: string,
  listeners: readonly Listener[],
  matchShape: (protocol: MeshProtocol) => Shape,
  prefixes: (protocol: MeshProtocol) => boolean,
  owner: string,
  prefixRequired: boolean,
) {
  const offered = [...new Set(listeners.map((l) => l.protocol))];
  // No protocol: the listeners' one protocol, else http where they offer it (ambiguous otherwise: the check below says so).
  const protocol = r.oneOf(o.protocol, `${p}.protocol`, PROTOCOLS, offered.length === 1 ? offered[0] : 'http');
  if (o.protocol === undefined && !offered.includes(protocol))
    r.fail(`${p}.protocol`, `is needed: the ${owner}'s listeners offer ${offered.join(', ')}`);
  if (!offered.includes(protocol))
    r.fail(
      `${p}.protocol`,
      `must be the protocol of one of the ${owner}'s listeners (${offered.join(', ')}), found ${JSON.stringify(protocol)}`,
    );
  if (isObj(o.match) && o.match.prefix !== undefined) r.fail(`${p}.match.prefix`, "write the prefix as the route's own prefix");
  const match = r.shape<RouteMatch>(matchShape(protocol), o.match, `${p}.match`);
  if (match?.methodName !== undefined && match.serviceName === undefined) r.fail(`${p}.match.methodName`, 'needs match.serviceName');
  const ports = listeners.filter((l) => l.protocol === protocol).map((l) => l.port);
  if (match?.port !== undefined && !ports.includes(match.port))
    r.fail(`${p}.match.port`, `must be the port of one of the ${owner}'s ${protocol} listeners (${ports.join(', ')}), found ${match.port}`);
  let prefix: string | undefined;
  if (!prefixes(protocol)) {
    if (o.prefix !== undefined)
      r.fail(`${p}.prefix`, `a ${protocol} route has no prefix; match by ${protocol === 'grpc' ? 'match.serviceName' : 'port'}`);
  } else if (match?.path !== undefined) {
    if (o.prefix !== undefined) r.fail(`${p}.prefix`, 'a route matches a prefix or a path (match.path), not both');
  } else if (prefixRequired && o.prefix === undefined) {
    r.fail(`${p}.prefix`, 'needs a prefix or match.path');
  } else prefix = r.prefix(o.prefix ?? '/', `${p}.prefix`);
  return { protocol, prefix, match: match && Object.keys(match).length ? match : undefined };
}

function readRoute(r: FileReader, v: unknown, rp: string, router: { listeners: Listener[] }, nodes: Map<string, number[]>): RouteDecl {
  const ro = r.obj(v, rp);
  r.only(ro, rp, ['name', 'protocol', 'priority', 'prefix', 'match', 'targets', 'retryPolicy', 'timeout']);
  const name = r.name(ro.name, `${rp}.name`);
  const kinds = (protocol: MeshProtocol) => ROUTE_KINDS[protocol];
  const { protocol, prefix, match } = readMatch(
    r,
    ro,
    rp,
    router.listeners,
    (x) => kinds(x).match,
    (x) => kinds(x).prefix,
    'router',
    false,
  );
  const targets = r.arr(ro.targets, `${rp}.targets`, false).map((t, k) => {
    const tp = `${rp}.targets[${k}]`;
    const to = r.obj(t, tp);
    r.only(to, tp, ['virtualNode', 'weight', 'port']);
    const node = r.name(to.virtualNode, `${tp}.virtualNode`);
    const ports = nodes.get(node);
    if (!ports) r.fail(`${tp}.virtualNode`, `"${node}" is not a virtual node of this file`);
    const port = to.port === undefined ? undefined : r.int(to.port, `${tp}.port`, 1, 65535);
    if (port !== undefined && !ports.includes(port))
      r.fail(`${tp}.port`, `must be the port of one of ${node}'s listeners (${ports.join(', ')}), found ${port}`);
    return compact({ virtualNode: node, weight: r.int(to.weight, `${tp}.weight`, 0, 100, 1), port });
  });
  if (targets.length === 0) r.fail(`${rp}.targets`, 'needs at least one target');
  if (targets.length > 10) r.fail(`${rp}.targets`, `App Mesh takes at most 10 targets, found ${targets.length}`);
  const retry = kinds(protocol).retry;
  if (!retry && ro.retryPolicy !== undefined) r.fail(`${rp}.retryPolicy`, `a ${protocol} route has no retry policy`);
  return compact({
    name,
    protocol: protocol === 'http' ? undefined : protocol,
    priority: ro.priority === undefined ? undefined : r.int(ro.priority, `${rp}.priority`, 0, 1000),
    prefix,
    match,
    targets,
    retryPolicy: retry && r.shape<RetryPolicy>(retry, ro.retryPolicy, `${rp}.retryPolicy`),
    timeout: r.shape<HttpTimeout>(kinds(protocol).timeout, ro.timeout, `${rp}.timeout`),
  });
}

function readGatewayRoute(
  r: FileReader,
  v: unknown,
  rp: string,
  gateway: { listeners: Listener[] },
  services: Map<string, number[]>,
): GatewayRouteDecl {
  const ro = r.obj(v, rp);
  r.only(ro, rp, ['name', 'protocol', 'priority', 'prefix', 'match', 'virtualService', 'targetPort', 'rewritePrefix', 'rewrite']);
  const name = r.name(ro.name, `${rp}.name`);
  const prefixes = (x: MeshProtocol) => x !== 'grpc';
  const { protocol, prefix, match } = readMatch(r, ro, rp, gateway.listeners, (x) => GATEWAY_ROUTE_MATCH[x]!, prefixes, 'gateway', true);
  const vs = r.name(ro.virtualService, `${rp}.virtualService`);
  const ports = services.get(vs);
  if (!ports) r.fail(`${rp}.virtualService`, `"${vs}" is not a virtual service of this file`);
  const targetPort = ro.targetPort === undefined ? undefined : r.int(ro.targetPort, `${rp}.targetPort`, 1, 65535);
  if (targetPort !== undefined && !ports.includes(targetPort))
    r.fail(`${rp}.targetPort`, `must be the port of one of ${vs}'s provider's listeners (${ports.join(', ')}), found ${targetPort}`);
  if (ro.rewritePrefix !== undefined && typeof ro.rewritePrefix !== 'boolean') r.fail(`${rp}.rewritePrefix`, 'must be true or false');
  if (ro.rewritePrefix !== undefined && prefix === undefined) r.fail(`${rp}.rewritePrefix`, 'applies to a route that matches a prefix');
  const rewrite = r.shape<GatewayRewrite>(SHAPES.gatewayRewrite, ro.rewrite, `${rp}.rewrite`);
  if (rewrite?.prefix && prefix === undefined) r.fail(`${rp}.rewrite.prefix`, 'applies to a route that matches a prefix');
  if (rewrite?.path && match?.path === undefined) r.fail(`${rp}.rewrite.path`, 'applies to a route that matches a path (match.path)');
  return compact({
    name,
    protocol: protocol === 'http' ? undefined : protocol,
    priority: ro.priority === undefined ? undefined : r.int(ro.priority, `${rp}.priority`, 0, 1000),
    prefix,
    match,
    virtualService: vs,
    targetPort,
    rewritePrefix: prefix === undefined ? undefined : ro.rewritePrefix === true,
    rewrite,
  });
}

/** Parsed YAML or JSON in; a validated MeshFile out, or an InputError naming the path (`virtualNodes[1].listeners[0].port`). */
export function validateMeshFile(value: unknown, file: string): MeshFile {
  const r = new FileReader(file);
  const root = r.obj(value, '(top)');
  const rootKeys = ['namespace', 'mesh', 'virtualNodes', 'virtualRouters', 'virtualServices', 'externalVirtualServices', 'virtualGateway'];
  r.only(root, '', [...rootKeys, 'virtualGateways']);

  let namespace: MeshFile['namespace'];
  if (root.namespace !== undefined) {
    const n = r.obj(root.namespace, 'namespace');
    r.only(n, 'namespace', ['name', 'vpc', 'services']);
    if (n.vpc !== undefined && (typeof n.vpc !== 'string' || !/^vpc-[0-9a-f]+$/.test(n.vpc)))
      r.fail('namespace.vpc', `must be a VPC id (vpc-…), found ${JSON.stringify(n.vpc)}`);
    namespace = {
      name: r.name(n.name, 'namespace.name'),
      ...(n.vpc !== undefined ? { vpc: n.vpc as string } : {}),
      services: r.arr(n.services, 'namespace.services').map((s, i) => r.name(s, `namespace.services[${i}]`)),
    };
  }
  const m = r.obj(root.mesh, 'mesh');
  r.only(m, 'mesh', ['name', 'egressFilter', 'serviceDiscovery', 'owner']);
  if (m.owner !== undefined && (typeof m.owner !== 'string' || !/^\d{12}$/.test(m.owner)))
    r.fail('mesh.owner', `must be an AWS account id (12 digits), found ${JSON.stringify(m.owner)}`);
  const mesh = compact({
    name: r.name(m.name, 'mesh.name'),
    egressFilter: r.oneOf(m.egressFilter, 'mesh.egressFilter', ['DROP_ALL', 'ALLOW_ALL'] as const, 'DROP_ALL'),
    serviceDiscovery: r.shape<{ ipPreference: string }>(SHAPES.meshServiceDiscovery, m.serviceDiscovery, 'mesh.serviceDiscovery'),
    owner: m.owner as string | undefined,
  });

  const virtualNodes = r.unique(
    r.arr(root.virtualNodes, 'virtualNodes').map((v, i) => readNode(r, v, `virtualNodes[${i}]`)),
    'virtualNodes',
  );
  const nodePorts = new Map(virtualNodes.map((n) => [n.name, portsOf(n)]));
  // A node found through the file's own namespace needs its Cloud Map service declared there: apply
  // creates only those, and App Mesh takes a node whose service is missing, which then resolves nothing.
  virtualNodes.forEach((n, i) => {
    const cm = 'cloudMap' in n.serviceDiscovery ? n.serviceDiscovery.cloudMap : undefined;
    if (namespace && cm && cm.namespace === namespace.name && !namespace.services.includes(cm.service))
      r.fail(
        `virtualNodes[${i}].serviceDiscovery.cloudMap.service`,
        `"${cm.service}" is not among namespace.services (${namespace.services.join(', ') || 'none'}); declare it there`,
      );
  });

  const virtualRouters = r.unique(
    r.arr(root.virtualRouters, 'virtualRouters').map((v, i): VirtualRouterDecl => {
      const p = `virtualRouters[${i}]`;
      const o = r.obj(v, p);
      r.only(o, p, ['name', 'listener', 'listeners', 'routes']);
      const name = r.name(o.name, `${p}.name`);
      const listeners = r.listeners(
        o,
        p,
        PROTOCOLS,
        (l, lp) => r.listener(l, lp, PROTOCOLS),
        (l) => l,
      );
      const routes = r.unique(
        r.arr(o.routes, `${p}.routes`).map((rv, j) => readRoute(r, rv, `${p}.routes[${j}]`, { listeners }, nodePorts)),
        `${p}.routes`,
      );
      return { name, ...validatedListeners(listeners, false), routes };
    }),
    'virtualRouters',
  );
  const routerPorts = new Map(virtualRouters.map((x) => [x.name, portsOf(x)]));

  const virtualServices = r.unique(
    r.arr(root.virtualServices, 'virtualServices').map((v, i): VirtualServiceDecl => {
      const p = `virtualServices[${i}]`;
      const o = r.obj(v, p);
      r.only(o, p, ['name', 'provider']);
      const pr = r.obj(o.provider, `${p}.provider`);
      r.only(pr, `${p}.provider`, ['virtualRouter', 'virtualNode']);
      if (pr.virtualRouter !== undefined && pr.virtualNode !== undefined)
        r.fail(`${p}.provider`, 'needs virtualRouter or virtualNode, not both: a virtual service has one provider');
      let provider: VirtualServiceDecl['provider'];
      if (pr.virtualRouter !== undefined) {
        const name = r.name(pr.virtualRouter, `${p}.provider.virtualRouter`);
        if (!routerPorts.has(name)) r.fail(`${p}.provider.virtualRouter`, `"${name}" is not a virtual router of this file`);
        provider = { virtualRouter: name };
      } else if (pr.virtualNode !== undefined) {
        const name = r.name(pr.virtualNode, `${p}.provider.virtualNode`);
        if (!nodePorts.has(name)) r.fail(`${p}.provider.virtualNode`, `"${name}" is not a virtual node of this file`);
        provider = { virtualNode: name };
      } else return r.fail(`${p}.provider`, 'needs virtualRouter or virtualNode');
      return { name: r.name(o.name, `${p}.name`), provider };
    }),
    'virtualServices',
  );
  const servicePorts = new Map(
    virtualServices.map((s) => [
      s.name,
      'virtualRouter' in s.provider ? routerPorts.get(s.provider.virtualRouter)! : nodePorts.get(s.provider.virtualNode)!,
    ]),
  );
  const external = r.arr(root.externalVirtualServices, 'externalVirtualServices').map((s, i) => {
    const name = r.name(s, `externalVirtualServices[${i}]`);
    if (servicePorts.has(name)) r.fail(`externalVirtualServices[${i}]`, `"${name}" is declared in virtualServices`);
    return name;
  });
  virtualNodes.forEach((n, i) =>
    n.backends.forEach((b, j) => {
      if (!servicePorts.has(b) && !external.includes(b))
        r.fail(`virtualNodes[${i}].backends[${j}]`, `"${b}" is not a virtual service of this file (nor in externalVirtualServices)`);
    }),
  );

  if (root.virtualGateway !== undefined && root.virtualGateways !== undefined)
    r.fail('virtualGateways', 'write virtualGateway or virtualGateways, not both');
  const gatewayValues = root.virtualGateway !== undefined ? [root.virtualGateway] : r.arr(root.virtualGateways, 'virtualGateways');
  const gatewayPath = (i: number) => (root.virtualGateway !== undefined ? 'virtualGateway' : `virtualGateways[${i}]`);
  const virtualGateways = r.unique(
    gatewayValues.map((v, i) => readGateway(r, v, gatewayPath(i), servicePorts)),
    'virtualGateways',
  );
  return {
    ...(namespace ? { namespace } : {}),
    mesh,
    virtualNodes,
    virtualRouters,
    virtualServices,
    ...(external.length ? { externalVirtualServices: external } : {}),
    // The form the file wrote: the one-gateway shorthand stays one (older readers know it), a list stays a list.
    ...(root.virtualGateway !== undefined ? { virtualGateway: virtualGateways[0] } : virtualGateways.length ? { virtualGateways } : {}),
  };
}

function readGateway(r: FileReader, v: unknown, p: string, servicePorts: Map<string, number[]>): VirtualGatewayDecl {
  const o = r.obj(v, p);
  r.only(o, p, ['name', 'listener', 'listeners', 'backendDefaults', 'logging', 'routes']);
  const name = r.name(o.name, `${p}.name`);
  const listeners = r.listeners(
    o,
    p,
    GATEWAY_PROTOCOLS,
    (l, lp) => readGatewayListener(r, l, lp),
    (l) => l,
  );
  return {
    name,
    ...validatedListeners(listeners, false),
    ...compact({
      backendDefaults: r.shape<BackendDefaults>(SHAPES.backendDefaults, o.backendDefaults, `${p}.backendDefaults`),
      logging: r.shape<Logging>(SHAPES.logging, o.logging, `${p}.logging`),
    }),
    routes: r.unique(
      r.arr(o.routes, `${p}.routes`).map((rv, j) => readGatewayRoute(r, rv, `${p}.routes[${j}]`, { listeners }, servicePorts)),
      `${p}.routes`,
    ),
  };
}
