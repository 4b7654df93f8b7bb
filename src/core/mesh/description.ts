/**
 * What meshctl knows of an App Mesh mesh, whatever it was read from: App Mesh itself while it answers,
 * a meshctl mesh file, a CloudFormation template, or `terraform show -json` state. Every source gives
 * this one shape, so the migration plan does not care where the facts came from.
 */

import { MeshProtocol } from '../protocol.js';

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
