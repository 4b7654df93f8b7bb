import { describe, expect, it } from 'vitest';
import { parityFailures, parityLines } from '../../src/cli/migrate/cluster-plan.js';
import type { ParityRow } from '../../src/core/migrate/parity.js';
import type { ClusterPlan, ServicePlan } from '../../src/core/migrate/types.js';

const row = (feature: string, level: ParityRow['level'], keep: string | null = null): ParityRow => ({
  feature,
  appMesh: `${feature} in App Mesh`,
  serviceConnect: `${feature} on Service Connect`,
  level,
  why: `why ${feature}`,
  keep,
});
const service = (name: string, parity: ParityRow[]): ServicePlan =>
  ({
    service: name,
    status: 'migrate',
    namespaceExists: true,
    listeners: [],
    backends: [],
    findings: [],
    sourceOf: [],
    parity,
  }) as ServicePlan;
const plan = (services: ServicePlan[]): ClusterPlan => ({ waves: [], services, findings: [], ok: true });

describe('the parity table in migrate plan', () => {
  const p = plan([
    service('payments', [row('timeout (port 8080)', 'approximated'), row('TLS (port 8443)', 'lost', 'pass --tls-role')]),
    service('products', [row('access log', 'carried')]),
    service('inventory', []),
  ]);

  it('prints a block per service with rows: level, feature, App Mesh → Service Connect, then why and what keeps it', () => {
    expect(parityLines(p)).toEqual([
      'parity of payments (carried 0, approximated 1, lost 1):',
      '  approximated  timeout (port 8080)  timeout (port 8080) in App Mesh → timeout (port 8080) on Service Connect',
      '                                     why timeout (port 8080)',
      '  lost          TLS (port 8443)      TLS (port 8443) in App Mesh → TLS (port 8443) on Service Connect',
      '                                     why TLS (port 8443); to keep it: pass --tls-role',
      'parity of products (carried 1, approximated 0, lost 0):',
      '  carried       access log  access log in App Mesh → access log on Service Connect',
      '                            why access log',
    ]);
  });

  it('--fail-on names each failing row with its service', () => {
    expect(parityFailures(p, 'lost')).toEqual(['payments: TLS (port 8443) (lost)']);
    expect(parityFailures(p, 'approximated')).toEqual(['payments: timeout (port 8080) (approximated)', 'payments: TLS (port 8443) (lost)']);
  });
});
