import {
  AppMeshClient,
  DescribeGatewayRouteCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualServiceCommand,
  ListGatewayRoutesCommand,
  ListRoutesCommand,
  ListVirtualGatewaysCommand,
} from '@aws-sdk/client-app-mesh';
import type { VirtualNodeSpec } from '../core/service-connect.js';
import { callAws, isNotFound } from './aws-error.js';
import { allPages } from './pages.js';
import { addCallLogging, clientOptions, type AwsConfig } from './client-config.js';

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

export interface AppMeshApi {
  /** The virtual node, or undefined when App Mesh says it does not exist. */
  describeVirtualNode(mesh: string, virtualNode: string): Promise<VirtualNodeInfo | undefined>;
  /** The gateway's listener ports, or undefined when it does not exist. */
  describeVirtualGateway(mesh: string, virtualGateway: string): Promise<{ ports: number[] } | undefined>;
  /** The router or node that provides a virtual service. */
  describeVirtualService(mesh: string, virtualService: string): Promise<{ router?: string; node?: string }>;
  listRoutes(mesh: string, router: string): Promise<string[]>;
  describeRoute(mesh: string, router: string, route: string): Promise<RouteInfo>;
  listVirtualGateways(mesh: string): Promise<string[]>;
  listGatewayRoutes(mesh: string, gateway: string): Promise<string[]>;
  describeGatewayRoute(mesh: string, gateway: string, route: string): Promise<{ prefix?: string; virtualService?: string }>;
}

export function createAppMeshApi(client: AppMeshClient, endpoint?: string): AppMeshApi {
  return {
    async describeVirtualNode(meshName, virtualNodeName) {
      try {
        const out = await client.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName }));
        return { arn: out.virtualNode?.metadata?.arn, status: out.virtualNode?.status?.status, spec: out.virtualNode?.spec as VirtualNodeSpec | undefined };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        return callAws('DescribeVirtualNode', () => Promise.reject(err), endpoint);
      }
    },
    async describeVirtualGateway(meshName, virtualGatewayName) {
      try {
        const out = await client.send(new DescribeVirtualGatewayCommand({ meshName, virtualGatewayName }));
        return { ports: (out.virtualGateway?.spec?.listeners ?? []).map((l) => l.portMapping?.port).filter((p): p is number => typeof p === 'number') };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        return callAws('DescribeVirtualGateway', () => Promise.reject(err), endpoint);
      }
    },
    async describeVirtualService(meshName, virtualServiceName) {
      const out = await callAws('DescribeVirtualService', () => client.send(new DescribeVirtualServiceCommand({ meshName, virtualServiceName })), endpoint);
      const provider = out.virtualService?.spec?.provider;
      return { router: provider?.virtualRouter?.virtualRouterName, node: provider?.virtualNode?.virtualNodeName };
    },
    listRoutes: (meshName, virtualRouterName) =>
      allPages(async (nextToken) => {
        const out = await callAws('ListRoutes', () => client.send(new ListRoutesCommand({ meshName, virtualRouterName, nextToken })), endpoint);
        return { items: (out.routes ?? []).map((r) => r.routeName!), nextToken: out.nextToken };
      }),
    async describeRoute(meshName, virtualRouterName, routeName) {
      const out = await callAws('DescribeRoute', () => client.send(new DescribeRouteCommand({ meshName, virtualRouterName, routeName })), endpoint);
      const spec = out.route?.spec;
      const route = spec?.httpRoute ?? spec?.http2Route ?? spec?.grpcRoute ?? spec?.tcpRoute;
      return {
        name: routeName,
        weightedTargets: route?.action?.weightedTargets?.length ?? 0,
        retryPolicy: !!(spec?.httpRoute?.retryPolicy ?? spec?.http2Route?.retryPolicy ?? spec?.grpcRoute?.retryPolicy),
        timeout: !!(spec?.httpRoute?.timeout ?? spec?.http2Route?.timeout ?? spec?.grpcRoute?.timeout ?? spec?.tcpRoute?.timeout),
      };
    },
    listVirtualGateways: (meshName) =>
      allPages(async (nextToken) => {
        const out = await callAws('ListVirtualGateways', () => client.send(new ListVirtualGatewaysCommand({ meshName, nextToken })), endpoint);
        return { items: (out.virtualGateways ?? []).map((g) => g.virtualGatewayName!), nextToken: out.nextToken };
      }),
    listGatewayRoutes: (meshName, virtualGatewayName) =>
      allPages(async (nextToken) => {
        const out = await callAws('ListGatewayRoutes', () => client.send(new ListGatewayRoutesCommand({ meshName, virtualGatewayName, nextToken })), endpoint);
        return { items: (out.gatewayRoutes ?? []).map((r) => r.gatewayRouteName!), nextToken: out.nextToken };
      }),
    async describeGatewayRoute(meshName, virtualGatewayName, gatewayRouteName) {
      const out = await callAws('DescribeGatewayRoute', () => client.send(new DescribeGatewayRouteCommand({ meshName, virtualGatewayName, gatewayRouteName })), endpoint);
      const spec = out.gatewayRoute?.spec;
      const route = spec?.httpRoute ?? spec?.http2Route;
      return {
        prefix: route?.match?.prefix,
        virtualService: (route?.action?.target ?? spec?.grpcRoute?.action?.target)?.virtualService?.virtualServiceName,
      };
    },
  };
}

export function connectAppMesh(config: AwsConfig): AppMeshApi {
  const client = new AppMeshClient(clientOptions(config));
  addCallLogging(client as never, 'appmesh', config.log);
  return createAppMeshApi(client, config.endpointUrl);
}
