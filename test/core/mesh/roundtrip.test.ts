import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { validateMeshFile } from '../../../src/core/mesh/validate.js';
import { meshObjects, planMesh, objectsToMeshFile, type MeshKind, type MeshObject } from '../../../src/core/mesh/plan.js';
import { fromAwsSpec, toAwsSpec } from '../../../src/core/mesh/aws-spec.js';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')) as T;

interface Described {
  kind: MeshKind;
  name: string;
  parent?: string;
  spec: Record<string, unknown>;
}

/** The workshop's virtual node as DescribeVirtualNode answers: the one `mesh apply` stripped of its access log and health check port. */
const workshopNode: Described = {
  kind: 'virtualNode',
  name: 'crystal-lb-vanilla',
  spec: fixture<{ virtualNode: { spec: Record<string, unknown> } }>('mesh-workshop-node.json').virtualNode.spec,
};
/** A workshop mesh as App Mesh describes it, with every kind of route and the fields meshctl models. */
const described: Described[] = [workshopNode, ...fixture<Described[]>('mesh-aws-rich.json')];
/** What readActual would read from App Mesh for these. */
const read = (items: readonly Described[]): MeshObject[] =>
  items.map((o) => ({ kind: o.kind, name: o.name, ...(o.parent ? { parent: o.parent } : {}), decl: fromAwsSpec(o.kind, o.spec) }));
const label = (o: { kind: string; name: string; parent?: string }) => `${o.kind} ${o.parent ? `${o.parent}/` : ''}${o.name}`;

describe('AWS spec → mesh file → AWS spec', () => {
  it.each(described.map((o) => [label(o), o] as const))('is the identity for %s', (_label, o) => {
    const decl = fromAwsSpec(o.kind, o.spec);
    expect(decl).not.toHaveProperty('unexpressible');
    expect(toAwsSpec(o.kind, decl)).toEqual(o.spec);
  });

  it('keeps the workshop node access log and health check port that apply used to remove', () => {
    const spec = toAwsSpec('virtualNode', fromAwsSpec('virtualNode', workshopNode.spec)) as {
      logging: unknown;
      listeners: { healthCheck: { port: number } }[];
    };
    expect(spec.logging).toEqual({ accessLog: { file: { path: '/dev/stdout' } } });
    expect(spec.listeners[0]!.healthCheck.port).toBe(3000);
  });

  it('writes the workshop node with the listener shorthand, its health check port and access log', () => {
    const { virtualNodes } = objectsToMeshFile(read([workshopNode]));
    expect(virtualNodes).toEqual([
      {
        name: 'crystal-lb-vanilla',
        listener: { port: 3000, protocol: 'http' },
        healthCheck: {
          protocol: 'http',
          path: '/health',
          port: 3000,
          intervalMillis: 5000,
          timeoutMillis: 2000,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
        serviceDiscovery: { dns: { hostname: 'crystal.appmeshworkshop.hosted.local' } },
        backends: [],
        logging: { accessLog: { file: { path: '/dev/stdout' } } },
      },
    ]);
  });

  it('goes through the written file too: export, YAML, validation and apply give back every spec', () => {
    const text = stringify(objectsToMeshFile(read(described)));
    const file = validateMeshFile(parse(text), 'exported.yaml');
    const specs = meshObjects(file).map((o) => ({
      kind: o.kind,
      name: o.name,
      ...(o.parent ? { parent: o.parent } : {}),
      spec: toAwsSpec(o.kind, o.decl),
    }));
    const byLabel = (xs: Described[]) => [...xs].sort((a, b) => label(a).localeCompare(label(b)));
    expect(byLabel(specs)).toEqual(byLabel(described));
  });

  it('plans no change for an exported mesh that really is unchanged', () => {
    const actual = read(described);
    const file = validateMeshFile(JSON.parse(JSON.stringify(objectsToMeshFile(actual))), 'exported.json');
    const actions = planMesh(file, actual);
    expect(actions.filter((a) => a.action !== 'unchanged')).toEqual([]);
    expect(actions).toHaveLength(described.length);
  });

  it('writes every listener, route kind and field the rich mesh holds, in the file terms', () => {
    const f = objectsToMeshFile(read(described));
    const rich = f.virtualNodes!.find((n) => n.name === 'crystal-lb-rich')!;
    expect(rich.listeners!.map((l) => [l.port, l.protocol, Object.keys(l).sort()])).toEqual([
      [3000, 'http', ['connectionPool', 'healthCheck', 'outlierDetection', 'port', 'protocol', 'timeout', 'tls']],
      [9080, 'grpc', ['connectionPool', 'healthCheck', 'outlierDetection', 'port', 'protocol', 'timeout']],
    ]);
    expect(rich).not.toHaveProperty('listener');
    expect(rich.backends).toEqual(['nodejs.appmeshworkshop.hosted.local', 'crystal.appmeshworkshop.hosted.local']);
    expect(Object.keys(rich.backendClientPolicies!)).toEqual(['nodejs.appmeshworkshop.hosted.local']);
    const routes = f.virtualRouters!.flatMap((r) => r.routes.map((rt) => [r.name, rt.name, rt.protocol ?? 'http', rt.prefix, rt.match]));
    expect(routes).toEqual([
      ['crystal-router', 'crystal-route', 'http', '/', expect.objectContaining({ method: 'GET', port: 3000 })],
      ['crystal-grpc-router', 'crystal-grpc-route', 'grpc', undefined, expect.objectContaining({ serviceName: 'crystal.Crystal' })],
      ['nodejs-router', 'nodejs-h2-route', 'http2', undefined, expect.objectContaining({ path: { exact: '/api/v1/orders' } })],
      ['nodejs-router', 'nodejs-tcp-route', 'tcp', undefined, { port: 7000 }],
    ]);
    expect(f.virtualGateway!.routes.map((r) => [r.name, r.protocol ?? 'http', r.prefix, r.targetPort, r.rewritePrefix])).toEqual([
      ['crystal-gateway-route', 'http', '/crystal', 3000, false],
      ['nodejs-gateway-route', 'http', undefined, undefined, undefined],
      ['crystal-grpc-gateway-route', 'grpc', undefined, undefined, undefined],
    ]);
  });

  it.each<[string, MeshKind, Record<string, unknown>]>([
    ['a tcp route with no match', 'route', { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] } } }],
    [
      'a grpc route matching any method',
      'route',
      { grpcRoute: { match: {}, action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] } } },
    ],
    [
      'an http route matching headers only on top of a prefix',
      'route',
      { httpRoute: { match: { prefix: '/', headers: [{ name: 'x' }] }, action: { weightedTargets: [{ virtualNode: 'n', weight: 0 }] } } },
    ],
    ['a service provided by a node', 'virtualService', { provider: { virtualNode: { virtualNodeName: 'n' } } }],
    ['an ALLOW_ALL mesh', 'mesh', { egressFilter: { type: 'ALLOW_ALL' } }],
  ])('is the identity for %s', (_name, kind, spec) => {
    const decl = fromAwsSpec(kind, spec);
    expect(decl).not.toHaveProperty('unexpressible');
    expect(toAwsSpec(kind, decl)).toEqual(spec);
  });

  it('reads the nulls and empty lists App Mesh may send as absent, so the exported file still validates and plans no change', () => {
    const route = {
      kind: 'route' as const,
      name: 'r',
      parent: 'crystal-router',
      spec: {
        priority: null,
        httpRoute: {
          match: { prefix: '/', headers: [], queryParameters: null },
          action: { weightedTargets: [{ virtualNode: 'crystal-lb-vanilla', weight: 1, port: null }] },
          timeout: {},
        },
      },
    };
    const actual = read([workshopNode, ...described.filter((o) => o.name === 'crystal-router'), route]);
    expect(actual[2]!.decl).toEqual({ prefix: '/', targets: [{ virtualNode: 'crystal-lb-vanilla', weight: 1 }] });
    const file = validateMeshFile(JSON.parse(JSON.stringify({ mesh: { name: 'm' }, ...objectsToMeshFile(actual) })), 'exported.json');
    expect(planMesh(file, actual).map((a) => a.action)).toEqual(['create', 'unchanged', 'unchanged', 'unchanged']);
  });
});
