import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateMeshFile } from '../../src/core/mesh-file.js';
import { InputError } from '../../src/errors.js';

const example = (name: string) => parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
const local = () => example('local-mesh.yaml');

describe('validateMeshFile', () => {
  it.each(['appmesh-workshop.yaml', 'local-mesh.yaml'])('accepts the example %s', (name) => {
    expect(() => validateMeshFile(example(name), name)).not.toThrow();
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
});
