import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateMeshFile, type MeshFile } from '../../src/core/mesh-file.js';
import { fromAwsSpec, meshObjects, planMesh, toAwsSpec, toMeshFile, type MeshObject } from '../../src/core/mesh-plan.js';

const local = (): MeshFile =>
  validateMeshFile(parse(readFileSync(new URL('../../examples/local-mesh.yaml', import.meta.url), 'utf8')), 'local-mesh.yaml');
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
    const exported = toMeshFile(applied(local()));
    const { vpc: _vpc, ...ns } = local().namespace!;
    expect(exported.namespace).toEqual(ns);
    expect(
      planMesh(validateMeshFile(JSON.parse(JSON.stringify(exported)), 'exported'), applied(local())).every((a) => a.action === 'unchanged'),
    ).toBe(true);
  });
});
