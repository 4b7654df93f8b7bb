import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type MeshFile } from '../../../src/core/mesh/file.js';
import { validateMeshFile } from '../../../src/core/mesh/validate.js';
import {
  meshObjects,
  planMesh,
  refuseUnexpressibleLosses,
  objectsToMeshFile,
  unexpressibleLosses,
  unexpressibleNotes,
  type MeshKind,
  type MeshObject,
} from '../../../src/core/mesh/plan.js';
import { fromAwsSpec, toAwsSpec } from '../../../src/core/mesh/aws-spec.js';
import { InputError } from '../../../src/errors.js';

const text = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
/** The files meshctl shipped before every listener and route kind: examples/ and the moto fixture (in a valid VPC). */
const OLD_FILES = ['examples/appmesh-workshop.yaml', 'examples/local-mesh.yaml', 'test/fixtures/mesh-moto.yaml'];
const oldFile = (path: string): MeshFile =>
  validateMeshFile(parse(text(`../../../${path}`).replace('VPC_ID', 'vpc-0123456789abcdef0')), path);
const local = (): MeshFile => oldFile('examples/local-mesh.yaml');
/**
 * What meshctl made of the old files before (commit 28ba983's validateMeshFile, planMesh and toAwsSpec, run on
 * them once): the validated file, the plan against nothing, and each spec apply sent.
 */
const before = JSON.parse(text('../../fixtures/mesh-old-plans.json')) as Record<
  string,
  { file: unknown; plan: string[]; specs: { kind: MeshKind; name: string; parent?: string; spec: unknown }[] }
>;
const workshopSpec = (): Record<string, any> => JSON.parse(text('../../fixtures/mesh-workshop-node.json')).virtualNode.spec; // eslint-disable-line @typescript-eslint/no-explicit-any
const readBack = (kind: MeshKind, name: string, spec: unknown, parent?: string): MeshObject => ({
  kind,
  name,
  ...(parent ? { parent } : {}),
  decl: fromAwsSpec(kind, spec as Record<string, unknown>),
});
/** What AWS would hold after applying a file, read back through the API shapes. */
const applied = (f: MeshFile): MeshObject[] =>
  meshObjects(f).map((o) => ({
    ...o,
    decl: o.kind === 'namespace' || o.kind === 'cloudMapService' ? o.decl : fromAwsSpec(o.kind, toAwsSpec(o.kind, o.decl) as never),
  }));
const summary = (actions: { action: string; kind: string; name: string }[]) => actions.map((a) => `${a.action} ${a.kind} ${a.name}`);

describe('planMesh', () => {
  it('creates everything in dependency order when nothing exists', () => {
    expect(summary(planMesh(local(), []))).toEqual([
      'create namespace local',
      'create cloudMapService payments',
      'create cloudMapService products',
      'create mesh local-mesh',
      'create virtualNode payments',
      'create virtualNode products',
      'create virtualRouter payments-router',
      'create virtualRouter products-router',
      'create route payments-route',
      'create route products-route',
      'create virtualService payments.local',
      'create virtualService products.local',
      'create virtualGateway gateway',
      'create gatewayRoute payments-gateway-route',
      'create gatewayRoute products-gateway-route',
    ]);
  });

  it('changes nothing once applied: the API shapes read back to the same file', () => {
    expect(planMesh(local(), applied(local())).every((a) => a.action === 'unchanged')).toBe(true);
  });

  it('updates only what differs, with field-level changes', () => {
    const want = local();
    want.virtualRouters[0]!.routes[0]!.targets = [
      { virtualNode: 'payments', weight: 90 },
      { virtualNode: 'products', weight: 10 },
    ];
    const actions = planMesh(want, applied(local())).filter((a) => a.action !== 'unchanged');
    expect(summary(actions)).toEqual(['update route payments-route']);
    expect(actions[0]!.changes).toEqual([
      { op: 'change', path: 'targets[0].weight', from: 1, to: 90 },
      { op: 'add', path: 'targets[1]', value: { virtualNode: 'products', weight: 10 } },
    ]);
  });

  it('leaves undeclared objects alone unless prune, which deletes them last, in reverse order', () => {
    const want = local();
    want.virtualGateway!.routes.pop();
    want.virtualNodes[1]!.backends = [];
    want.virtualServices.pop();
    expect(planMesh(want, applied(local())).some((a) => a.action === 'delete')).toBe(false);
    const pruned = planMesh(want, applied(local()), { prune: true }).filter((a) => a.action === 'delete');
    expect(summary(pruned)).toEqual(['delete gatewayRoute products-gateway-route', 'delete virtualService products.local']);
  });

  it('turns the prefix rewrite off unless the file asks for it', () => {
    const spec = toAwsSpec('gatewayRoute', { prefix: '/api', virtualService: 'payments.local', rewritePrefix: false }) as {
      httpRoute: { action: { rewrite: unknown } };
    };
    expect(spec.httpRoute.action.rewrite).toEqual({ prefix: { defaultPrefix: 'DISABLED' } });
    // A route made in the console without a rewrite block rewrites: read back, that is rewritePrefix true.
    expect(
      fromAwsSpec('gatewayRoute', {
        httpRoute: { match: { prefix: '/api' }, action: { target: { virtualService: { virtualServiceName: 's' } } } },
      }),
    ).toMatchObject({ rewritePrefix: true });
  });

  it('exports what exists as a file that plans to no change', () => {
    const exported = objectsToMeshFile(applied(local()));
    const { vpc: _vpc, ...ns } = local().namespace!;
    expect(exported.namespace).toEqual(ns);
    expect(
      planMesh(validateMeshFile(JSON.parse(JSON.stringify(exported)), 'exported'), applied(local())).every((a) => a.action === 'unchanged'),
    ).toBe(true);
  });
});

describe('old files', () => {
  it.each(OLD_FILES)('%s validates, plans and sends App Mesh the same specs as before', (path) => {
    const file = oldFile(path);
    const old = before[path]!;
    expect(file).toEqual(old.file);
    expect(planMesh(file, []).map((a) => `${a.action} ${a.kind} ${a.parent ? `${a.parent}/` : ''}${a.name}`)).toEqual(old.plan);
    const specs = meshObjects(file)
      .filter((o) => o.kind !== 'namespace' && o.kind !== 'cloudMapService')
      .map((o) => ({ kind: o.kind, name: o.name, ...(o.parent ? { parent: o.parent } : {}), spec: toAwsSpec(o.kind, o.decl) }));
    expect(specs).toEqual(old.specs);
  });

  it.each(OLD_FILES)('%s changes nothing once applied', (path) => {
    const applied = before[path]!.specs.map((o) => readBack(o.kind, o.name, o.spec, o.parent));
    const actions = planMesh(oldFile(path), applied).filter((a) => a.kind !== 'namespace' && a.kind !== 'cloudMapService');
    expect(actions.every((a) => a.action === 'unchanged')).toBe(true);
  });
});

describe('what the mesh file cannot express', () => {
  it('plans the loss the workshop saw as an update: the example file against the node App Mesh holds', () => {
    const workshop = oldFile('examples/appmesh-workshop.yaml');
    const actions = planMesh(workshop, [readBack('virtualNode', 'crystal-lb-vanilla', workshopSpec())]);
    const node = actions.find((a) => a.kind === 'virtualNode')!;
    expect(node.action).toBe('update');
    expect(node.changes).toEqual([
      { op: 'remove', path: 'healthCheck.port', value: 3000 },
      { op: 'remove', path: 'logging', value: { accessLog: { file: { path: '/dev/stdout' } } } },
    ]);
    // The file can say both: removing them is what this file asks for, so apply may.
    expect(unexpressibleLosses(actions)).toEqual([]);
  });

  it('shows an update when only an unmodelled field differs, and apply refuses naming the object and the path', () => {
    const spec = workshopSpec();
    // A field App Mesh holds that meshctl does not model (as App Mesh might add one).
    spec.listeners[0].keepAlive = { interval: { value: 30, unit: 's' } };
    const actual = [
      readBack('mesh', 'appmesh-workshop', { egressFilter: { type: 'DROP_ALL' } }),
      readBack('virtualNode', 'crystal-lb-vanilla', spec),
    ];
    // Export then plan: the file has everything else, so only that field differs.
    const exported = validateMeshFile(JSON.parse(JSON.stringify(objectsToMeshFile(actual))), 'exported.json');
    const actions = planMesh(exported, actual);
    expect(actions.map((a) => [a.action, a.changes])).toEqual([
      ['unchanged', []],
      ['update', [{ op: 'remove', path: 'spec.listeners[0].keepAlive', value: { interval: { value: 30, unit: 's' } } }]],
    ]);
    const message =
      'virtualNode crystal-lb-vanilla: spec.listeners[0].keepAlive is not expressible in the mesh file; apply would remove it';
    expect(unexpressibleLosses(actions)).toEqual([message]);
    expect(() => refuseUnexpressibleLosses(actions)).toThrow(InputError);
    expect(() => refuseUnexpressibleLosses(actions)).toThrow(message);
    expect(unexpressibleNotes(actual)).toEqual([
      'virtualNode crystal-lb-vanilla: spec.listeners[0].keepAlive is not expressible in the mesh file; export leaves it out, and apply refuses to update it',
    ]);
    expect(JSON.stringify(objectsToMeshFile(actual))).not.toMatch(/keepAlive|unexpressible/);
  });

  const target = { target: { virtualService: { virtualServiceName: 'payments.local' } } };
  it.each<[string, MeshKind, Record<string, unknown>, string[]]>([
    [
      'a gateway route rewriting the hostname',
      'gatewayRoute',
      { httpRoute: { match: { prefix: '/api' }, action: { ...target, rewrite: { hostname: { defaultTargetHostname: 'DISABLED' } } } } },
      [], // the file's gateway route `rewrite` holds it
    ],
    [
      'a gateway route rewriting the prefix to a value',
      'gatewayRoute',
      { httpRoute: { match: { prefix: '/api' }, action: { ...target, rewrite: { prefix: { value: '/v2/' } } } } },
      [], // the file's gateway route `rewrite` holds it
    ],
    [
      'a gateway route rewriting a matched path',
      'gatewayRoute',
      { httpRoute: { match: { path: { exact: '/a' } }, action: { ...target, rewrite: { path: { exact: '/b' } } } } },
      [], // the file's gateway route `rewrite` holds it
    ],
    [
      'a route of two kinds at once',
      'route',
      {
        httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] } },
        tcpRoute: { action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] } },
      },
      ['spec.tcpRoute'],
    ],
    [
      'a field under a modelled one',
      'virtualNode',
      {
        listeners: [
          {
            portMapping: { port: 80, protocol: 'http' },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: 'a' } }, ocsp: true },
          },
        ],
      },
      ['spec.listeners[0].tls.ocsp'],
    ],
  ])('records %s by its spec path', (_name, kind, spec, paths) => {
    const decl = fromAwsSpec(kind, spec) as { unexpressible?: Record<string, unknown> };
    expect(Object.keys(decl.unexpressible ?? {})).toEqual(paths);
  });

  it('refuses updates only: creating, leaving alone or pruning an object loses nothing the file chose to keep', () => {
    const spec = workshopSpec();
    spec.listeners[0].keepAlive = true;
    const actual = [readBack('virtualNode', 'crystal-lb-vanilla', spec)];
    const noNode = { mesh: { name: 'appmesh-workshop', egressFilter: 'DROP_ALL' as const }, virtualNodes: [] };
    // Left out of the file, the node is left alone; with --prune, deleting it is what was asked.
    expect(unexpressibleLosses(planMesh(noNode, actual))).toEqual([]);
    const pruned = planMesh(noNode, actual, { prune: true });
    expect(pruned.map((a) => `${a.action} ${a.kind}`)).toEqual(['create mesh', 'delete virtualNode']);
    expect(unexpressibleLosses(pruned)).toEqual([]);
    expect(() => refuseUnexpressibleLosses(pruned)).not.toThrow();
  });
});
