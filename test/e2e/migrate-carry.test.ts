import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CreateVirtualRouterCommand, CreateRouteCommand, UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedClusterWorld } from '../support/cluster-world.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { seedClients } from '../support/sdk-clients.js';
import { CLUSTER, MESH, sdkClients } from '../support/workshop.js';

// payments of the runbook's cluster, as a team had set it up: its listener sets a 60 s request timeout and
// terminates TLS with an ACM certificate AWS Private CA issued; a router's route to it allows 90 s; its node
// writes an access log, and its app container logs to CloudWatch. migrate carries all of it. moto's ECS
// keeps no serviceConnectConfiguration (CreateService and UpdateService drop it), so the test reads what
// meshctl sent from a proxy in front of moto.

const env = useMotoWorkshop();
const config = () => ({ endpoint: env.moto.url, region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const ROLE = 'arn:aws:iam::123456789012:role/ecs-service-connect-tls';

/** AWS Private CA through moto's JSON API (the SDK's acm-pca client is not one meshctl needs). */
async function createPrivateCa(): Promise<string> {
  const res = await fetch(env.moto.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'ACMPrivateCA.CreateCertificateAuthority',
      authorization: 'AWS4-HMAC-SHA256 Credential=x/20261207/us-west-2/acm-pca/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({
      CertificateAuthorityType: 'ROOT',
      CertificateAuthorityConfiguration: { KeyAlgorithm: 'RSA_2048', SigningAlgorithm: 'SHA256WITHRSA', Subject: { CommonName: 'local' } },
    }),
  });
  const out = (await res.json()) as { CertificateAuthorityArn?: string };
  expect(out.CertificateAuthorityArn, JSON.stringify(out)).toMatch(/^arn:aws:acm-pca:/);
  return out.CertificateAuthorityArn!;
}

async function seedCarry(): Promise<{ pca: string }> {
  await env.seeded('cluster', seedClusterWorld);
  const pca = await createPrivateCa();
  const cert = await new ACMClient(config()).send(
    new RequestCertificateCommand({ DomainName: 'payments.local', CertificateAuthorityArn: pca }),
  );
  const { iam } = seedClients(env.moto.url);
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  await iam.send(new CreateRoleCommand({ RoleName: 'ecs-service-connect-tls', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  // moto loads no AWS managed policy unless told (MOTO_IAM_LOAD_MANAGED_POLICIES): the role goes without, and the plan says so.

  const { appMesh, ecs } = sdkClients(env.moto.url);
  await appMesh.send(
    new UpdateVirtualNodeCommand({
      meshName: MESH,
      virtualNodeName: 'payments',
      spec: {
        listeners: [
          {
            portMapping: { port: 5000, protocol: 'http' },
            timeout: { http: { perRequest: { value: 60, unit: 's' } } },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: cert.CertificateArn! } } },
          },
        ],
        serviceDiscovery: { awsCloudMap: { namespaceName: 'local', serviceName: 'payments', attributes: [] } },
        logging: { accessLog: { file: { path: '/dev/stdout' } } },
      },
    }),
  );
  await appMesh.send(
    new CreateVirtualRouterCommand({
      meshName: MESH,
      virtualRouterName: 'payments-router',
      spec: { listeners: [{ portMapping: { port: 5000, protocol: 'http' } }] },
    }),
  );
  await appMesh.send(
    new CreateRouteCommand({
      meshName: MESH,
      virtualRouterName: 'payments-router',
      routeName: 'settlement-report',
      spec: {
        httpRoute: {
          match: { prefix: '/reports' },
          action: { weightedTargets: [{ virtualNode: 'payments', weight: 1 }] },
          timeout: { perRequest: { value: 90, unit: 's' } },
        },
      },
    }),
  );
  // The app container logs to CloudWatch: the revision payments runs, again with a logConfiguration.
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['payments'] }))).services![0]!;
  const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }))).taskDefinition!;
  const logConfiguration = {
    logDriver: 'awslogs' as const,
    options: { 'awslogs-group': '/ecs/payments', 'awslogs-region': 'us-west-2', 'awslogs-stream-prefix': 'payments' },
  };
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: td.family!,
      networkMode: td.networkMode,
      cpu: td.cpu,
      memory: td.memory,
      requiresCompatibilities: td.requiresCompatibilities,
      proxyConfiguration: td.proxyConfiguration,
      containerDefinitions: td.containerDefinitions!.map((c) => (c.name === 'payments' ? { ...c, logConfiguration } : c)),
    }),
  );
  const arn = registered.taskDefinition!.taskDefinitionArn!;
  await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'payments', taskDefinition: arn }));
  return { pca };
}

interface Row {
  feature: string;
  level: string;
  why: string;
  keep: string | null;
}

let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
beforeEach(() => {
  proxy = undefined;
});

describe('migrate carries timeouts, TLS and the access log into Service Connect', () => {
  it('plan --json shows the parity table; --fail-on lost passes with --tls-role and fails without it', async () => {
    await seedCarry();
    const args = ['migrate', 'plan', '--service', 'payments', '--tls-role', ROLE, '--json'];
    const r = await env.cli(args);
    expect(r.code, r.stderr).toBe(0);
    const out = expectJsonMatchesSchema(args, r.stdout) as unknown as { services: { service: string; parity: Row[] }[] };
    const parity = out.services.find((s) => s.service === 'payments')!.parity;
    expect(parity[0]!.why).toBe('one timeout per port: listener 5000 gets 90 s, longer than before');
    expect(parity.map((p) => [p.feature, p.level])).toEqual([
      ['timeout (port 5000)', 'approximated'],
      ['TLS (port 5000)', 'carried'],
      ['access log', 'carried'],
    ]);
    const gate = await env.cli(['migrate', 'plan', '--service', 'payments', '--tls-role', ROLE, '--fail-on', 'lost']);
    expect(gate.code, gate.stderr).toBe(0);
    expect(gate.stdout).toMatch(/^parity of payments \(carried 2, approximated 1, lost 0\):$/m);

    const without = await env.cli(['migrate', 'plan', '--service', 'payments', '--fail-on', 'lost']);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/--fail-on lost: payments: TLS \(port 5000\) \(lost\)/);
    expect(without.stdout).toMatch(/! payments: TLS \(port 5000\): .*pass --tls-role/);
  });

  it('apply sends the timeouts, the TLS and the log configuration in UpdateService', async () => {
    const { pca } = await seedCarry();
    proxy = await startFaultProxy(env.moto.url);
    const r = await env.cli(
      ['migrate', 'apply', '--service', 'payments', '--tls-role', ROLE, '--no-wait', '--yes', '--json'],
      {},
      proxy.url,
    );
    expect(r.code, r.stderr).toBe(0);
    const updates = proxy.sent.filter((s) => s.operation === 'UpdateService').map((s) => JSON.parse(s.body));
    expect(updates).toHaveLength(1);
    const sc = updates[0].serviceConnectConfiguration;
    expect(sc.services).toEqual([
      expect.objectContaining({
        timeout: { perRequestTimeoutSeconds: 90 },
        tls: { issuerCertificateAuthority: { awsPcaAuthorityArn: pca }, roleArn: ROLE },
      }),
    ]);
    expect(sc.accessLogConfiguration).toEqual({ format: 'TEXT', includeQueryParameters: 'ENABLED' });
    expect(sc.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/payments', 'awslogs-region': 'us-west-2', 'awslogs-stream-prefix': 'service-connect' },
    });
  });
});
