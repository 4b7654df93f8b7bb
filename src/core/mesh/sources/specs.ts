// ---- Spec readers, one per kind, shared by both dialects.

import type { EgressFilter } from './common.js';
import {
  MeshListener,
  NodeDiscovery,
  DescribedVirtualNode,
  DescribedVirtualRouter,
  DescribedRoute,
  DescribedVirtualService,
  DescribedGatewayRoute,
} from '../description.js';
import { MeshProtocol } from '../../protocol.js';
import { Obj, PORTS, WEIGHTS, RouteExtras, GatewayRouteExtras, shown } from './common.js';
import { Reader, At, Field } from './dialects.js';

export function readListeners(r: Reader, spec: At<Obj> | undefined): MeshListener[] {
  if (!spec) return [];
  return r.many(spec.value, 'listeners', spec.path).flatMap((l) => {
    const pm = r.one(l.value, 'portMapping', l.path, true);
    if (!pm) return [];
    const port = r.int(pm.value, r.k('port'), pm.path, PORTS, true);
    const protocol = r.protocol(pm.value, pm.path);
    return port !== undefined && protocol ? [{ port, protocol }] : [];
  });
}

function readBackends(r: Reader, spec: At<Obj>): string[] {
  return r.many(spec.value, 'backends', spec.path).flatMap((b) => {
    const vs = r.one(b.value, 'virtualService', b.path, true);
    const name = vs && r.text(vs.value, r.k('virtualServiceName'), vs.path, true);
    return name === undefined ? [] : [name];
  });
}

function readDiscovery(r: Reader, spec: At<Obj>): NodeDiscovery | undefined {
  const sd = r.one(spec.value, 'serviceDiscovery', spec.path);
  if (!sd) return undefined;
  if (r.has(sd.value, 'cloudMap')) {
    const cm = r.one(sd.value, 'cloudMap', sd.path);
    const namespace = cm && r.text(cm.value, r.k('namespaceName'), cm.path, true);
    const service = cm && r.text(cm.value, r.k('serviceName'), cm.path, true);
    return namespace !== undefined && service !== undefined ? { cloudMap: { namespace, service } } : undefined;
  }
  const dns = r.one(sd.value, 'dns', sd.path);
  const hostname = dns && r.text(dns.value, r.k('hostname'), dns.path, true);
  return hostname === undefined ? undefined : { dns: { hostname } };
}

export function readNode(r: Reader, props: At<Obj>, name: string): DescribedVirtualNode {
  const spec = r.one(props.value, 'spec', props.path, true);
  const node: DescribedVirtualNode = { name, listeners: readListeners(r, spec), backends: spec ? readBackends(r, spec) : [] };
  const discovery = spec && readDiscovery(r, spec);
  if (discovery) node.discovery = discovery;
  return node;
}

export function readRouter(r: Reader, props: At<Obj>, name: string): DescribedVirtualRouter {
  return { name, listeners: readListeners(r, r.one(props.value, 'spec', props.path, true)), routes: [] };
}

const ROUTE_KINDS: readonly [MeshProtocol, Field][] = [
  ['http', 'httpRoute'],
  ['http2', 'http2Route'],
  ['grpc', 'grpcRoute'],
  ['tcp', 'tcpRoute'],
];

function readTarget(r: Reader, t: At<Obj>): DescribedRoute['targets'] {
  const virtualNode = r.text(t.value, r.k('virtualNode'), t.path, true);
  const weight = r.int(t.value, r.k('weight'), t.path, WEIGHTS, true);
  const port = r.int(t.value, r.k('port'), t.path, PORTS, false);
  if (virtualNode === undefined || weight === undefined) return [];
  return [port === undefined ? { virtualNode, weight } : { virtualNode, weight, port }];
}

/** The match prefix of an http or http2 block, if it matches by prefix. */
function readPrefix(r: Reader, block: At<Obj>): string | undefined {
  const match = r.one(block.value, 'match', block.path);
  return match && r.text(match.value, r.k('prefix'), match.path, false);
}

export function readRoute(r: Reader, props: At<Obj>, name: string): (DescribedRoute & RouteExtras) | undefined {
  const spec = r.one(props.value, 'spec', props.path, true);
  if (!spec) return undefined;
  const found = ROUTE_KINDS.find(([, field]) => r.has(spec.value, field));
  if (!found) return void r.note(spec.path, `has none of ${ROUTE_KINDS.map(([, f]) => r.k(f)).join(', ')}`);
  const [kind, field] = found;
  const block = r.one(spec.value, field, spec.path, true);
  if (!block) return undefined;
  const action = r.one(block.value, 'action', block.path, true);
  const targets = action ? r.many(action.value, 'weightedTargets', action.path).flatMap((t) => readTarget(r, t)) : [];
  const route: DescribedRoute & RouteExtras = {
    name,
    kind,
    targets,
    retryPolicy: r.has(block.value, 'retryPolicy'),
    timeout: r.has(block.value, 'timeout'),
  };
  const prefix = kind === 'http' || kind === 'http2' ? readPrefix(r, block) : undefined;
  if (prefix !== undefined) route.prefix = prefix;
  return route;
}

export function readService(r: Reader, props: At<Obj>, name: string): DescribedVirtualService {
  const spec = r.one(props.value, 'spec', props.path, true);
  const provider = spec && r.one(spec.value, 'provider', spec.path);
  const service: DescribedVirtualService = { name };
  if (provider && r.has(provider.value, 'virtualNode')) {
    const node = r.one(provider.value, 'virtualNode', provider.path);
    const virtualNode = node && r.text(node.value, r.k('virtualNodeName'), node.path, true);
    if (virtualNode !== undefined) service.provider = { virtualNode };
  } else if (provider && r.has(provider.value, 'virtualRouter')) {
    const router = r.one(provider.value, 'virtualRouter', provider.path);
    const virtualRouter = router && r.text(router.value, r.k('virtualRouterName'), router.path, true);
    if (virtualRouter !== undefined) service.provider = { virtualRouter };
  }
  return service;
}

const GATEWAY_ROUTE_KINDS: readonly Field[] = ['httpRoute', 'http2Route', 'grpcRoute'];

/** App Mesh rewrites a gateway route's matched prefix to / unless the route says DISABLED. */
function readRewritePrefix(r: Reader, action: At<Obj>): boolean {
  const rewrite = r.one(action.value, 'rewrite', action.path);
  const prefix = rewrite && r.one(rewrite.value, 'prefix', rewrite.path);
  return (prefix && r.text(prefix.value, r.k('defaultPrefix'), prefix.path, false)) !== 'DISABLED';
}

export function readGatewayRoute(r: Reader, props: At<Obj>, name: string, gateway: string): DescribedGatewayRoute & GatewayRouteExtras {
  const route: DescribedGatewayRoute & GatewayRouteExtras = { gateway, name };
  const spec = r.one(props.value, 'spec', props.path, true);
  const field = spec && GATEWAY_ROUTE_KINDS.find((f) => r.has(spec.value, f));
  if (spec && !field) r.note(spec.path, `has none of ${GATEWAY_ROUTE_KINDS.map((f) => r.k(f)).join(', ')}`);
  const block = spec && field && r.one(spec.value, field, spec.path, true);
  if (!block) return route;
  const prefix = field === 'grpcRoute' ? undefined : readPrefix(r, block);
  if (prefix !== undefined) route.prefix = prefix;
  const action = r.one(block.value, 'action', block.path, true);
  const target = action && r.one(action.value, 'target', action.path, true);
  const vs = target && r.one(target.value, 'virtualService', target.path, true);
  const virtualService = vs && r.text(vs.value, r.k('virtualServiceName'), vs.path, true);
  if (virtualService !== undefined) route.virtualService = virtualService;
  if (action && field !== 'grpcRoute') route.rewritePrefix = readRewritePrefix(r, action);
  return route;
}

export function readEgressFilter(r: Reader, props: At<Obj>): EgressFilter | undefined {
  const spec = r.one(props.value, 'spec', props.path);
  const filter = spec && r.one(spec.value, 'egressFilter', spec.path);
  const type = filter && r.text(filter.value, r.k('type'), filter.path, true);
  if (type === 'DROP_ALL' || type === 'ALLOW_ALL') return type;
  if (type !== undefined && filter) r.note(`${filter.path}.${r.k('type')}`, `must be DROP_ALL or ALLOW_ALL, found ${shown(type)}`);
  return undefined;
}
