import type { VirtualNodeSpec } from '../core/envoy/proxy.js';
import type { MeshResourceApi } from './mesh-resources.js';

export interface VirtualNodeInfo {
  arn?: string;
  status?: string;
  spec?: VirtualNodeSpec;
}

export interface RouteInfo {
  name: string;
  weightedTargets: number;
  retryPolicy: boolean;
  timeout: boolean;
}

/** Typed reads over the one App Mesh client (mesh-resources.ts): add-envoy, migrate and doctor use these. */
export interface AppMeshApi {
  /** The virtual node, or undefined when App Mesh says it does not exist. */
  describeVirtualNode(mesh: string, virtualNode: string): Promise<VirtualNodeInfo | undefined>;
  /** The gateway's listener ports, or undefined when it does not exist. */
  describeVirtualGateway(mesh: string, virtualGateway: string): Promise<{ ports: number[] } | undefined>;
  /** The router or node that provides a virtual service, or undefined when it does not exist. */
  describeVirtualService(mesh: string, virtualService: string): Promise<{ router?: string; node?: string } | undefined>;
  listRoutes(mesh: string, router: string): Promise<string[]>;
  describeRoute(mesh: string, router: string, route: string): Promise<RouteInfo | undefined>;
  listVirtualGateways(mesh: string): Promise<string[]>;
  listGatewayRoutes(mesh: string, gateway: string): Promise<string[]>;
  describeGatewayRoute(mesh: string, gateway: string, route: string): Promise<{ prefix?: string; virtualService?: string } | undefined>;
}

type Spec = Record<string, unknown>;
interface RouteSpec {
  action?: { weightedTargets?: unknown[]; target?: { virtualService?: { virtualServiceName?: string } } };
  match?: { prefix?: string };
  retryPolicy?: unknown;
  timeout?: unknown;
}
const routeOf = (spec: Spec) => (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute ?? spec.tcpRoute) as RouteSpec | undefined;

export function createAppMeshApi(res: MeshResourceApi): AppMeshApi {
  return {
    async describeVirtualNode(mesh, name) {
      const o = await res.describe('virtualNode', mesh, name);
      return o && { arn: o.arn, status: o.status, spec: o.spec as VirtualNodeSpec };
    },
    async describeVirtualGateway(mesh, name) {
      const o = await res.describe('virtualGateway', mesh, name);
      const listeners = (o?.spec.listeners ?? []) as { portMapping?: { port?: number } }[];
      return o && { ports: listeners.map((l) => l.portMapping?.port).filter((p): p is number => typeof p === 'number') };
    },
    async describeVirtualService(mesh, name) {
      const o = await res.describe('virtualService', mesh, name);
      const provider = o?.spec.provider as
        { virtualRouter?: { virtualRouterName?: string }; virtualNode?: { virtualNodeName?: string } } | undefined;
      return o && { router: provider?.virtualRouter?.virtualRouterName, node: provider?.virtualNode?.virtualNodeName };
    },
    listRoutes: (mesh, router) => res.list('route', mesh, router),
    async describeRoute(mesh, router, name) {
      const o = await res.describe('route', mesh, name, router);
      if (!o) return undefined;
      const route = routeOf(o.spec);
      return {
        name,
        weightedTargets: route?.action?.weightedTargets?.length ?? 0,
        retryPolicy: !!route?.retryPolicy,
        timeout: !!route?.timeout,
      };
    },
    listVirtualGateways: (mesh) => res.list('virtualGateway', mesh),
    listGatewayRoutes: (mesh, gateway) => res.list('gatewayRoute', mesh, gateway),
    async describeGatewayRoute(mesh, gateway, name) {
      const o = await res.describe('gatewayRoute', mesh, name, gateway);
      const route = o && routeOf(o.spec);
      return o && { prefix: route?.match?.prefix, virtualService: route?.action?.target?.virtualService?.virtualServiceName };
    },
  };
}
