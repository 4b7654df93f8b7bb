import type { MeshResourceApi } from '../aws/mesh-resources.js';
import { emptyMesh, type DescribedRoute, type MeshDescription, type MeshListener, type NodeDiscovery } from '../core/mesh/description.js';
import { AwsCallError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { MESH_PROTOCOLS as PROTOCOLS, MESH_PROTOCOLS } from '../core/protocol.js';

/**
 * App Mesh is gone (2026-09-30) or out of reach: access denied, the operation not offered (an HTML
 * 404), the connection refused or reset, the name not resolved. Anything else (throttling after
 * retries, a bug) is not "unreachable" and is thrown.
 */
export function isAppMeshUnreachable(err: unknown): err is AwsCallError {
  if (!(err instanceof AwsCallError)) return false;
  if (err.httpStatus === 403 || /AccessDenied|Forbidden|UnrecognizedClient|NotImplemented/.test(err.errorName)) return true;
  return err.httpStatus === undefined && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH)$/.test(err.errorName);
}

type Spec = Record<string, unknown>;
type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function listenersOf(spec: Spec): MeshListener[] {
  return asArr(spec.listeners)
    .map((l) => asObj(asObj(l).portMapping))
    .filter((p) => typeof p.port === 'number')
    .map((p) => ({ port: p.port as number, protocol: PROTOCOLS.find((x) => x === String(p.protocol).toLowerCase()) ?? 'http' }));
}

function discoveryOf(spec: Spec): NodeDiscovery | undefined {
  const sd = asObj(spec.serviceDiscovery);
  const cm = asObj(sd.awsCloudMap);
  if (typeof cm.namespaceName === 'string' && typeof cm.serviceName === 'string')
    return { cloudMap: { namespace: cm.namespaceName, service: cm.serviceName } };
  const dns = asObj(sd.dns);
  return typeof dns.hostname === 'string' ? { dns: { hostname: dns.hostname } } : undefined;
}

function routeOf(name: string, spec: Spec): DescribedRoute {
  const kind = MESH_PROTOCOLS.find((k) => spec[`${k}Route`] !== undefined) ?? 'http';
  const route = asObj(spec[`${kind}Route`]);
  const targets = asArr(asObj(route.action).weightedTargets).map((t) => asObj(t));
  return {
    name,
    kind,
    targets: targets.map((t) => ({
      virtualNode: String(t.virtualNode),
      weight: Number(t.weight ?? 1),
      ...(typeof t.port === 'number' ? { port: t.port } : {}),
    })),
    retryPolicy: route.retryPolicy !== undefined,
    timeout: route.timeout !== undefined,
  };
}

/** Lists a kind; a kind the endpoint does not offer (moto has no virtual services) is read as none, with a note. */
async function listOrNote(
  res: MeshResourceApi,
  kind: Parameters<MeshResourceApi['list']>[0],
  mesh: string,
  notes: string[],
  parent?: string,
) {
  try {
    return await res.list(kind, mesh, parent);
  } catch (err) {
    if (err instanceof AwsCallError && err.errorName === 'NotImplemented' && kind !== 'virtualNode') {
      notes.push(`App Mesh answered, but ${err.operation} is not offered here: ${kind}s were read as none`);
      return [];
    }
    throw err;
  }
}

/** Reads one mesh from App Mesh into the source-neutral description. Throws what App Mesh throws. */
export async function readMeshFromAppMesh(ctx: Context, mesh: string): Promise<MeshDescription> {
  const res = await ctx.aws.meshResources();
  const desc = emptyMesh(mesh, 'App Mesh');
  for (const name of await res.list('virtualNode', mesh)) {
    const o = await res.describe('virtualNode', mesh, name);
    if (!o) continue;
    const backends = asArr(o.spec.backends)
      .map((b) => asObj(asObj(b).virtualService).virtualServiceName)
      .filter((n): n is string => typeof n === 'string');
    desc.virtualNodes.push({ name, listeners: listenersOf(o.spec), backends, discovery: discoveryOf(o.spec) });
  }
  for (const name of await listOrNote(res, 'virtualRouter', mesh, desc.unresolved)) {
    const o = await res.describe('virtualRouter', mesh, name);
    if (!o) continue;
    const routes: DescribedRoute[] = [];
    for (const r of await res.list('route', mesh, name)) {
      const ro = await res.describe('route', mesh, r, name);
      if (ro) routes.push(routeOf(r, ro.spec));
    }
    desc.virtualRouters.push({ name, listeners: listenersOf(o.spec), routes });
  }
  for (const name of await listOrNote(res, 'virtualService', mesh, desc.unresolved)) {
    const o = await res.describe('virtualService', mesh, name);
    const p = asObj(o?.spec.provider);
    const node = asObj(p.virtualNode).virtualNodeName;
    const router = asObj(p.virtualRouter).virtualRouterName;
    if (o)
      desc.virtualServices.push({
        name,
        provider: typeof node === 'string' ? { virtualNode: node } : typeof router === 'string' ? { virtualRouter: router } : undefined,
      });
  }
  for (const gateway of await listOrNote(res, 'virtualGateway', mesh, desc.unresolved)) {
    const o = await res.describe('virtualGateway', mesh, gateway);
    if (o) desc.virtualGateways.push({ name: gateway, listeners: listenersOf(o.spec) });
    for (const name of await listOrNote(res, 'gatewayRoute', mesh, desc.unresolved, gateway)) {
      const g = await res.describe('gatewayRoute', mesh, name, gateway);
      const route = asObj(g?.spec.httpRoute ?? g?.spec.http2Route ?? g?.spec.grpcRoute);
      const target = asObj(asObj(asObj(asObj(route.action).target).virtualService)).virtualServiceName;
      const prefix = asObj(route.match).prefix;
      desc.gatewayRoutes.push({
        gateway,
        name,
        prefix: typeof prefix === 'string' ? prefix : undefined,
        virtualService: typeof target === 'string' ? target : undefined,
      });
    }
  }
  return desc;
}

/** What reading App Mesh gave: the meshes it answered for, and one line when it could not be read. */
export interface AppMeshReading {
  meshes: MeshDescription[];
  /** What App Mesh answered but could not tell (an operation an emulator lacks). */
  notes: string[];
  unreachable?: string;
}

/**
 * Reads each mesh while App Mesh answers; at the first sign that it is gone, stops asking and says so
 * once. The plan is then built from what still exists (task definitions, Cloud Map, load balancers,
 * Route 53) and any mesh description the user gave.
 */
export async function readAppMesh(ctx: Context, meshes: readonly string[]): Promise<AppMeshReading> {
  const out: MeshDescription[] = [];
  const notes: string[] = [];
  for (const mesh of meshes) {
    try {
      const desc = await readMeshFromAppMesh(ctx, mesh);
      notes.push(...desc.unresolved.map((n) => `mesh ${mesh}: ${n}`));
      out.push({ ...desc, unresolved: [] });
    } catch (err) {
      if (!isAppMeshUnreachable(err)) throw err;
      return {
        meshes: out,
        notes,
        unreachable: `App Mesh could not be read (${err.operation}: ${err.errorName}${err.httpStatus ? `, HTTP ${err.httpStatus}` : ''})`,
      };
    }
  }
  return { meshes: out, notes };
}
