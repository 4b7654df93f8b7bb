import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateMeshFile } from '../../../src/core/mesh/validate.js';
import { InputError } from '../../../src/errors.js';

const text = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const example = (name: string) => parse(text(`../../../examples/${name}`));
const local = () => example('local-mesh.yaml');
const moto = () => parse(text('../../fixtures/mesh-moto.yaml').replace('VPC_ID', 'vpc-0123456789abcdef0'));
const rich = () => parse(text('../../fixtures/mesh-rich.yaml'));

describe('validateMeshFile', () => {
  it.each(['appmesh-workshop.yaml', 'local-mesh.yaml'])('accepts the example %s', (name) => {
    expect(() => validateMeshFile(example(name), name)).not.toThrow();
  });

  it('accepts the moto fixture and the rich mesh with every listener, route kind and field', () => {
    expect(() => validateMeshFile(moto(), 'mesh-moto.yaml')).not.toThrow();
    expect(() => validateMeshFile(rich(), 'mesh-rich.yaml')).not.toThrow();
  });

  it('writes one plain listener as the shorthand, and gives what it validated back unchanged', () => {
    const f = validateMeshFile(
      {
        mesh: { name: 'm' },
        virtualNodes: [
          { name: 'a', listeners: [{ port: 80, healthCheck: { path: '/up' } }], serviceDiscovery: { dns: { hostname: 'a.local' } } },
          { name: 'b', listeners: [{ port: 81, protocol: 'tcp' }, { port: 82 }], serviceDiscovery: { dns: { hostname: 'b.local' } } },
        ],
        virtualRouters: [
          { name: 'r', listeners: [{ port: 80 }], routes: [{ name: 'x', protocol: 'http', targets: [{ virtualNode: 'a' }] }] },
        ],
      },
      'f',
    );
    const [a, b] = f.virtualNodes;
    expect(a).toEqual({
      name: 'a',
      listener: { port: 80, protocol: 'http' },
      healthCheck: { protocol: 'http', path: '/up', intervalMillis: 5000, timeoutMillis: 2000, healthyThreshold: 2, unhealthyThreshold: 2 },
      serviceDiscovery: { dns: { hostname: 'a.local' } },
      backends: [],
    });
    // Several listeners: all of them in `listeners`; `listener` is the first, for readers that know one.
    expect(b!.listeners).toEqual([
      { port: 81, protocol: 'tcp' },
      { port: 82, protocol: 'http' },
    ]);
    expect(b!.listener).toEqual({ port: 81, protocol: 'tcp' });
    expect(f.virtualRouters[0]).toEqual({
      name: 'r',
      listener: { port: 80, protocol: 'http' },
      routes: [{ name: 'x', prefix: '/', targets: [{ virtualNode: 'a', weight: 1 }] }],
    });
    expect(validateMeshFile(JSON.parse(JSON.stringify({ ...f, virtualNodes: [a] })), 'again')).toEqual({ ...f, virtualNodes: [a] });
  });

  it('reads every field of the rich mesh into the file terms', () => {
    const f = validateMeshFile(rich(), 'mesh-rich.yaml');
    const node = f.virtualNodes[1]!;
    expect(node.listeners![0]!.outlierDetection).toEqual({
      maxServerErrors: 5,
      interval: { value: 10, unit: 's' },
      baseEjectionDuration: { value: 30, unit: 's' },
      maxEjectionPercent: 50,
    });
    expect(node.listeners![0]!.healthCheck).toMatchObject({ port: 3000, intervalMillis: 5000 });
    expect(node.backendClientPolicies).toEqual({
      'nodejs.appmeshworkshop.hosted.local': {
        tls: { enforce: true, ports: [8443], validation: { trust: { sds: { secretName: 'workshop-ca' } } } },
      },
    });
    expect(f.virtualNodes[0]!.healthCheck!.port).toBe(3000);
    expect(f.virtualRouters[1]!.routes.map((r) => [r.protocol, r.prefix, r.match])).toEqual([
      ['http2', undefined, { path: { exact: '/api/v1/orders' }, port: 8443 }],
      ['tcp', undefined, { port: 7000 }],
    ]);
    expect(f.virtualGateway!.routes[0]).toEqual({
      name: 'crystal-gateway-route',
      prefix: '/crystal',
      match: { hostname: { suffix: '.example.com' } },
      virtualService: 'crystal.appmeshworkshop.hosted.local',
      targetPort: 3000,
      rewritePrefix: false,
    });
  });

  // Issue 18 item 9: a route without protocol takes its router's (or gateway's) one listener protocol.
  const withRouter = (protocols: string[], route: Record<string, unknown>) => ({
    mesh: { name: 'm' },
    virtualNodes: [
      {
        name: 'n',
        listeners: protocols.map((protocol, i) => ({ port: 80 + i, protocol })),
        serviceDiscovery: { dns: { hostname: 'n.local' } },
      },
    ],
    virtualRouters: [
      {
        name: 'r',
        listeners: protocols.map((protocol, i) => ({ port: 80 + i, protocol })),
        routes: [{ name: 'x', ...route, targets: [{ virtualNode: 'n' }] }],
      },
    ],
    virtualServices: [{ name: 's.local', provider: { virtualRouter: 'r' } }],
  });
  it.each([
    [['http2'], {}, 'http2'],
    [['grpc'], { match: { serviceName: 'a.B' } }, 'grpc'],
    [['tcp'], {}, 'tcp'],
    [['http', 'grpc'], {}, undefined],
  ])('a route without protocol under %j listeners is %s', (protocols, route, protocol) => {
    const f = validateMeshFile(withRouter(protocols, route), 'm.yaml');
    expect(f.virtualRouters[0]!.routes[0]!.protocol).toBe(protocol);
  });
  it('keeps the error when a route without protocol is ambiguous, and takes a gateway listener protocol too', () => {
    expect(() => validateMeshFile(withRouter(['http2', 'grpc'], {}), 'm.yaml')).toThrow(
      new InputError("m.yaml: virtualRouters[0].routes[0].protocol: is needed: the router's listeners offer http2, grpc"),
    );
    const gw = {
      ...withRouter(['http2'], {}),
      virtualGateway: {
        name: 'g',
        listener: { port: 443, protocol: 'http2' },
        routes: [{ name: 'in', prefix: '/', virtualService: 's.local' }],
      },
    };
    expect(validateMeshFile(gw, 'm.yaml').virtualGateway!.routes[0]!.protocol).toBe('http2');
  });

  it('fills in the defaults: egress DROP_ALL, http, weight 1, prefix rewrite off', () => {
    const f = validateMeshFile(
      {
        mesh: { name: 'm' },
        virtualNodes: [{ name: 'n', listener: { port: 80 }, serviceDiscovery: { dns: { hostname: 'n.local' } } }],
        virtualRouters: [{ name: 'r', listener: { port: 80 }, routes: [{ name: 'x', targets: [{ virtualNode: 'n' }] }] }],
        virtualServices: [{ name: 's', provider: { virtualRouter: 'r' } }],
        virtualGateway: { name: 'g', listener: { port: 8080 }, routes: [{ name: 'gr', prefix: '/api', virtualService: 's' }] },
      },
      'f',
    );
    expect(f.mesh.egressFilter).toBe('DROP_ALL');
    expect(f.virtualNodes[0]!.listener.protocol).toBe('http');
    expect(f.virtualRouters[0]!.routes[0]).toEqual({ name: 'x', prefix: '/', targets: [{ virtualNode: 'n', weight: 1 }] });
    expect(f.virtualGateway!.routes[0]!.rewritePrefix).toBe(false);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  it.each<[string, (f: Record<string, any>) => void, string]>([
    [
      'a port out of range',
      (f) => (f.virtualNodes[1].listener.port = 0),
      'virtualNodes[1].listener.port: must be a whole number from 1 to 65535, found 0',
    ],
    [
      'an unknown protocol',
      (f) => (f.virtualRouters[0].listener.protocol = 'udp'),
      'virtualRouters[0].listener.protocol: must be one of http, http2, grpc, tcp, found "udp"',
    ],
    ['a missing mesh', (f) => delete f.mesh, 'mesh: must be an object'],
    ['a bad egress filter', (f) => (f.mesh.egressFilter = 'OPEN'), 'mesh.egressFilter: must be one of DROP_ALL, ALLOW_ALL'],
    ['an unknown field', (f) => (f.virtualNodes[0].port = 5000), 'virtualNodes[0].port: unknown field'],
    ['an unknown top-level field', (f) => (f.gateways = []), 'gateways: unknown field'],
    [
      'a node declared twice',
      (f) => f.virtualNodes.push(structuredClone(f.virtualNodes[0])),
      'virtualNodes[2].name: "payments" is declared twice',
    ],
    ['no service discovery', (f) => (f.virtualNodes[0].serviceDiscovery = {}), 'virtualNodes[0].serviceDiscovery: needs cloudMap or dns'],
    [
      'a backend not in the file',
      (f) => (f.virtualNodes[1].backends = ['orders.local']),
      'virtualNodes[1].backends[0]: "orders.local" is not a virtual service of this file',
    ],
    [
      'a route to an unknown node',
      (f) => (f.virtualRouters[0].routes[0].targets[0].virtualNode = 'orders'),
      'virtualRouters[0].routes[0].targets[0].virtualNode: "orders" is not a virtual node of this file',
    ],
    [
      'a route without targets',
      (f) => (f.virtualRouters[0].routes[0].targets = []),
      'virtualRouters[0].routes[0].targets: needs at least one target',
    ],
    [
      'a weight over 100',
      (f) => (f.virtualRouters[0].routes[0].targets[0].weight = 101),
      'virtualRouters[0].routes[0].targets[0].weight: must be a whole number from 0 to 100',
    ],
    [
      'a prefix without /',
      (f) => (f.virtualGateway.routes[0].prefix = 'api'),
      'virtualGateway.routes[0].prefix: must be a path prefix starting with /',
    ],
    [
      'a service provided by an unknown router',
      (f) => (f.virtualServices[0].provider = { virtualRouter: 'nope' }),
      'virtualServices[0].provider.virtualRouter: "nope" is not a virtual router of this file',
    ],
    [
      'a gateway route to an unknown service',
      (f) => (f.virtualGateway.routes[1].virtualService = 'orders.local'),
      'virtualGateway.routes[1].virtualService: "orders.local" is not a virtual service of this file',
    ],
    [
      'rewritePrefix not a boolean',
      (f) => (f.virtualGateway.routes[0].rewritePrefix = 'no'),
      'virtualGateway.routes[0].rewritePrefix: must be true or false',
    ],
    ['a bad VPC id', (f) => (f.namespace.vpc = 'default'), 'namespace.vpc: must be a VPC id'],
    [
      "a node's Cloud Map service the file's namespace does not declare",
      (f) => (f.virtualNodes[0].serviceDiscovery = { cloudMap: { namespace: f.namespace.name, service: 'orders' } }),
      'virtualNodes[0].serviceDiscovery.cloudMap.service: "orders" is not among namespace.services (',
    ],
    ['a bad name', (f) => (f.virtualNodes[0].name = 'pay ments'), 'virtualNodes[0].name: must be a name'],
    [
      'a health check interval too short',
      (f) => (f.virtualNodes[0].healthCheck = { intervalMillis: 10 }),
      'virtualNodes[0].healthCheck.intervalMillis: must be a whole number from 5000 to 300000',
    ],
    ['routes not a list', (f) => (f.virtualRouters[0].routes = { name: 'x' }), 'virtualRouters[0].routes: must be a list'],
  ])('rejects %s, naming its path', (_name, breakIt, message) => {
    const f = local();
    breakIt(f);
    expect(() => validateMeshFile(f, 'mesh.yaml')).toThrow(InputError);
    expect(() => validateMeshFile(f, 'mesh.yaml')).toThrow(`mesh.yaml: ${message}`);
  });

  const node = (f: Rich) => f.virtualNodes[1];
  const route = (f: Rich, i = 0) => f.virtualRouters[0].routes[i];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Rich = Record<string, any>;
  it.each<[string, (f: Rich) => void, string]>([
    // Listeners, per kind.
    [
      'a second listener out of range',
      (f) => (node(f).listeners[1].port = 0),
      'virtualNodes[1].listeners[1].port: must be a whole number from 1 to 65535, found 0',
    ],
    [
      'a tcp gateway listener',
      (f) => (f.virtualGateway.listeners[0].protocol = 'tcp'),
      'virtualGateway.listeners[0].protocol: must be one of http, http2, grpc, found "tcp"',
    ],
    [
      'a tcp gateway listener in the shorthand',
      (f) => (f.virtualGateway = { name: 'g', listener: { port: 80, protocol: 'tcp' } }),
      'virtualGateway.listener.protocol: must be one of http, http2, grpc, found "tcp"',
    ],
    [
      'listener and listeners both',
      (f) => (node(f).listener = { port: 1 }),
      'virtualNodes[1].listeners: write listener or listeners, not both',
    ],
    ['no listener at all', (f) => (node(f).listeners = []), 'virtualNodes[1].listeners: needs at least one listener'],
    ['a port twice', (f) => (node(f).listeners[1].port = 3000), 'virtualNodes[1].listeners[1].port: port 3000 is declared twice'],
    [
      'the shorthand with more than port and protocol',
      (f) => (f.virtualNodes[0].listener.tls = { mode: 'STRICT' }),
      'virtualNodes[0].listener.tls: unknown field; expected one of port, protocol',
    ],
    [
      'a node health check beside listeners',
      (f) => (node(f).healthCheck = { protocol: 'http' }),
      'virtualNodes[1].healthCheck: with listeners, write each health check in its listener',
    ],
    [
      'a health check on another port',
      (f) => (node(f).listeners[0].healthCheck.port = 3001),
      "virtualNodes[1].listeners[0].healthCheck.port: must be the listener's port 3000, found 3001",
    ],
    [
      'a shorthand health check on another port',
      (f) => (f.virtualNodes[0].healthCheck.port = 8080),
      "virtualNodes[0].healthCheck.port: must be the listener's port 3000, found 8080",
    ],
    [
      "a timeout for another protocol than the listener's",
      (f) => (node(f).listeners[1].timeout = { http: {} }),
      "virtualNodes[1].listeners[1].timeout.http: must be the listener's protocol: write grpc",
    ],
    [
      'a duration with a bad unit',
      (f) => (node(f).listeners[0].timeout.http.idle.unit = 'm'),
      'virtualNodes[1].listeners[0].timeout.http.idle.unit: must be one of s, ms, found "m"',
    ],
    [
      'a connection pool for two protocols',
      (f) => (node(f).listeners[0].connectionPool.tcp = { maxConnections: 1 }),
      'virtualNodes[1].listeners[0].connectionPool: needs exactly one of http, http2, grpc, tcp, found http and tcp',
    ],
    [
      'a tcp pool on a gateway',
      (f) => (f.virtualGateway.listeners[0].connectionPool = { tcp: { maxConnections: 1 } }),
      'virtualGateway.listeners[0].connectionPool.tcp: unknown field; expected one of http, http2, grpc',
    ],
    [
      'outlier detection without an interval',
      (f) => delete node(f).listeners[0].outlierDetection.interval,
      'virtualNodes[1].listeners[0].outlierDetection.interval: is required',
    ],
    [
      'an outlier ejection over 100%',
      (f) => (node(f).listeners[0].outlierDetection.maxEjectionPercent = 101),
      'virtualNodes[1].listeners[0].outlierDetection.maxEjectionPercent: must be a whole number from 0 to 100',
    ],
    [
      'a TLS mode App Mesh does not have',
      (f) => (node(f).listeners[0].tls.mode = 'ON'),
      'virtualNodes[1].listeners[0].tls.mode: must be one of STRICT, PERMISSIVE, DISABLED',
    ],
    [
      'listener TLS without a certificate',
      (f) => delete node(f).listeners[0].tls.certificate,
      'virtualNodes[1].listeners[0].tls.certificate: is required',
    ],
    [
      'listener TLS trusting ACM (client policies only)',
      (f) => (node(f).listeners[0].tls.validation = { trust: { acm: { certificateAuthorityArns: ['x'] } } }),
      'virtualNodes[1].listeners[0].tls.validation.trust.acm: unknown field; expected one of file, sds',
    ],
    [
      'an access log without a path',
      (f) => (f.virtualNodes[0].logging.accessLog.file = {}),
      'virtualNodes[0].logging.accessLog.file.path: is required',
    ],
    [
      'a client policy without validation',
      (f) => (node(f).backendDefaults.clientPolicy.tls = { enforce: true }),
      'virtualNodes[1].backendDefaults.clientPolicy.tls.validation: is required',
    ],
    [
      'a client policy for a service the node does not call',
      (f) => (node(f).backendClientPolicies['orders.local'] = {}),
      'virtualNodes[1].backendClientPolicies["orders.local"]: "orders.local" is not one of this node\'s backends',
    ],
    [
      'a backend twice',
      (f) => node(f).backends.push(node(f).backends[0]),
      'virtualNodes[1].backends[1]: "nodejs.appmeshworkshop.hosted.local" is declared twice',
    ],
    // One discovery method, one provider.
    [
      'two discovery methods',
      (f) => (node(f).serviceDiscovery.dns = { hostname: 'x.local' }),
      'virtualNodes[1].serviceDiscovery: needs cloudMap or dns, not both: a node has one discovery method',
    ],
    [
      'two providers',
      (f) => (f.virtualServices[0].provider.virtualNode = 'crystal-lb-rich'),
      'virtualServices[0].provider: needs virtualRouter or virtualNode, not both: a virtual service has one provider',
    ],
    // Routes: kinds, matches, targets.
    [
      'a route kind the router does not listen for',
      (f) => (f.virtualRouters[1].routes[0].protocol = 'grpc'),
      `virtualRouters[1].routes[0].protocol: must be the protocol of one of the router's listeners (http2, tcp), found "grpc"`,
    ],
    [
      'an unknown route kind',
      (f) => (route(f).protocol = 'udp'),
      'virtualRouters[0].routes[0].protocol: must be one of http, http2, grpc, tcp, found "udp"',
    ],
    [
      'a grpc route with a prefix',
      (f) => (route(f, 1).prefix = '/'),
      'virtualRouters[0].routes[1].prefix: a grpc route has no prefix; match by match.serviceName',
    ],
    [
      'a grpc method without its service',
      (f) => delete route(f, 1).match.serviceName,
      'virtualRouters[0].routes[1].match.methodName: needs match.serviceName',
    ],
    [
      'a tcp route with a prefix',
      (f) => (f.virtualRouters[1].routes[1].prefix = '/'),
      'virtualRouters[1].routes[1].prefix: a tcp route has no prefix; match by port',
    ],
    [
      'a tcp route with a retry policy',
      (f) => (f.virtualRouters[1].routes[1].retryPolicy = route(f).retryPolicy),
      'virtualRouters[1].routes[1].retryPolicy: a tcp route has no retry policy',
    ],
    [
      'a tcp route matching a header',
      (f) => (f.virtualRouters[1].routes[1].match.headers = []),
      'virtualRouters[1].routes[1].match.headers: unknown field; expected one of port',
    ],
    [
      'a prefix and a path',
      (f) => (f.virtualRouters[1].routes[0].prefix = '/api'),
      'virtualRouters[1].routes[0].prefix: a route matches a prefix or a path (match.path), not both',
    ],
    [
      'the prefix inside match',
      (f) => (route(f).match.prefix = '/'),
      "virtualRouters[0].routes[0].match.prefix: write the prefix as the route's own prefix",
    ],
    [
      'a header matched two ways',
      (f) => (route(f).match.headers[0].match.regex = 't.*'),
      'virtualRouters[0].routes[0].match.headers[0].match: needs exactly one of exact, regex, prefix, suffix, range, found exact and regex',
    ],
    [
      'an unknown method',
      (f) => (route(f).match.method = 'FETCH'),
      'virtualRouters[0].routes[0].match.method: must be one of CONNECT, DELETE, GET',
    ],
    [
      'a match on a port the router does not listen on',
      (f) => (route(f).match.port = 9080),
      "virtualRouters[0].routes[0].match.port: must be the port of one of the router's http listeners (3000), found 9080",
    ],
    [
      'a target port the node does not listen on',
      (f) => (route(f).targets[1].port = 8080),
      "virtualRouters[0].routes[0].targets[1].port: must be the port of one of crystal-lb-rich's listeners (3000, 9080), found 8080",
    ],
    [
      'more than 10 targets',
      (f) => (route(f).targets = Array.from({ length: 11 }, () => ({ virtualNode: 'crystal-lb-rich' }))),
      'virtualRouters[0].routes[0].targets: App Mesh takes at most 10 targets, found 11',
    ],
    [
      'a retry policy retrying nothing',
      (f) => delete route(f).retryPolicy.httpRetryEvents,
      'virtualRouters[0].routes[0].retryPolicy: needs at least one of httpRetryEvents, tcpRetryEvents',
    ],
    [
      'an unknown retry event',
      (f) => (route(f, 1).retryPolicy.grpcRetryEvents = ['timeout']),
      'virtualRouters[0].routes[1].retryPolicy.grpcRetryEvents[0]: must be one of cancelled, deadline-exceeded',
    ],
    [
      'a priority over 1000',
      (f) => (route(f).priority = 1001),
      'virtualRouters[0].routes[0].priority: must be a whole number from 0 to 1000, found 1001',
    ],
    // Gateway routes.
    [
      'a grpc gateway route on an http gateway',
      (f) => (f.virtualGateway.routes[0] = { name: 'g', protocol: 'grpc', virtualService: 'nodejs.appmeshworkshop.hosted.local' }),
      `virtualGateway.routes[0].protocol: must be the protocol of one of the gateway's listeners (http), found "grpc"`,
    ],
    [
      'a gateway route to a port its service does not offer',
      (f) => (f.virtualGateway.routes[0].targetPort = 8443),
      "virtualGateway.routes[0].targetPort: must be the port of one of crystal.appmeshworkshop.hosted.local's provider's listeners (3000, 9080), found 8443",
    ],
    [
      'a gateway route with neither prefix nor path',
      (f) => delete f.virtualGateway.routes[0].prefix,
      'virtualGateway.routes[0].prefix: needs a prefix or match.path',
    ],
    [
      'a prefix rewrite on a path match',
      (f) => Object.assign(f.virtualGateway.routes[0], { prefix: undefined, match: { path: { exact: '/x' } }, rewritePrefix: true }),
      'virtualGateway.routes[0].rewritePrefix: applies to a route that matches a prefix',
    ],
    [
      'a gateway hostname matched two ways',
      (f) => (f.virtualGateway.routes[0].match.hostname.exact = 'a.example.com'),
      'virtualGateway.routes[0].match.hostname: needs exactly one of exact, suffix, found exact and suffix',
    ],
  ])('rejects %s, naming its path', (_name, breakIt, message) => {
    const f = rich();
    breakIt(f);
    expect(() => validateMeshFile(f, 'mesh.yaml')).toThrow(InputError);
    expect(() => validateMeshFile(f, 'mesh.yaml')).toThrow(`mesh.yaml: ${message}`);
  });
});
