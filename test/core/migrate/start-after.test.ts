import { describe, expect, it } from 'vitest';
import type { Backend, ClusterPlan, ServicePlan } from '../../../src/core/migrate/types.js';
import { startAfter } from '../../../src/core/migrate/waves.js';

/** A plan of plain data: who calls whom, in the waves the planner would give. */
function plan(services: Record<string, { status?: ServicePlan['status']; calls?: Backend[] }>, waves: string[][]): ClusterPlan {
  return {
    services: Object.entries(services).map(([service, s]) => ({
      service,
      status: s.status ?? 'migrate',
      namespaceExists: true,
      listeners: [],
      backends: s.calls ?? [],
      findings: [],
      sourceOf: [],
    })),
    waves: waves.map((services, i) => ({ wave: i + 1, services })),
  } as unknown as ClusterPlan;
}

// payments and ledger in wave 1; products calls payments (a Cloud Map server), reports calls ledger and,
// through a router, both versions of hue; front calls products.
const estate = plan(
  {
    payments: {},
    ledger: {},
    'hue-v1': {},
    'hue-v2': {},
    products: { calls: [{ name: 'payments.local', servedBy: 'payments' }] },
    reports: {
      calls: [
        { name: 'ledger.local', servedBy: 'ledger' },
        { name: 'hue.paint', servedBy: 'hue-v1', behind: ['hue-v1', 'hue-v2'] },
      ],
    },
    front: {
      calls: [
        { name: 'products.local', servedBy: 'products' },
        { name: 'old.local', servedBy: 'legacy' },
      ],
    },
    legacy: { status: 'migrated' },
  },
  [['hue-v1', 'hue-v2', 'ledger', 'payments'], ['products', 'reports'], ['front']],
);

describe('startAfter: what each service waits for before it starts', () => {
  it('servers: only the services of earlier waves it calls, those behind a router included', () => {
    expect(startAfter(estate, 'servers')).toEqual([
      { service: 'hue-v1', wave: 1, after: [] },
      { service: 'hue-v2', wave: 1, after: [] },
      { service: 'ledger', wave: 1, after: [] },
      { service: 'payments', wave: 1, after: [] },
      { service: 'products', wave: 2, after: ['payments'] },
      { service: 'reports', wave: 2, after: ['hue-v1', 'hue-v2', 'ledger'] },
      // legacy runs on Service Connect already: nothing to wait for.
      { service: 'front', wave: 3, after: ['products'] },
    ]);
  });

  it('wave: every service of the waves before', () => {
    const after = Object.fromEntries(startAfter(estate, 'wave').map((o) => [o.service, o.after]));
    expect(after.payments).toEqual([]);
    expect(after.products).toEqual(['hue-v1', 'hue-v2', 'ledger', 'payments']);
    expect(after.front).toEqual(['hue-v1', 'hue-v2', 'ledger', 'payments', 'products', 'reports']);
  });

  it('services of a cycle, in one wave, do not wait for each other', () => {
    const cycle = plan({ a: { calls: [{ name: 'b', servedBy: 'b' }] }, b: { calls: [{ name: 'a', servedBy: 'a' }] } }, [['a', 'b']]);
    expect(startAfter(cycle, 'servers').map((o) => o.after)).toEqual([[], []]);
  });
});
