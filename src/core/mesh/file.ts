import { InputError } from '../../errors.js';
import { APP_MESH_NAME } from './description.js';

// The mesh file mirrors App Mesh's spec: the same field names, camelCase, so that mapping one to the other
// is mechanical (mesh-plan.ts). The shapes App Mesh nests (timeouts, TLS, pools, ...) are tables in SHAPES,
// read by the same code whether they come from a file (validated) or from App Mesh (copied, fields it names only).
// https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_Types.html

export type Protocol = 'http' | 'http2' | 'grpc' | 'tcp';

/** A listener as the mesh file's shorthand writes it: `listener: { port, protocol }`. */
export interface Listener {
  port: number;
  protocol: Protocol;
}

export interface Duration {
  value: number;
  unit: 's' | 'ms';
}

export interface HealthCheck {
  protocol: Protocol;
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
  protocol?: Protocol;
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
  protocol?: Protocol;
  priority?: number;
  /** http and http2 routes: the prefix matched, unless `match.path` is given. */
  prefix?: string;
  match?: RouteMatch;
  virtualService: string;
  /** The port of the virtual service's provider to send to (App Mesh's action.target.port). */
  targetPort?: number;
  /** Prefix routes: off unless the file asks (the runbook author had to turn the console's default rewrite off). */
  rewritePrefix?: boolean;
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
  mesh: { name: string; egressFilter: 'DROP_ALL' | 'ALLOW_ALL'; serviceDiscovery?: { ipPreference: string } };
  virtualNodes: VirtualNodeDecl[];
  virtualRouters: VirtualRouterDecl[];
  virtualServices: VirtualServiceDecl[];
  virtualGateway?: VirtualGatewayDecl;
}

// ---- The nested App Mesh shapes, as data.

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

const BIG = Number.MAX_SAFE_INTEGER;
const int = (min: number, max = BIG): Shape => ({ kind: 'int', min, max });
const TEXT: Shape = { kind: 'text' };
const BOOL: Shape = { kind: 'bool' };
const oneOf = (...values: string[]): Shape => ({ kind: 'enum', values });
const list = (of: Shape, max = BIG): Shape => ({ kind: 'list', of, min: 1, max });
const obj = (fields: Record<string, Shape>, required: string[] = [], anyOf?: string[]): Shape => ({
  kind: 'object',
  fields,
  required,
  ...(anyOf ? { anyOf } : {}),
});
const union = (fields: Record<string, Shape>): Shape => ({ kind: 'object', fields, required: [], union: true });

const PORT = int(1, 65535);
const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
const GATEWAY_PROTOCOLS = ['http', 'http2', 'grpc'] as const;
/** Health check timings and thresholds: App Mesh's range and the file's default. */
const HEALTH_THRESHOLDS = {
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
  httpRetryPolicy: obj(HTTP_RETRY, ['perRetryTimeout', 'maxRetries'], ['httpRetryEvents', 'tcpRetryEvents']),
  grpcRetryPolicy: obj(
    { ...HTTP_RETRY, grpcRetryEvents: GRPC_RETRY_EVENTS },
    ['perRetryTimeout', 'maxRetries'],
    ['httpRetryEvents', 'tcpRetryEvents', 'grpcRetryEvents'],
  ),
  httpRouteTimeout: HTTP_TIMEOUT,
  tcpRouteTimeout: TCP_TIMEOUT,
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

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

const NAME = APP_MESH_NAME;
const at = (path: string, key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/** Validates one value at a path; every failure names the path in the file. */
class Reader {
  constructor(readonly file: string) {}
  fail(path: string, message: string): never {
    throw new InputError(`${this.file}: ${path}: ${message}`);
  }
  obj(v: unknown, path: string): Obj {
    if (!isObj(v)) this.fail(path, 'must be an object');
    return v;
  }
  only(o: Obj, path: string, keys: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!keys.includes(k)) this.fail(path ? at(path, k) : k, `unknown field; expected one of ${keys.join(', ')}`);
  }
  arr(v: unknown, path: string, optional = true): unknown[] {
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) this.fail(path, 'must be a list');
    return v;
  }
  name(v: unknown, path: string): string {
    if (typeof v !== 'string' || !NAME.test(v)) this.fail(path, `must be a name (letters, digits, . _ -), found ${JSON.stringify(v)}`);
    return v;
  }
  int(v: unknown, path: string, min: number, max: number, fallback?: number): number {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(path, `must be a whole number from ${min} to ${max}, found ${JSON.stringify(v)}`);
    return v;
  }
  oneOf<T extends string>(v: unknown, path: string, values: readonly T[], fallback?: T): T {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !values.includes(v as T))
      this.fail(path, `must be one of ${values.join(', ')}, found ${JSON.stringify(v)}`);
    return v as T;
  }
  prefix(v: unknown, path: string): string {
    if (typeof v !== 'string' || !v.startsWith('/')) this.fail(path, `must be a path prefix starting with /, found ${JSON.stringify(v)}`);
    return v;
  }
  /** A value of one of SHAPES, copied with only its fields; undefined stays undefined. */
  shape<T>(s: Shape, v: unknown, path: string): T | undefined {
    return v === undefined ? undefined : (this.check(s, v, path) as T);
  }
  private check(s: Shape, v: unknown, path: string): unknown {
    switch (s.kind) {
      case 'int':
        return this.int(v, path, s.min, s.max);
      case 'text':
        if (typeof v !== 'string' || v === '') this.fail(path, `must be a non-empty string, found ${JSON.stringify(v)}`);
        return v;
      case 'bool':
        if (typeof v !== 'boolean') this.fail(path, 'must be true or false');
        return v;
      case 'enum':
        return this.oneOf(v, path, s.values);
      case 'list': {
        const items = this.arr(v, path, false);
        if (items.length < s.min || items.length > s.max)
          this.fail(path, `needs ${s.max === BIG ? `at least ${s.min}` : `${s.min} to ${s.max}`} item(s), found ${items.length}`);
        return items.map((x, i) => this.check(s.of, x, `${path}[${i}]`));
      }
      case 'object': {
        const o = this.obj(v, path);
        const keys = Object.keys(s.fields);
        this.only(o, path, keys);
        const given = keys.filter((k) => o[k] !== undefined);
        if (s.union && given.length !== 1)
          this.fail(path, `needs exactly one of ${keys.join(', ')}${given.length ? `, found ${given.join(' and ')}` : ''}`);
        for (const k of s.required) if (o[k] === undefined) this.fail(at(path, k), 'is required');
        if (s.anyOf && !s.anyOf.some((k) => o[k] !== undefined)) this.fail(path, `needs at least one of ${s.anyOf.join(', ')}`);
        return Object.fromEntries(given.map((k) => [k, this.check(s.fields[k]!, o[k], at(path, k))]));
      }
    }
  }
  /** A timeout or connection pool: App Mesh keys it by protocol, which must be the listener's. */
  byProtocol<T>(s: Shape, v: unknown, path: string, protocol: Protocol): T | undefined {
    const value = this.shape<Obj>(s, v, path);
    const key = value && Object.keys(value)[0];
    if (key !== undefined && key !== protocol) this.fail(at(path, key), `must be the listener's protocol: write ${protocol}`);
    return value as T | undefined;
  }
  healthCheck(v: unknown, path: string, protocols: readonly Protocol[], listenerPort: number): HealthCheck {
    const h = this.obj(v, path);
    this.only(h, path, ['protocol', 'path', 'port', ...Object.keys(HEALTH_THRESHOLDS)]);
    const protocol = this.oneOf(h.protocol, `${path}.protocol`, protocols, 'http');
    const port = h.port === undefined ? undefined : this.int(h.port, `${path}.port`, 1, 65535);
    if (port !== undefined && port !== listenerPort)
      this.fail(`${path}.port`, `must be the listener's port ${listenerPort}, found ${port}`);
    // App Mesh uses the path for http and http2 only; for others it is kept when given, as App Mesh keeps it.
    const checked =
      h.path !== undefined || protocol === 'http' || protocol === 'http2' ? this.prefix(h.path ?? '/', `${path}.path`) : undefined;
    const thresholds = Object.fromEntries(
      Object.entries(HEALTH_THRESHOLDS).map(([k, [min, max, fallback]]) => [k, this.int(h[k], `${path}.${k}`, min, max, fallback)]),
    ) as Pick<HealthCheck, keyof typeof HEALTH_THRESHOLDS>;
    return compact({ protocol, path: checked, port, ...thresholds });
  }
  listener(v: unknown, path: string, protocols: readonly Protocol[]): Listener {
    const o = this.obj(v, path);
    this.only(o, path, ['port', 'protocol']);
    return { port: this.int(o.port, `${path}.port`, 1, 65535), protocol: this.oneOf(o.protocol, `${path}.protocol`, protocols, 'http') };
  }
  /** `listener` or `listeners` of an object at `path`, each read by `read`; one or more, each port once. */
  listeners<L extends Listener>(
    o: Obj,
    path: string,
    protocols: readonly Protocol[],
    read: (v: unknown, path: string) => L,
    shorthand: (l: Listener) => L,
  ): L[] {
    if (o.listener !== undefined && o.listeners !== undefined) this.fail(`${path}.listeners`, 'write listener or listeners, not both');
    if (o.listeners === undefined) return [shorthand(this.listener(o.listener, `${path}.listener`, protocols))];
    const ls = this.arr(o.listeners, `${path}.listeners`, false).map((l, i) => read(l, `${path}.listeners[${i}]`));
    if (ls.length === 0) this.fail(`${path}.listeners`, 'needs at least one listener');
    ls.forEach((l, i) => {
      if (ls.findIndex((x) => x.port === l.port) < i) this.fail(`${path}.listeners[${i}].port`, `port ${l.port} is declared twice`);
    });
    return ls;
  }
  unique<T extends { name: string }>(items: T[], path: string): T[] {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.name)) this.fail(`${path}[${i}].name`, `"${it.name}" is declared twice`);
      seen.add(it.name);
    });
    return items;
  }
}

/** The `listener`, `listeners` (and a node's `healthCheck`) a validated file holds for these listeners. */
function validatedListeners<L extends Listener & { healthCheck?: HealthCheck }>(ls: L[], liftHealthCheck: boolean) {
  const fields = listenerFields(ls, liftHealthCheck);
  return { listener: fields.listener ?? { port: ls[0]!.port, protocol: ls[0]!.protocol }, ...fields };
}

const portsOf = (o: { listener: Listener; listeners?: Listener[] }) => (o.listeners ?? [o.listener]).map((l) => l.port);

function readNodeListener(r: Reader, v: unknown, path: string): NodeListener {
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

function readGatewayListener(r: Reader, v: unknown, path: string): GatewayListener {
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

function readNode(r: Reader, v: unknown, p: string): VirtualNodeDecl {
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
const ROUTE_KINDS: Record<Protocol, { match: Shape; prefix: boolean; retry?: Shape; timeout: Shape }> = {
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
  r: Reader,
  o: Obj,
  p: string,
  listeners: readonly Listener[],
  matchShape: (protocol: Protocol) => Shape,
  prefixes: (protocol: Protocol) => boolean,
  owner: string,
  prefixRequired: boolean,
) {
  const protocol = r.oneOf(o.protocol, `${p}.protocol`, PROTOCOLS, 'http');
  const offered = [...new Set(listeners.map((l) => l.protocol))];
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

function readRoute(r: Reader, v: unknown, rp: string, router: { listeners: Listener[] }, nodes: Map<string, number[]>): RouteDecl {
  const ro = r.obj(v, rp);
  r.only(ro, rp, ['name', 'protocol', 'priority', 'prefix', 'match', 'targets', 'retryPolicy', 'timeout']);
  const name = r.name(ro.name, `${rp}.name`);
  const kinds = (protocol: Protocol) => ROUTE_KINDS[protocol];
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
  r: Reader,
  v: unknown,
  rp: string,
  gateway: { listeners: Listener[] },
  services: Map<string, number[]>,
): GatewayRouteDecl {
  const ro = r.obj(v, rp);
  r.only(ro, rp, ['name', 'protocol', 'priority', 'prefix', 'match', 'virtualService', 'targetPort', 'rewritePrefix']);
  const name = r.name(ro.name, `${rp}.name`);
  const prefixes = (x: Protocol) => x !== 'grpc';
  const { protocol, prefix, match } = readMatch(r, ro, rp, gateway.listeners, (x) => GATEWAY_ROUTE_MATCH[x]!, prefixes, 'gateway', true);
  const vs = r.name(ro.virtualService, `${rp}.virtualService`);
  const ports = services.get(vs);
  if (!ports) r.fail(`${rp}.virtualService`, `"${vs}" is not a virtual service of this file`);
  const targetPort = ro.targetPort === undefined ? undefined : r.int(ro.targetPort, `${rp}.targetPort`, 1, 65535);
  if (targetPort !== undefined && !ports.includes(targetPort))
    r.fail(`${rp}.targetPort`, `must be the port of one of ${vs}'s provider's listeners (${ports.join(', ')}), found ${targetPort}`);
  if (ro.rewritePrefix !== undefined && typeof ro.rewritePrefix !== 'boolean') r.fail(`${rp}.rewritePrefix`, 'must be true or false');
  if (ro.rewritePrefix !== undefined && prefix === undefined) r.fail(`${rp}.rewritePrefix`, 'applies to a route that matches a prefix');
  return compact({
    name,
    protocol: protocol === 'http' ? undefined : protocol,
    priority: ro.priority === undefined ? undefined : r.int(ro.priority, `${rp}.priority`, 0, 1000),
    prefix,
    match,
    virtualService: vs,
    targetPort,
    rewritePrefix: prefix === undefined ? undefined : ro.rewritePrefix === true,
  });
}

/** Parsed YAML or JSON in; a validated MeshFile out, or an InputError naming the path (`virtualNodes[1].listeners[0].port`). */
export function validateMeshFile(value: unknown, file: string): MeshFile {
  const r = new Reader(file);
  const root = r.obj(value, '(top)');
  r.only(root, '', ['namespace', 'mesh', 'virtualNodes', 'virtualRouters', 'virtualServices', 'virtualGateway']);

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
  r.only(m, 'mesh', ['name', 'egressFilter', 'serviceDiscovery']);
  const mesh = compact({
    name: r.name(m.name, 'mesh.name'),
    egressFilter: r.oneOf(m.egressFilter, 'mesh.egressFilter', ['DROP_ALL', 'ALLOW_ALL'] as const, 'DROP_ALL'),
    serviceDiscovery: r.shape<{ ipPreference: string }>(SHAPES.meshServiceDiscovery, m.serviceDiscovery, 'mesh.serviceDiscovery'),
  });

  const virtualNodes = r.unique(
    r.arr(root.virtualNodes, 'virtualNodes').map((v, i) => readNode(r, v, `virtualNodes[${i}]`)),
    'virtualNodes',
  );
  const nodePorts = new Map(virtualNodes.map((n) => [n.name, portsOf(n)]));

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
  virtualNodes.forEach((n, i) =>
    n.backends.forEach((b, j) => {
      if (!servicePorts.has(b)) r.fail(`virtualNodes[${i}].backends[${j}]`, `"${b}" is not a virtual service of this file`);
    }),
  );

  let virtualGateway: VirtualGatewayDecl | undefined;
  if (root.virtualGateway !== undefined) {
    const p = 'virtualGateway';
    const o = r.obj(root.virtualGateway, p);
    r.only(o, p, ['name', 'listener', 'listeners', 'backendDefaults', 'logging', 'routes']);
    const name = r.name(o.name, `${p}.name`);
    const listeners = r.listeners(
      o,
      p,
      GATEWAY_PROTOCOLS,
      (l, lp) => readGatewayListener(r, l, lp),
      (l) => l,
    );
    virtualGateway = {
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
  return {
    ...(namespace ? { namespace } : {}),
    mesh,
    virtualNodes,
    virtualRouters,
    virtualServices,
    ...(virtualGateway ? { virtualGateway } : {}),
  };
}
