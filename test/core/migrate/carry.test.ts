import { describe, expect, it } from 'vitest';
import type { LogConfiguration } from '@aws-sdk/client-ecs';
import { carryAccessLog, carryTimeout, carryTls, clientTlsRows, type CertificateFacts } from '../../../src/core/migrate/carry.js';
import { failingRows, ownBehaviourRows } from '../../../src/core/migrate/parity.js';
import { planCluster } from '../../../src/core/migrate/plan.js';
import { fromMeshFile } from '../../../src/core/mesh/sources/mesh-file.js';
import type { MeshFile, NodeListener, RouteDecl, VirtualNodeDecl } from '../../../src/core/mesh/file.js';
import { clusterInput, revision, serviceFacts } from './fixtures.js';
import { describeFixture, fixture, planFixtures, servicesOf } from '../mesh/published-fixtures.js';

const s = (value: number) => ({ value, unit: 's' as const });
const route = (name: string, timeout?: RouteDecl['timeout'], port?: number): RouteDecl => ({
  name,
  targets: [{ virtualNode: 'payments', weight: 1, ...(port ? { port } : {}) }],
  ...(timeout ? { timeout } : {}),
});
const http = (port: number, extra: Partial<NodeListener> = {}): NodeListener => ({ port, protocol: 'http', ...extra });

const PCA = 'arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/0f1e2d3c';
const CERT = 'arn:aws:acm:us-west-2:123456789012:certificate/5a6b7c8d';
const ROLE = 'arn:aws:iam::123456789012:role/ecs-service-connect-tls';
const privateCert: CertificateFacts = { arn: CERT, type: 'PRIVATE', issuer: PCA };

describe('carryTimeout: a listener and the routes that send to its port', () => {
  it('takes the largest per-request timeout of the routes and names those that get longer than before', () => {
    const out = carryTimeout(http(8080), [route('slow', { perRequest: s(60) }), route('fast', { perRequest: s(5) }), route('plain')]);
    expect(out.timeout).toEqual({ perRequestTimeoutSeconds: 60 });
    expect(out.row).toMatchObject({ level: 'approximated', serviceConnect: 'services[].timeout perRequestTimeoutSeconds 60' });
    expect(out.row!.why).toBe('one timeout per port: route fast, route plain get 60 s, longer than before');
    expect(out.row!.appMesh).toContain('route plain: per request 15 s (default)');
  });

  it('carries one timeout the listener and every route agree on, idle as well', () => {
    const t = { http: { perRequest: s(30), idle: { value: 120_000, unit: 'ms' as const } } };
    const out = carryTimeout(http(8080, { timeout: t }), [route('a', { perRequest: s(30) })]);
    expect(out.timeout).toEqual({ perRequestTimeoutSeconds: 30, idleTimeoutSeconds: 120 });
    expect(out.row).toMatchObject({ level: 'carried', keep: null });
  });

  it('counts 0 (no timeout) as the largest', () => {
    expect(carryTimeout(http(8080), [route('a', { perRequest: s(0) }), route('b', { perRequest: s(90) })]).timeout).toEqual({
      perRequestTimeoutSeconds: 0,
    });
  });

  it('sends nothing for a port where nothing sets a timeout: App Mesh had its 15 s default', () => {
    expect(carryTimeout(http(8080), [route('a'), route('b')])).toEqual({});
  });

  it('sends only the idle timeout for a TCP port, as ECS allows', () => {
    const out = carryTimeout({ port: 6379, protocol: 'tcp', timeout: { tcp: { idle: s(3600) } } }, []);
    expect(out.timeout).toEqual({ idleTimeoutSeconds: 3600 });
  });

  it('rounds milliseconds up to whole seconds and says so', () => {
    const out = carryTimeout(http(8080), [route('a', { perRequest: { value: 1500, unit: 'ms' } })]);
    expect(out.timeout).toEqual({ perRequestTimeoutSeconds: 2 });
    expect(out.row).toMatchObject({ level: 'approximated', why: 'Service Connect counts whole seconds: rounded up' });
  });
});

describe('carryTls: a listener certificate', () => {
  const acm = http(8443, { tls: { mode: 'STRICT', certificate: { acm: { certificateArn: CERT } } } });

  it('carries an ACM certificate AWS Private CA issued, with the role', () => {
    const out = carryTls(acm, [privateCert], ROLE);
    expect(out.tls).toEqual({ issuerCertificateAuthority: { awsPcaAuthorityArn: PCA }, roleArn: ROLE });
    expect(out.rows).toEqual([expect.objectContaining({ feature: 'TLS (port 8443)', level: 'carried' })]);
  });

  it('loses it without --tls-role, saying to pass one', () => {
    const out = carryTls(acm, [privateCert], undefined);
    expect(out.tls).toBeUndefined();
    expect(out.rows[0]).toMatchObject({ level: 'lost', keep: expect.stringContaining('--tls-role') });
  });

  it.each([
    ['an imported ACM certificate', [{ arn: CERT, type: 'IMPORTED' }], /IMPORTED; Service Connect TLS needs an AWS Private CA/],
    ['a certificate ACM does not know', [], /ACM did not say/],
  ])('loses %s', (_what, certs: CertificateFacts[], why) => {
    const out = carryTls(acm, certs, ROLE);
    expect(out.tls).toBeUndefined();
    expect(out.rows[0]).toMatchObject({ level: 'lost', why: expect.stringMatching(why) });
  });

  it('loses a file certificate and mutual TLS, each a row', () => {
    const l = http(8443, {
      tls: {
        mode: 'STRICT',
        certificate: { file: { certificateChain: '/certs/chain.pem', privateKey: '/certs/key.pem' } },
        validation: { trust: { file: { certificateChain: '/certs/ca.pem' } } },
      },
    });
    const out = carryTls(l, [], ROLE);
    expect(out.tls).toBeUndefined();
    expect(out.rows.map((r) => [r.feature, r.level])).toEqual([
      ['TLS (port 8443)', 'lost'],
      ['mutual TLS (port 8443)', 'lost'],
    ]);
  });

  it("approximates a client's TLS policy and loses its client certificate", () => {
    const node = {
      backendDefaults: {
        clientPolicy: {
          tls: { certificate: { sds: { secretName: 'client' } }, validation: { trust: { acm: { certificateAuthorityArns: [PCA] } } } },
        },
      },
    } as unknown as VirtualNodeDecl;
    expect(clientTlsRows(node).map((r) => r.level)).toEqual(['approximated', 'lost']);
  });
});

describe('carryAccessLog: the node access log', () => {
  const awslogs: LogConfiguration = {
    logDriver: 'awslogs',
    options: { 'awslogs-group': '/ecs/payments', 'awslogs-region': 'us-west-2', 'awslogs-stream-prefix': 'app' },
  };

  it("turns envoy's default access log into TEXT with the query, logged where the app logs, under its own prefix", () => {
    const out = carryAccessLog({ accessLog: { file: { path: '/dev/stdout' } } }, awslogs);
    expect(out.accessLogConfiguration).toEqual({ format: 'TEXT', includeQueryParameters: 'ENABLED' });
    expect(out.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { ...awslogs.options, 'awslogs-stream-prefix': 'service-connect' },
    });
    expect(awslogs.options!['awslogs-stream-prefix']).toBe('app');
    expect(out.row!.level).toBe('carried');
  });

  it('keeps JSON, and leaves the query out when the format never logged the path', () => {
    const format = { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] };
    const out = carryAccessLog({ accessLog: { file: { path: '/dev/stdout', format } } }, awslogs);
    expect(out.accessLogConfiguration).toEqual({ format: 'JSON', includeQueryParameters: 'DISABLED' });
    expect(out.row!.level).toBe('approximated');
  });

  it('loses the access log when the app container has no logConfiguration to take', () => {
    const out = carryAccessLog({ accessLog: { file: { path: '/dev/stdout' } } }, undefined);
    expect(out.accessLogConfiguration).toBeUndefined();
    expect(out.row).toMatchObject({ level: 'lost', keep: 'give the application container a logConfiguration' });
  });
});

describe('parity rows: what Service Connect does by itself', () => {
  it('approximates health checks, outlier detection, pools and retries', () => {
    const node = {
      name: 'payments',
      listener: { port: 8080, protocol: 'http' },
      listeners: [
        http(8080, {
          healthCheck: {
            protocol: 'http',
            path: '/ping',
            intervalMillis: 5000,
            timeoutMillis: 2000,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
          },
          outlierDetection: { maxServerErrors: 5, interval: s(10), baseEjectionDuration: s(30), maxEjectionPercent: 50 },
          connectionPool: { http: { maxConnections: 100 } },
        }),
      ],
    } as unknown as VirtualNodeDecl;
    const r = { ...route('a'), retryPolicy: { maxRetries: 3, perRetryTimeout: s(2), httpRetryEvents: ['server-error'] } };
    const rows = ownBehaviourRows(node, [r]);
    expect(rows.map((x) => [x.feature, x.level])).toEqual([
      ['health check (port 8080)', 'approximated'],
      ['outlier detection (port 8080)', 'approximated'],
      ['connection pool (port 8080)', 'approximated'],
      ['retry policy (route a)', 'approximated'],
    ]);
  });

  it('--fail-on lost fails lost rows only; approximated fails both', () => {
    const rows = [{ level: 'carried' as const }, { level: 'approximated' as const }, { level: 'lost' as const }];
    expect(failingRows(rows, 'lost')).toEqual([{ level: 'lost' }]);
    expect(failingRows(rows, 'approximated')).toEqual([{ level: 'approximated' }, { level: 'lost' }]);
  });
});

describe('planCluster carries the mesh into serviceConnectConfiguration', () => {
  const file: MeshFile = {
    mesh: { name: 'shop', egressFilter: 'DROP_ALL' },
    virtualNodes: [
      {
        name: 'payments',
        listener: { port: 8080, protocol: 'http' },
        listeners: [http(8080, { tls: { mode: 'STRICT', certificate: { acm: { certificateArn: CERT } } } })],
        serviceDiscovery: { cloudMap: { namespace: 'local', service: 'payments' } },
        backends: [],
        logging: { accessLog: { file: { path: '/dev/stdout' } } },
      },
    ],
    virtualRouters: [
      {
        name: 'payments-router',
        listener: { port: 8080, protocol: 'http' },
        routes: [route('checkout', { perRequest: s(60) }, 8080), route('status', { perRequest: s(10) }, 8080)],
      },
    ],
    virtualServices: [{ name: 'payments.local', provider: { virtualRouter: 'payments-router' } }],
  };
  const td = revision('payments', 3);
  td.taskDefinition.containerDefinitions![0]!.logConfiguration = { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/payments' } };
  const input = (tlsRole?: string) =>
    clusterInput([serviceFacts('payments', td)], {
      meshes: [fromMeshFile(file, 'mesh.yaml')],
      certificates: [privateCert],
      overrides: tlsRole ? { tlsRole } : {},
    });

  it('sends the timeout, the TLS and the access log, and shows each in the parity table', () => {
    const p = planCluster(input(ROLE)).services[0]!;
    const sc = p.serviceConnectConfiguration!;
    expect(sc.services![0]).toMatchObject({
      timeout: { perRequestTimeoutSeconds: 60 },
      tls: { issuerCertificateAuthority: { awsPcaAuthorityArn: PCA }, roleArn: ROLE },
    });
    expect(sc.accessLogConfiguration).toEqual({ format: 'TEXT', includeQueryParameters: 'ENABLED' });
    expect(sc.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/payments', 'awslogs-stream-prefix': 'service-connect' },
    });
    expect(p.parity!.map((r) => [r.feature, r.level])).toEqual([
      ['timeout (port 8080)', 'approximated'],
      ['TLS (port 8080)', 'carried'],
      ['access log', 'carried'],
    ]);
    expect(p.parity![0]!.why).toContain('route status gets 60 s, longer than before');
  });

  it('without --tls-role sends no TLS and warns that it is lost', () => {
    const p = planCluster(input()).services[0]!;
    expect(p.serviceConnectConfiguration!.services![0]!.tls).toBeUndefined();
    expect(p.findings).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^TLS \(port 8080\): .*--tls-role/) }),
    );
  });
});

describe('the parity of a published shape: gRPC, TCP and mutual TLS in a shared mesh (test/fixtures/estates)', () => {
  const ENVOY = '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.3.0-prod';
  const deployment = { parameters: { SharedMeshName: 'hub', SharedMeshOwner: '111122223333', EnvoyImage: ENVOY }, region: 'us-west-2' };

  it('carries the timeouts it can, loses file-certificate TLS and mutual TLS, approximates what Service Connect does itself', async () => {
    const f = await fixture('grpc-gateway-shared.yaml', deployment);
    const plan = planFixtures(servicesOf(f, '444455556666'), describeFixture(f));
    const rows = (name: string) => plan.services.find((x) => x.service === name)!.parity!.map((r) => `${r.level}: ${r.feature}`);
    expect(rows('quote')).toEqual([
      'approximated: timeout (port 50051)',
      'lost: TLS (port 50051)',
      'lost: mutual TLS (port 50051)',
      'approximated: health check (port 50051)',
      'approximated: outlier detection (port 50051)',
      'approximated: connection pool (port 50051)',
      'approximated: retry policy (route quote-get)',
    ]);
    expect(rows('portal')).toEqual([
      'approximated: client TLS (backend defaults)',
      'lost: client certificate (backend defaults)',
      'lost: access log',
    ]);
    const sent = (name: string) => plan.services.find((x) => x.service === name)!.serviceConnectConfiguration!.services![0]!.timeout;
    // A TCP route's idle timeout; a listener's 0 (no timeout) beats a route's default 15 s.
    expect(sent('feed')).toEqual({ idleTimeoutSeconds: 600 });
    expect(sent('stream')).toEqual({ perRequestTimeoutSeconds: 0, idleTimeoutSeconds: 300 });
  });
});
