import { describe, expect, it } from 'vitest';
import { accountOfArn, frozenWindowLine, frozenWindows } from '../../../src/core/migrate/callers.js';
import { planCluster } from '../../../src/core/migrate/plan.js';
import { emptyMesh, type MeshDescription, type NodeDiscovery } from '../../../src/core/mesh/description.js';
import type { ClusterPlan } from '../../../src/core/migrate/types.js';
import { clusterInput, revision, serviceFacts } from './fixtures.js';

// Rule 11 on plain data: products calls payments (payments.local); each node discovered as told.

function shop(payments: NodeDiscovery, extra: Partial<MeshDescription> = {}): MeshDescription {
  const mesh = emptyMesh('shop', 'mesh file shop.yaml');
  const http = [{ port: 8080, protocol: 'http' as const }];
  mesh.virtualNodes = [
    { name: 'payments', listeners: http, backends: [], discovery: payments },
    { name: 'products', listeners: http, backends: ['payments.local'], discovery: { dns: { hostname: 'products.local' } } },
  ];
  mesh.virtualServices = [
    { name: 'payments.local', provider: { virtualNode: 'payments' } },
    { name: 'products.local', provider: { virtualNode: 'products' } },
  ];
  return { ...mesh, ...extra };
}

const CLOUD_MAP: NodeDiscovery = { cloudMap: { namespace: 'local', service: 'payments' } };
const DNS: NodeDiscovery = { dns: { hostname: 'payments.local' } };

function plan(mesh: MeshDescription, namespaceServices = ['payments', 'products'], payments = revision('payments', 1)): ClusterPlan {
  return planCluster(
    clusterInput([serviceFacts('payments', payments), serviceFacts('products', revision('products', 1))], {
      meshes: [mesh],
      namespaces: [{ name: 'local', id: 'ns-local', type: 'DNS_PRIVATE', services: namespaceServices }],
    }),
  );
}
const findingsOf = (p: ClusterPlan, service: string) => p.services.find((s) => s.service === service)!.findings.map((f) => f.message);

describe('frozen endpoints', () => {
  it('a server discovered through Cloud Map with envoy clients: said on the server (blue/green recommended) and on each client', () => {
    const p = plan(shop(CLOUD_MAP));
    const server = p.services.find((s) => s.service === 'payments')!;
    expect(server.frozenClients).toEqual(['products']);
    const said = server.findings.find((f) => f.message.startsWith('frozen endpoints'))!;
    expect(said.level).toBe('warn');
    expect(said.message).toMatch(/discovered through Cloud Map \(payments\.local\)/);
    expect(said.message).toMatch(/the envoy of products keeps the addresses it last received/);
    expect(said.message).toMatch(/prefer --strategy blue-green for payments/);
    expect(
      p.services
        .find((s) => s.service === 'products')!
        .findings.filter((f) => f.level === 'info')
        .map((f) => f.message),
    ).toContainEqual(expect.stringMatching(/^frozen endpoints: products's envoy calls payments at the addresses App Mesh last sent/));
    expect(p.ok).toBe(true);
  });

  it('a DNS-discovered server: its clients re-resolve, nothing is said', () => {
    const p = plan(shop(DNS));
    expect(p.services.find((s) => s.service === 'payments')!.frozenClients).toBeUndefined();
    expect([...findingsOf(p, 'payments'), ...findingsOf(p, 'products')].join('\n')).not.toMatch(/frozen/);
  });

  it('a Cloud Map-discovered server nobody in the plan calls has no frozen clients', () => {
    const mesh = shop(CLOUD_MAP);
    mesh.virtualNodes[1]!.backends = [];
    expect(plan(mesh).services.find((s) => s.service === 'payments')!.frozenClients).toBeUndefined();
  });
});

describe('callers outside the plan', () => {
  it("other Cloud Map services in the plan's namespace: one note, fine", () => {
    const p = plan(shop(DNS), ['payments', 'products', 'orders', 'billing']);
    const note = p.findings.find((f) => f.message.startsWith('namespace local also holds'))!;
    expect(note.level).toBe('info');
    expect(note.message).toMatch(/^namespace local also holds orders, billing, which no service of this cluster registers/);
    expect(note.message).toMatch(/Service Connect spans the clusters of one namespace/);
  });

  it('nothing else in the namespace: no note', () => {
    expect(
      plan(shop(DNS))
        .findings.map((f) => f.message)
        .join('\n'),
    ).not.toMatch(/also holds/);
  });

  it('a mesh another account owns (meshOwner): each of its services warned, Service Connect has no cross-account namespaces', () => {
    const p = plan(shop(DNS, { owner: '999999999999' }));
    for (const s of ['payments', 'products']) {
      const w = p.services.find((x) => x.service === s)!.findings.find((f) => /owned by account/.test(f.message))!;
      expect(w.level).toBe('warn');
      expect(w.message).toMatch(new RegExp(`^${s}'s node ${s} is in mesh shop, owned by account 999999999999, shared with this one`));
      expect(w.message).toMatch(/Service Connect has no cross-account namespaces/);
    }
  });

  it("envoy's APPMESH_RESOURCE_ARN naming another account's mesh is warned too; this account's own is not", () => {
    const withArn = (account: string) => {
      const td = revision('payments', 1);
      const envoy = td.taskDefinition.containerDefinitions!.find((c) => c.name === 'envoy')!;
      envoy.environment!.push({
        name: 'APPMESH_RESOURCE_ARN',
        value: `arn:aws:appmesh:us-west-2:${account}:mesh/shop/virtualNode/payments`,
      });
      return td;
    };
    const other = plan(shop(DNS), undefined, withArn('222222222222'));
    expect(findingsOf(other, 'payments')).toContainEqual(expect.stringMatching(/owned by account 222222222222/));
    expect(findingsOf(other, 'products').join('\n')).not.toMatch(/owned by account/);
    const own = plan(shop(DNS), undefined, withArn('123456789012'));
    expect(findingsOf(own, 'payments').join('\n')).not.toMatch(/owned by account/);
  });

  it.each([
    ['arn:aws:ecs:us-west-2:123456789012:task-definition/a:1', '123456789012'],
    ['arn:aws-cn:appmesh:cn-north-1:222222222222:mesh/m', '222222222222'],
    ['payments-task:1', undefined],
    [undefined, undefined],
  ])('accountOfArn(%s) is %s', (arn, account) => {
    expect(accountOfArn(arn)).toBe(account);
  });
});

describe('frozenWindows: how long an in-place apply left the clients on frozen endpoints', () => {
  const services = plan(shop(CLOUD_MAP)).services;
  const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, s)).toISOString();

  it('from the server running its new tasks to the last client running its own', () => {
    const w = frozenWindows(services, [
      { service: 'payments', status: 'migrated', runningAt: at(5) },
      { service: 'products', status: 'migrated', runningAt: at(47) },
    ]);
    expect(w).toEqual([{ server: 'payments', clients: ['products'], serverRunningAt: at(5), closedAt: at(47), seconds: 42, open: [] }]);
    expect(frozenWindowLine(w[0]!)).toBe(
      "frozen endpoints: payments's new tasks ran 42 s before the last of products did: the window in which their calls to it could fail lasted about 42 s",
    );
  });

  it('a client that did not get there leaves the window open, and the line says to resume', () => {
    const w = frozenWindows(services, [
      { service: 'payments', status: 'migrated', runningAt: at(5) },
      { service: 'products', status: 'failed' },
    ]);
    expect(w[0]).toMatchObject({ closedAt: null, seconds: null, open: ['products'] });
    expect(frozenWindowLine(w[0]!)).toMatch(/products still run envoy with its old addresses: the window is still open; resume the apply$/);
  });

  it('without a wait nothing is measured; a server not migrated by this apply has no window', () => {
    const w = frozenWindows(services, [
      { service: 'payments', status: 'migrated' },
      { service: 'products', status: 'migrated' },
    ]);
    expect(w[0]).toMatchObject({ serverRunningAt: null, seconds: null, open: [] });
    expect(frozenWindowLine(w[0]!)).toMatch(/not measured \(--no-wait\)$/);
    expect(frozenWindows(services, [{ service: 'payments', status: 'failed' }])).toEqual([]);
  });
});
