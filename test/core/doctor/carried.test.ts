import type { ContainerDefinition, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { carriedCheck } from '../../../src/core/doctor/carried.js';
import { Results } from '../../../src/core/doctor/results.js';
import { TLS_ROLE_POLICY } from '../../../src/core/migrate/carry.js';

const PCA = 'arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/0f1e2d3c';
const ROLE = 'arn:aws:iam::123456789012:role/sc-tls';
const app: ContainerDefinition[] = [
  {
    name: 'app',
    portMappings: [
      { name: 'web', containerPort: 8080, appProtocol: 'http' },
      { name: 'cache', containerPort: 6379 },
    ],
  },
];
const sc = (extra: Partial<ServiceConnectConfiguration>, service: Record<string, unknown> = {}): ServiceConnectConfiguration => ({
  enabled: true,
  namespace: 'local',
  services: [{ portName: 'web', clientAliases: [{ port: 8080, dnsName: 'web.local' }], ...service }],
  ...extra,
});
const run = (config: ServiceConnectConfiguration, roles: Record<string, { found: boolean; attached: string[] } | undefined> = {}) => {
  const r = new Results();
  carriedCheck(r, config, app, { tlsRoles: roles });
  return r.list[0]!;
};

describe('doctor sc-carried: the settings a migration carried', () => {
  it('skips a configuration that sets none', () => {
    expect(run(sc({}))).toMatchObject({ id: 'sc-carried', status: 'skip' });
  });

  it('passes a timeout, TLS with a role holding the policy, and an access log with a log configuration', () => {
    const config = sc(
      { accessLogConfiguration: { format: 'TEXT', includeQueryParameters: 'ENABLED' }, logConfiguration: { logDriver: 'awslogs' } },
      { timeout: { perRequestTimeoutSeconds: 60 }, tls: { issuerCertificateAuthority: { awsPcaAuthorityArn: PCA }, roleArn: ROLE } },
    );
    const c = run(config, { [ROLE]: { found: true, attached: [TLS_ROLE_POLICY] } });
    expect(c.status).toBe('pass');
    expect(c.detail).toContain('web: timeout per request 60 s');
  });

  it.each([
    ['an access log without a log configuration', sc({ accessLogConfiguration: { format: 'JSON' } }), {}, 'fail', /logConfiguration/],
    [
      'a per-request timeout on a TCP port',
      sc({}, { portName: 'cache', timeout: { perRequestTimeoutSeconds: 30 } }),
      {},
      'fail',
      /appProtocol/,
    ],
    [
      'an idle timeout under the per-request one',
      sc({}, { timeout: { perRequestTimeoutSeconds: 60, idleTimeoutSeconds: 10 } }),
      {},
      'warn',
      /at least 60/,
    ],
    ['TLS without a role', sc({}, { tls: { issuerCertificateAuthority: { awsPcaAuthorityArn: PCA } } }), {}, 'fail', /--tls-role/],
    [
      'TLS with a role IAM does not have',
      sc({}, { tls: { issuerCertificateAuthority: { awsPcaAuthorityArn: PCA }, roleArn: ROLE } }),
      { [ROLE]: { found: false, attached: [] } },
      'fail',
      /create the role/,
    ],
    [
      'TLS with a role without the policy',
      sc({}, { tls: { issuerCertificateAuthority: { awsPcaAuthorityArn: PCA }, roleArn: ROLE } }),
      { [ROLE]: { found: true, attached: [] } },
      'warn',
      /attach arn:aws:iam::aws:policy\/service-role\/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity/,
    ],
  ])('%s: %s', (_what, config, roles, status, fix) => {
    const c = run(config, roles);
    expect(c.status).toBe(status);
    expect(c.fix).toMatch(fix);
  });
});
