import type { MeshProtocol } from '../protocol.js';
// App Mesh's API shapes, to and from the file's terms. The file mirrors App Mesh's field names, so most of
// this is moving fields: a listener's portMapping is flattened, a route's kind becomes `protocol`, its match
// prefix the route's `prefix`, and names become plain strings.

import { diffJson } from '../json-diff.js';
import type { NodeListener, GatewayListener, HealthCheck } from './file.js';
import { MeshKind, UNEXPRESSIBLE } from './plan.js';
import { Shape, SHAPES, compact, fromAwsShape, listenerFields } from './shapes.js';

type Decl = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type AwsSpec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROUTE_KEYS = [
  ['http', 'httpRoute'],
  ['http2', 'http2Route'],
  ['grpc', 'grpcRoute'],
  ['tcp', 'tcpRoute'],
] as const satisfies readonly (readonly [MeshProtocol, string])[];
const ROUTE_SHAPES: Record<MeshProtocol, { match: Shape; retry?: Shape; timeout: Shape }> = {
  http: { match: SHAPES.httpMatch, retry: SHAPES.httpRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  http2: { match: SHAPES.httpMatch, retry: SHAPES.httpRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  grpc: { match: SHAPES.grpcMatch, retry: SHAPES.grpcRetryPolicy, timeout: SHAPES.httpRouteTimeout },
  tcp: { match: SHAPES.tcpMatch, timeout: SHAPES.tcpRouteTimeout },
};
const routeKey = (protocol: MeshProtocol) => ROUTE_KEYS.find(([p]) => p === protocol)![1];
const hasPrefix = (protocol: MeshProtocol) => protocol === 'http' || protocol === 'http2';

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

/** App Mesh rewrites the matched prefix to / unless told not to; the file says which, or gives the new prefix. */
function gatewayRewriteToAws(d: Decl): Decl | undefined {
  const rw = (d.rewrite ?? {}) as Decl;
  const prefix = rw.prefix ?? (d.prefix !== undefined ? { defaultPrefix: d.rewritePrefix ? 'ENABLED' : 'DISABLED' } : undefined);
  const out = compact({ prefix, path: rw.path, hostname: rw.hostname });
  return Object.keys(out).length ? out : undefined;
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
      const protocol: MeshProtocol = d.protocol ?? 'http';
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
      const protocol: MeshProtocol = d.protocol ?? 'http';
      const action = compact({
        target: compact({ virtualService: { virtualServiceName: d.virtualService }, port: d.targetPort }),
        rewrite: gatewayRewriteToAws(d),
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
  protocol: (l?.portMapping?.protocol ?? 'http') as MeshProtocol,
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
        rewrite: fromAwsShape(SHAPES.gatewayRewrite, r.action?.rewrite),
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
