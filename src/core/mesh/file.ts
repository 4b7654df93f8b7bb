// The mesh file mirrors App Mesh's spec: the same field names, camelCase, so that mapping one to the other
// is mechanical (mesh-plan.ts). The shapes App Mesh nests (timeouts, TLS, pools, ...) are tables in SHAPES,
// read by the same code whether they come from a file (validated) or from App Mesh (copied, fields it names only).
// https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_Types.html

import type { MeshProtocol } from '../protocol.js';

/** A listener as the mesh file's shorthand writes it: `listener: { port, protocol }`. */
export interface Listener {
  port: number;
  protocol: MeshProtocol;
}

export interface Duration {
  value: number;
  unit: 's' | 'ms';
}

export interface HealthCheck {
  protocol: MeshProtocol;
  path?: string;
  /** App Mesh: must be the listener's port. */
  port?: number;
  intervalMillis: number;
  timeoutMillis: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface HttpTimeout {
  perRequest?: Duration;
  idle?: Duration;
}
/** Keyed by the listener's protocol, as App Mesh keys it. */
export type ListenerTimeout = { http: HttpTimeout } | { http2: HttpTimeout } | { grpc: HttpTimeout } | { tcp: { idle?: Duration } };

export interface OutlierDetection {
  maxServerErrors: number;
  interval: Duration;
  baseEjectionDuration: Duration;
  maxEjectionPercent: number;
}

/** Keyed by the listener's protocol, as App Mesh keys it (a gateway has no tcp pool). */
export type ConnectionPool =
  | { http: { maxConnections: number; maxPendingRequests?: number } }
  | { http2: { maxRequests: number } }
  | { grpc: { maxRequests: number } }
  | { tcp: { maxConnections: number } };

type Sds = { secretName: string };
type FileCertificate = { certificateChain: string; privateKey: string };
export interface SubjectAlternativeNames {
  match: { exact: string[] };
}

export interface ListenerTls {
  mode: 'STRICT' | 'PERMISSIVE' | 'DISABLED';
  certificate: { acm: { certificateArn: string } } | { file: FileCertificate } | { sds: Sds };
  validation?: { trust: { file: { certificateChain: string } } | { sds: Sds }; subjectAlternativeNames?: SubjectAlternativeNames };
}

export interface ClientPolicy {
  tls?: {
    enforce?: boolean;
    ports?: number[];
    certificate?: { file: FileCertificate } | { sds: Sds };
    validation: {
      trust: { acm: { certificateAuthorityArns: string[] } } | { file: { certificateChain: string } } | { sds: Sds };
      subjectAlternativeNames?: SubjectAlternativeNames;
    };
  };
}

export interface BackendDefaults {
  clientPolicy?: ClientPolicy;
}

export interface Logging {
  accessLog?: { file: { path: string; format?: { text: string } | { json: { key: string; value: string }[] } } };
}

/** A virtual node's listener, everything App Mesh holds for it. */
export interface NodeListener extends Listener {
  healthCheck?: HealthCheck;
  timeout?: ListenerTimeout;
  outlierDetection?: OutlierDetection;
  connectionPool?: ConnectionPool;
  tls?: ListenerTls;
}

/** A virtual gateway's listener (http, http2 or grpc; no timeout or outlier detection in App Mesh). */
export interface GatewayListener extends Listener {
  healthCheck?: HealthCheck;
  connectionPool?: ConnectionPool;
  tls?: ListenerTls;
}

export interface VirtualNodeDecl {
  name: string;
  /**
   * The shorthand, `{ port, protocol }`: used when the node has one listener that says no more (its health check
   * then sits in `healthCheck`). Otherwise the file writes `listeners`, and a validated file still sets `listener`
   * to the first one's port and protocol, for readers that know one listener.
   */
  listener: Listener;
  listeners?: NodeListener[];
  /** With the `listener` shorthand: its health check. */
  healthCheck?: HealthCheck;
  serviceDiscovery:
    | { cloudMap: { namespace: string; service: string; attributes?: { key: string; value: string }[]; ipPreference?: string } }
    | { dns: { hostname: string; responseType?: 'LOADBALANCER' | 'ENDPOINTS'; ipPreference?: string } };
  backends: string[];
  backendDefaults?: BackendDefaults;
  /** A client policy for some of `backends`, by virtual service name. */
  backendClientPolicies?: Record<string, ClientPolicy>;
  logging?: Logging;
}

export type StringMatch =
  { exact: string } | { regex: string } | { prefix: string } | { suffix: string } | { range: { start: number; end: number } };

export interface HeaderMatch {
  name: string;
  invert?: boolean;
  match?: StringMatch;
}

/** What a route matches besides its `prefix`; which fields apply depends on the route's protocol (http/http2, grpc, tcp). */
export interface RouteMatch {
  path?: { exact: string } | { regex: string };
  method?: string;
  scheme?: 'http' | 'https';
  headers?: HeaderMatch[];
  queryParameters?: { name: string; match?: { exact: string } }[];
  serviceName?: string;
  methodName?: string;
  metadata?: HeaderMatch[];
  /** Gateway routes only. */
  hostname?: { exact: string } | { suffix: string };
  port?: number;
}

export interface RetryPolicy {
  perRetryTimeout: Duration;
  maxRetries: number;
  httpRetryEvents?: string[];
  tcpRetryEvents?: string[];
  grpcRetryEvents?: string[];
}

export interface RouteDecl {
  name: string;
  /** Absent: http (App Mesh's httpRoute). */
  protocol?: MeshProtocol;
  priority?: number;
  /** http and http2 routes: the path prefix matched (default /, unless `match.path` is given). */
  prefix?: string;
  match?: RouteMatch;
  targets: { virtualNode: string; weight: number; port?: number }[];
  /** http, http2 and grpc routes. */
  retryPolicy?: RetryPolicy;
  timeout?: HttpTimeout;
}

export interface VirtualRouterDecl {
  name: string;
  /** As for a node: the one listener, or the first of `listeners`. */
  listener: Listener;
  listeners?: Listener[];
  routes: RouteDecl[];
}

export interface VirtualServiceDecl {
  name: string;
  provider: { virtualRouter: string } | { virtualNode: string };
}

export interface GatewayRouteDecl {
  name: string;
  /** Absent: http. */
  protocol?: MeshProtocol;
  priority?: number;
  /** http and http2 routes: the prefix matched, unless `match.path` is given. */
  prefix?: string;
  match?: RouteMatch;
  virtualService: string;
  /** The port of the virtual service's provider to send to (App Mesh's action.target.port). */
  targetPort?: number;
  /** Prefix routes: off unless the file asks (the runbook author had to turn the console's default rewrite off). */
  rewritePrefix?: boolean;
  /** App Mesh's other rewrites, in its shape: the prefix's new value, an exact path, the target's hostname. */
  rewrite?: GatewayRewrite;
}

export interface GatewayRewrite {
  prefix?: { value: string };
  path?: { exact: string };
  hostname?: { defaultTargetHostname: 'ENABLED' | 'DISABLED' };
}

export interface VirtualGatewayDecl {
  name: string;
  /** As for a node: the one listener, or the first of `listeners`. */
  listener: Listener;
  listeners?: GatewayListener[];
  backendDefaults?: BackendDefaults;
  logging?: Logging;
  routes: GatewayRouteDecl[];
}

/** The whole App Mesh side of one or more services, as one file declares it. */
export interface MeshFile {
  /** vpc is needed only to create the namespace; export leaves it out (Cloud Map does not say). */
  namespace?: { name: string; vpc?: string; services: string[] };
  /** owner: the account that shares the mesh with this one (App Mesh's meshOwner); absent for a mesh of this account. */
  mesh: { name: string; egressFilter: 'DROP_ALL' | 'ALLOW_ALL'; serviceDiscovery?: { ipPreference: string }; owner?: string };
  virtualNodes: VirtualNodeDecl[];
  virtualRouters: VirtualRouterDecl[];
  virtualServices: VirtualServiceDecl[];
  /**
   * Virtual services the nodes call that another file or stack declares (a shared mesh's, say): kept as references,
   * so a backend may name them; plan neither creates nor checks them.
   */
  externalVirtualServices?: string[];
  /** The shorthand for one gateway; a validated file holds every gateway in `virtualGateways`. */
  virtualGateway?: VirtualGatewayDecl;
  virtualGateways?: VirtualGatewayDecl[];
}

// ---- The nested App Mesh shapes, as data.
