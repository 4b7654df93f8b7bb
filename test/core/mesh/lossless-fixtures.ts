// One mesh, ours, written three ways: as App Mesh describes it (API shapes), as a CloudFormation template
// declares it, and as `terraform show -json` holds it. Shapes learnt from AWS's App Mesh walkthroughs (gRPC,
// HTTP/2, retries, timeouts, outlier detection, mutual TLS from files, an ingress gateway); names and values ours.
import { toAwsSpec } from '../../../src/core/mesh/aws-spec.js';
import type { MeshDescription } from '../../../src/core/mesh/description.js';
import { meshObjects, type MeshKind } from '../../../src/core/mesh/plan.js';
import { descriptionToMeshFile } from '../../../src/core/mesh/sources/to-mesh-file.js';
import { validateMeshFile } from '../../../src/core/mesh/validate.js';

export interface Described {
  kind: MeshKind;
  name: string;
  parent?: string;
  spec: Record<string, unknown>;
}

const ms = (value: number) => ({ value, unit: 'ms' });
const sec = (value: number) => ({ value, unit: 's' });
const TLS_FILES = { certificateChain: '/certs/ledger_chain.pem', privateKey: '/certs/ledger_key.pem' };
const TRUST = { file: { certificateChain: '/certs/ca_chain.pem' } };

/** The mesh as DescribeX answers, spec by spec. */
export const API: Described[] = [
  { kind: 'mesh', name: 'till-mesh', spec: { egressFilter: { type: 'ALLOW_ALL' } } },
  {
    kind: 'virtualNode',
    name: 'ledger-v1',
    spec: {
      listeners: [
        {
          portMapping: { port: 8080, protocol: 'http' },
          healthCheck: {
            protocol: 'http',
            path: '/ping',
            healthyThreshold: 2,
            unhealthyThreshold: 3,
            timeoutMillis: 2000,
            intervalMillis: 5000,
          },
          timeout: { http: { perRequest: sec(10), idle: sec(300) } },
          outlierDetection: { maxServerErrors: 5, interval: sec(10), baseEjectionDuration: sec(30), maxEjectionPercent: 50 },
          connectionPool: { http: { maxConnections: 100, maxPendingRequests: 20 } },
          tls: { mode: 'STRICT', certificate: { file: TLS_FILES }, validation: { trust: TRUST } },
        },
        { portMapping: { port: 9090, protocol: 'grpc' }, timeout: { grpc: { perRequest: sec(5) } } },
      ],
      serviceDiscovery: {
        awsCloudMap: { namespaceName: 'till.local', serviceName: 'ledger', attributes: [{ key: 'version', value: 'v1' }] },
      },
      backends: [],
      logging: { accessLog: { file: { path: '/dev/stdout', format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] } } } },
    },
  },
  {
    kind: 'virtualNode',
    name: 'ledger-v2',
    spec: {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port: 9090, protocol: 'grpc' } }],
      serviceDiscovery: { dns: { hostname: 'ledger-v2.till.local', responseType: 'ENDPOINTS' } },
    },
  },
  {
    kind: 'virtualNode',
    name: 'till-web',
    spec: {
      listeners: [{ portMapping: { port: 3000, protocol: 'http2' }, connectionPool: { http2: { maxRequests: 64 } } }],
      serviceDiscovery: { awsCloudMap: { namespaceName: 'till.local', serviceName: 'web' } },
      backends: [
        {
          virtualService: {
            virtualServiceName: 'ledger.till.local',
            clientPolicy: {
              tls: {
                enforce: true,
                ports: [8080],
                certificate: { file: { certificateChain: '/certs/web_chain.pem', privateKey: '/certs/web_key.pem' } },
                validation: { trust: TRUST, subjectAlternativeNames: { match: { exact: ['ledger.till.local'] } } },
              },
            },
          },
        },
        { virtualService: { virtualServiceName: 'fx-rates.shared.local' } },
      ],
      backendDefaults: {
        clientPolicy: {
          tls: {
            validation: {
              trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/till'] } },
            },
          },
        },
      },
      logging: { accessLog: { file: { path: '/dev/stdout', format: { text: '[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\n' } } } },
    },
  },
  {
    kind: 'virtualRouter',
    name: 'ledger-router',
    spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port: 9090, protocol: 'grpc' } }] },
  },
  {
    kind: 'route',
    name: 'ledger-canary',
    parent: 'ledger-router',
    spec: {
      priority: 10,
      httpRoute: {
        match: {
          prefix: '/entries',
          method: 'POST',
          headers: [{ name: 'x-canary', invert: false, match: { exact: 'yes' } }],
          queryParameters: [{ name: 'dry', match: { exact: 'true' } }],
          port: 8080,
        },
        action: {
          weightedTargets: [
            { virtualNode: 'ledger-v1', weight: 90, port: 8080 },
            { virtualNode: 'ledger-v2', weight: 10, port: 8080 },
          ],
        },
        retryPolicy: {
          perRetryTimeout: ms(2000),
          maxRetries: 3,
          httpRetryEvents: ['server-error', 'gateway-error'],
          tcpRetryEvents: ['connection-error'],
        },
        timeout: { perRequest: sec(15), idle: sec(60) },
      },
    },
  },
  {
    kind: 'route',
    name: 'ledger-by-path',
    parent: 'ledger-router',
    spec: {
      priority: 20,
      httpRoute: {
        match: { path: { regex: '^/v[12]/balance$' }, headers: [{ name: 'x-user', match: { range: { start: 1, end: 500 } } }] },
        action: { weightedTargets: [{ virtualNode: 'ledger-v1', weight: 1 }] },
      },
    },
  },
  {
    kind: 'route',
    name: 'ledger-grpc',
    parent: 'ledger-router',
    spec: {
      grpcRoute: {
        match: {
          serviceName: 'till.Ledger',
          methodName: 'Post',
          metadata: [{ name: 'tenant', invert: true, match: { prefix: 'test-' } }],
          port: 9090,
        },
        action: {
          weightedTargets: [
            { virtualNode: 'ledger-v1', weight: 50, port: 9090 },
            { virtualNode: 'ledger-v2', weight: 50, port: 9090 },
          ],
        },
        retryPolicy: { perRetryTimeout: sec(1), maxRetries: 2, grpcRetryEvents: ['unavailable', 'deadline-exceeded'] },
        timeout: { perRequest: sec(3) },
      },
    },
  },
  {
    kind: 'virtualRouter',
    name: 'web-router',
    spec: { listeners: [{ portMapping: { port: 3000, protocol: 'http2' } }, { portMapping: { port: 7000, protocol: 'tcp' } }] },
  },
  {
    kind: 'route',
    name: 'web-http2',
    parent: 'web-router',
    spec: {
      http2Route: {
        match: { prefix: '/', scheme: 'https' },
        action: { weightedTargets: [{ virtualNode: 'till-web', weight: 1 }] },
        retryPolicy: { perRetryTimeout: ms(500), maxRetries: 1, httpRetryEvents: ['stream-error'] },
      },
    },
  },
  {
    kind: 'route',
    name: 'web-tcp',
    parent: 'web-router',
    spec: {
      tcpRoute: {
        match: { port: 7000 },
        action: { weightedTargets: [{ virtualNode: 'till-web', weight: 1 }] },
        timeout: { idle: sec(120) },
      },
    },
  },
  { kind: 'virtualService', name: 'ledger.till.local', spec: { provider: { virtualRouter: { virtualRouterName: 'ledger-router' } } } },
  { kind: 'virtualService', name: 'web.till.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web-router' } } } },
  {
    kind: 'virtualGateway',
    name: 'till-ingress',
    spec: {
      listeners: [
        {
          portMapping: { port: 8443, protocol: 'http' },
          tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/ingress' } } },
          healthCheck: {
            protocol: 'http',
            path: '/healthz',
            healthyThreshold: 2,
            unhealthyThreshold: 2,
            timeoutMillis: 2000,
            intervalMillis: 10000,
          },
          connectionPool: { http: { maxConnections: 512 } },
        },
      ],
      logging: { accessLog: { file: { path: '/dev/stdout' } } },
    },
  },
  {
    kind: 'gatewayRoute',
    name: 'ledger-api',
    parent: 'till-ingress',
    spec: {
      priority: 1,
      httpRoute: {
        match: { prefix: '/ledger/', hostname: { suffix: '.till.example' } },
        action: {
          target: { virtualService: { virtualServiceName: 'ledger.till.local' }, port: 8080 },
          rewrite: { prefix: { value: '/' } },
        },
      },
    },
  },
  {
    kind: 'gatewayRoute',
    name: 'ledger-exact',
    parent: 'till-ingress',
    spec: {
      httpRoute: {
        match: { path: { exact: '/balance' }, method: 'GET' },
        action: {
          target: { virtualService: { virtualServiceName: 'ledger.till.local' } },
          rewrite: { path: { exact: '/v2/balance' }, hostname: { defaultTargetHostname: 'DISABLED' } },
        },
      },
    },
  },
  {
    kind: 'virtualGateway',
    name: 'till-grpc-ingress',
    spec: { listeners: [{ portMapping: { port: 9443, protocol: 'grpc' }, connectionPool: { grpc: { maxRequests: 128 } } }] },
  },
  {
    kind: 'gatewayRoute',
    name: 'ledger-grpc',
    parent: 'till-grpc-ingress',
    spec: {
      grpcRoute: {
        match: { serviceName: 'till.Ledger', metadata: [{ name: 'region', match: { exact: 'eu' } }] },
        action: {
          target: { virtualService: { virtualServiceName: 'ledger.till.local' } },
          rewrite: { hostname: { defaultTargetHostname: 'ENABLED' } },
        },
      },
    },
  },
];

// ---- The same mesh in the two dialects, converted here by a plain key rewrite that mirrors how each writes App Mesh's fields.
type Json = unknown;
const CFN_UPPER: Record<string, string> = {
  awsCloudMap: 'AWSCloudMap',
  dns: 'DNS',
  tls: 'TLS',
  acm: 'ACM',
  sds: 'SDS',
  http: 'HTTP',
  http2: 'HTTP2',
  grpc: 'GRPC',
  tcp: 'TCP',
};
const TF_SINGULAR: Record<string, string> = {
  listeners: 'listener',
  backends: 'backend',
  weightedTargets: 'weighted_target',
  headers: 'header',
  queryParameters: 'query_parameter',
};
/** App Mesh's JSON written as CloudFormation writes it. */
export function cfn(v: Json): Json {
  if (Array.isArray(v)) return v.map(cfn);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [CFN_UPPER[k] ?? k[0]!.toUpperCase() + k.slice(1), cfn(x)]));
}
/** App Mesh's JSON written as `terraform show -json` holds it: snake_case, each nested block a list, a Cloud Map's attributes a map. */
export function tf(v: Json, inList = false): Json {
  if (Array.isArray(v)) return v.map((x) => tf(x, true));
  if (v === null || typeof v !== 'object') return v;
  const out = Object.fromEntries(
    Object.entries(v).map(([k, x]) => {
      const key = TF_SINGULAR[k] ?? k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (k === 'attributes') return [key, Object.fromEntries((x as { key: string; value: string }[]).map((a) => [a.key, a.value]))];
      return [key, tf(x)];
    }),
  );
  return inList ? out : [out];
}

// ---- Through the mesh file and back.

/** A spec as compared: no empty lists or objects (App Mesh leaves some out, sends others). */
export function normalized(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(normalized) : undefined;
  if (v && typeof v === 'object') {
    const e = Object.entries(v).flatMap(([k, x]) => (normalized(x) === undefined ? [] : [[k, normalized(x)]]));
    return e.length ? Object.fromEntries(e) : undefined;
  }
  return v;
}

/** Description → mesh file (validated, as `mesh plan -f` reads it) → the specs mesh apply would send, by object. */
export function specsThroughFile(desc: MeshDescription) {
  const { file, notes } = descriptionToMeshFile(desc);
  const validated = validateMeshFile(JSON.parse(JSON.stringify(file)), 'imported.yaml');
  const specs = meshObjects(validated)
    .filter((o) => o.kind !== 'namespace' && o.kind !== 'cloudMapService')
    .map((o) => [`${o.kind} ${o.parent ?? ''}/${o.name}`, normalized(toAwsSpec(o.kind, o.decl))]);
  return { file, validated, notes, specs: Object.fromEntries(specs) };
}
// The prefix rewrite App Mesh applies by default is written out where a route did not say: the same behaviour.
export const EXPECTED = Object.fromEntries(
  API.map((o) => {
    const spec = structuredClone(o.spec) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (o.name === 'ledger-exact') spec.httpRoute.action.rewrite.prefix = undefined;
    return [`${o.kind} ${o.parent ?? ''}/${o.name}`, normalized(spec)];
  }),
);
