import { MESH_PROTOCOLS as PROTOCOLS } from '../protocol.js';
import type { Listener, HealthCheck } from './file.js';

/** A value's shape: what validation checks in a file, and which fields are copied from App Mesh. */
export type Shape =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'text' }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list'; of: Shape; min: number; max: number }
  | {
      kind: 'object';
      fields: Readonly<Record<string, Shape>>;
      required: readonly string[];
      /** Exactly one field (App Mesh's unions: `{ acm } | { file } | { sds }`). */
      union?: boolean;
      /** At least one of these fields. */
      anyOf?: readonly string[];
    };

export const BIG = Number.MAX_SAFE_INTEGER;
export const int = (min: number, max = BIG): Shape => ({ kind: 'int', min, max });
export const TEXT: Shape = { kind: 'text' };
const BOOL: Shape = { kind: 'bool' };
export const oneOf = (...values: string[]): Shape => ({ kind: 'enum', values });
export const list = (of: Shape, max = BIG): Shape => ({ kind: 'list', of, min: 1, max });
export const obj = (fields: Record<string, Shape>, required: string[] = [], anyOf?: string[]): Shape => ({
  kind: 'object',
  fields,
  required,
  ...(anyOf ? { anyOf } : {}),
});
const union = (fields: Record<string, Shape>): Shape => ({ kind: 'object', fields, required: [], union: true });

export const PORT = int(1, 65535);
/** Health check timings and thresholds: App Mesh's range and the file's default. */
export const HEALTH_THRESHOLDS = {
  intervalMillis: [5000, 300000, 5000],
  timeoutMillis: [2000, 60000, 2000],
  healthyThreshold: [2, 10, 2],
  unhealthyThreshold: [2, 10, 2],
} as const;
const DURATION = obj({ value: int(0), unit: oneOf('s', 'ms') }, ['value', 'unit']);
const HTTP_TIMEOUT = obj({ perRequest: DURATION, idle: DURATION });
const TCP_TIMEOUT = obj({ idle: DURATION });
const SDS = obj({ secretName: TEXT }, ['secretName']);
const FILE_CERTIFICATE = obj({ certificateChain: TEXT, privateKey: TEXT }, ['certificateChain', 'privateKey']);
const FILE_TRUST = obj({ certificateChain: TEXT }, ['certificateChain']);
const SANS = obj({ match: obj({ exact: list(TEXT) }, ['exact']) }, ['match']);
const CLIENT_POLICY = obj({
  tls: obj(
    {
      enforce: BOOL,
      ports: list(PORT),
      certificate: union({ file: FILE_CERTIFICATE, sds: SDS }),
      validation: obj(
        {
          trust: union({ acm: obj({ certificateAuthorityArns: list(TEXT) }, ['certificateAuthorityArns']), file: FILE_TRUST, sds: SDS }),
          subjectAlternativeNames: SANS,
        },
        ['trust'],
      ),
    },
    ['validation'],
  ),
});
const STRING_MATCH = union({
  exact: TEXT,
  regex: TEXT,
  prefix: TEXT,
  suffix: TEXT,
  range: obj({ start: int(-BIG), end: int(-BIG) }, ['start', 'end']),
});
const HEADERS = list(obj({ name: TEXT, invert: BOOL, match: STRING_MATCH }, ['name']), 10);
const HTTP_MATCH = {
  path: union({ exact: TEXT, regex: TEXT }),
  method: oneOf('CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'),
  headers: HEADERS,
  queryParameters: list(obj({ name: TEXT, match: obj({ exact: TEXT }, ['exact']) }, ['name']), 10),
  port: PORT,
};
const HOSTNAME = union({ exact: TEXT, suffix: TEXT });
const IP_PREFERENCE = oneOf('IPv6_PREFERRED', 'IPv4_PREFERRED', 'IPv4_ONLY', 'IPv6_ONLY');
const HTTP_RETRY = {
  perRetryTimeout: DURATION,
  maxRetries: int(0),
  httpRetryEvents: list(oneOf('server-error', 'gateway-error', 'client-error', 'stream-error'), 25),
  tcpRetryEvents: list(oneOf('connection-error'), 1),
};
const GRPC_RETRY_EVENTS = list(oneOf('cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'), 5);

/** The nested shapes the file shares with App Mesh's spec (https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_Types.html). */
export const SHAPES = {
  /** Read by Reader.healthCheck in a file (it fills in defaults); copied as is from App Mesh. */
  healthCheck: obj({
    protocol: oneOf(...PROTOCOLS),
    path: TEXT,
    port: PORT,
    ...Object.fromEntries(Object.entries(HEALTH_THRESHOLDS).map(([k, [min, max]]) => [k, int(min, max)])),
  }),
  listenerTimeout: union({ http: HTTP_TIMEOUT, http2: HTTP_TIMEOUT, grpc: HTTP_TIMEOUT, tcp: TCP_TIMEOUT }),
  outlierDetection: obj({ maxServerErrors: int(1), interval: DURATION, baseEjectionDuration: DURATION, maxEjectionPercent: int(0, 100) }, [
    'maxServerErrors',
    'interval',
    'baseEjectionDuration',
    'maxEjectionPercent',
  ]),
  nodeConnectionPool: union({
    http: obj({ maxConnections: int(1), maxPendingRequests: int(1) }, ['maxConnections']),
    http2: obj({ maxRequests: int(1) }, ['maxRequests']),
    grpc: obj({ maxRequests: int(1) }, ['maxRequests']),
    tcp: obj({ maxConnections: int(1) }, ['maxConnections']),
  }),
  gatewayConnectionPool: union({
    http: obj({ maxConnections: int(1), maxPendingRequests: int(1) }, ['maxConnections']),
    http2: obj({ maxRequests: int(1) }, ['maxRequests']),
    grpc: obj({ maxRequests: int(1) }, ['maxRequests']),
  }),
  listenerTls: obj(
    {
      mode: oneOf('STRICT', 'PERMISSIVE', 'DISABLED'),
      certificate: union({ acm: obj({ certificateArn: TEXT }, ['certificateArn']), file: FILE_CERTIFICATE, sds: SDS }),
      validation: obj({ trust: union({ file: FILE_TRUST, sds: SDS }), subjectAlternativeNames: SANS }, ['trust']),
    },
    ['mode', 'certificate'],
  ),
  clientPolicy: CLIENT_POLICY,
  backendDefaults: obj({ clientPolicy: CLIENT_POLICY }),
  logging: obj({
    accessLog: union({
      file: obj({ path: TEXT, format: union({ text: TEXT, json: list(obj({ key: TEXT, value: TEXT }, ['key', 'value'])) }) }, ['path']),
    }),
  }),
  cloudMapAttributes: list(obj({ key: TEXT, value: TEXT }, ['key', 'value'])),
  ipPreference: IP_PREFERENCE,
  meshServiceDiscovery: obj({ ipPreference: IP_PREFERENCE }, ['ipPreference']),
  dnsResponseType: oneOf('LOADBALANCER', 'ENDPOINTS'),
  /** Route matches, less the prefix (the route's own field). */
  httpMatch: obj({ ...HTTP_MATCH, scheme: oneOf('http', 'https') }),
  grpcMatch: obj({ serviceName: TEXT, methodName: TEXT, metadata: HEADERS, port: PORT }),
  tcpMatch: obj({ port: PORT }),
  gatewayHttpMatch: obj({ ...HTTP_MATCH, hostname: HOSTNAME }),
  gatewayGrpcMatch: obj({ serviceName: TEXT, hostname: HOSTNAME, metadata: HEADERS, port: PORT }),
  /** A gateway route's rewrites but the prefix's on/off (`rewritePrefix`); grpc routes rewrite the hostname only. */
  gatewayRewrite: obj({
    prefix: obj({ value: TEXT }, ['value']),
    path: obj({ exact: TEXT }, ['exact']),
    hostname: obj({ defaultTargetHostname: oneOf('ENABLED', 'DISABLED') }, ['defaultTargetHostname']),
  }),
  httpRetryPolicy: obj(HTTP_RETRY, ['perRetryTimeout', 'maxRetries'], ['httpRetryEvents', 'tcpRetryEvents']),
  grpcRetryPolicy: obj(
    { ...HTTP_RETRY, grpcRetryEvents: GRPC_RETRY_EVENTS },
    ['perRetryTimeout', 'maxRetries'],
    ['httpRetryEvents', 'tcpRetryEvents', 'grpcRetryEvents'],
  ),
  httpRouteTimeout: HTTP_TIMEOUT,
  tcpRouteTimeout: TCP_TIMEOUT,
} as const;

const fieldsOf = (s: Shape) => (s.kind === 'object' ? s.fields : {});
const PORT_MAPPING = obj({ port: PORT, protocol: oneOf(...PROTOCOLS) }, ['port', 'protocol']);
const TARGETS = list(obj({ virtualNode: TEXT, weight: int(0, 100), port: PORT }, ['virtualNode', 'weight']));
const route = (match: Shape, retry: Shape | undefined, timeout: Shape) =>
  obj({
    match: obj({ prefix: TEXT, ...fieldsOf(match) }),
    action: obj({ weightedTargets: TARGETS }),
    ...(retry ? { retryPolicy: retry } : {}),
    timeout,
  });
const GATEWAY_ACTION = obj({
  target: obj({ virtualService: obj({ virtualServiceName: TEXT }), port: PORT }),
  rewrite: obj({ ...fieldsOf(SHAPES.gatewayRewrite), prefix: obj({ defaultPrefix: oneOf('ENABLED', 'DISABLED'), value: TEXT }) }),
});
const gatewayRoute = (match: Shape) => obj({ match: obj({ prefix: TEXT, ...fieldsOf(match) }), action: GATEWAY_ACTION });

/**
 * App Mesh's spec of each kind, whole, in the API's field names: what a CloudFormation or Terraform spec block is
 * read into (sources/specs.ts), field for field, before aws-spec.ts maps it to the file's terms as it maps App Mesh's.
 */
export const SPECS = {
  mesh: obj({ egressFilter: obj({ type: oneOf('DROP_ALL', 'ALLOW_ALL') }), serviceDiscovery: SHAPES.meshServiceDiscovery }),
  virtualNode: obj({
    listeners: list(
      obj(
        {
          portMapping: PORT_MAPPING,
          healthCheck: SHAPES.healthCheck,
          timeout: SHAPES.listenerTimeout,
          outlierDetection: SHAPES.outlierDetection,
          connectionPool: SHAPES.nodeConnectionPool,
          tls: SHAPES.listenerTls,
        },
        ['portMapping'],
      ),
    ),
    serviceDiscovery: obj({
      awsCloudMap: obj({ namespaceName: TEXT, serviceName: TEXT, attributes: SHAPES.cloudMapAttributes, ipPreference: IP_PREFERENCE }),
      dns: obj({ hostname: TEXT, responseType: SHAPES.dnsResponseType, ipPreference: IP_PREFERENCE }),
    }),
    backends: list(obj({ virtualService: obj({ virtualServiceName: TEXT, clientPolicy: CLIENT_POLICY }) })),
    backendDefaults: SHAPES.backendDefaults,
    logging: SHAPES.logging,
  }),
  virtualRouter: obj({ listeners: list(obj({ portMapping: PORT_MAPPING }, ['portMapping'])) }),
  route: obj({
    priority: int(0, 1000),
    httpRoute: route(SHAPES.httpMatch, SHAPES.httpRetryPolicy, SHAPES.httpRouteTimeout),
    http2Route: route(SHAPES.httpMatch, SHAPES.httpRetryPolicy, SHAPES.httpRouteTimeout),
    grpcRoute: route(SHAPES.grpcMatch, SHAPES.grpcRetryPolicy, SHAPES.httpRouteTimeout),
    tcpRoute: route(SHAPES.tcpMatch, undefined, SHAPES.tcpRouteTimeout),
  }),
  virtualService: obj({
    provider: obj({ virtualNode: obj({ virtualNodeName: TEXT }), virtualRouter: obj({ virtualRouterName: TEXT }) }),
  }),
  virtualGateway: obj({
    listeners: list(
      obj(
        {
          portMapping: PORT_MAPPING,
          healthCheck: SHAPES.healthCheck,
          connectionPool: SHAPES.gatewayConnectionPool,
          tls: SHAPES.listenerTls,
        },
        ['portMapping'],
      ),
    ),
    backendDefaults: SHAPES.backendDefaults,
    logging: SHAPES.logging,
  }),
  gatewayRoute: obj({
    priority: int(0, 1000),
    httpRoute: gatewayRoute(SHAPES.gatewayHttpMatch),
    http2Route: gatewayRoute(SHAPES.gatewayHttpMatch),
    grpcRoute: gatewayRoute(SHAPES.gatewayGrpcMatch),
  }),
} as const;

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A copy of an App Mesh value with only the fields its shape names; values are not checked. Nulls, empty
 * lists and empty objects read as absent, as the file writes them (App Mesh and moto send some, not others).
 */
export function fromAwsShape(shape: Shape, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (shape.kind === 'list') {
    if (!Array.isArray(v)) return v;
    return v.length ? v.map((x) => fromAwsShape(shape.of, x) ?? {}) : undefined;
  }
  if (shape.kind !== 'object' || !isObj(v)) return v;
  const out: Obj = {};
  for (const [k, s] of Object.entries(shape.fields)) {
    const copied = fromAwsShape(s, v[k]);
    if (copied !== undefined) out[k] = copied;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The object without its undefined fields (a diff and a YAML file both see a key that is there). */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A node's listeners in the file's shortest form: `listener` (and `healthCheck`) for one that says no more,
 * else `listeners`. Gateways (`liftHealthCheck` false) keep a health check in the listener.
 */
export function listenerFields<L extends Listener & { healthCheck?: HealthCheck }>(
  listeners: L[],
  liftHealthCheck: boolean,
): { listener?: Listener; healthCheck?: HealthCheck; listeners?: L[] } {
  const [first, ...rest] = listeners;
  const simple = (k: string) => k === 'port' || k === 'protocol' || (liftHealthCheck && k === 'healthCheck');
  if (!first || rest.length > 0 || !Object.keys(first).every(simple)) return { listeners };
  return { listener: { port: first.port, protocol: first.protocol }, ...(first.healthCheck ? { healthCheck: first.healthCheck } : {}) };
}
