import { AppMeshClient, DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
  type PortMapping,
  type Service,
  type ServiceConnectConfiguration,
} from '@aws-sdk/client-ecs';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetServiceCommand, ListNamespacesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { ENVOY_ACCESS_POLICY, runChecks, type DoctorFacts, type RolePolicy } from '../../../src/core/doctor/checks.js';
import { policyOnlyAllowsAppMesh } from '../../../src/core/iam-policy.js';
import { hostRefsIn } from '../../../src/core/host-refs.js';
import { renderEnvoy } from '../../../src/core/envoy/render.js';
import { toDescribed, type DescribedTaskDefinition } from '../../../src/core/task-definition.js';
import { runInProcess } from '../../support/fake-deps.js';

// The Service Connect checklist: pure checks on plain data first, then the command in-process against
// mocked AWS clients (aws-sdk-client-mock), which is where a full answer with serviceConnectConfiguration
// can be had: moto leaves it out of DescribeServices.

const ACCOUNT = '123456789012';
const NS_ARN = `arn:aws:servicediscovery:us-west-2:${ACCOUNT}:namespace/ns-local`;
const REG_PAYMENTS = `arn:aws:servicediscovery:us-west-2:${ACCOUNT}:service/srv-payments`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TaskIamRole`;
const ENVOY_ACCESS: RolePolicy = { kind: 'managed', name: 'AWSAppMeshEnvoyAccess', arn: ENVOY_ACCESS_POLICY };

/** A Service Connect-era task definition: one app container with a named port, no envoy. */
function taskDefinition(
  app: string,
  port: number,
  env: Record<string, string> = {},
  mapping: Partial<PortMapping> = {},
): DescribedTaskDefinition {
  return {
    taskDefinition: {
      taskDefinitionArn: `arn:aws:ecs:us-west-2:${ACCOUNT}:task-definition/${app}-task:2`,
      family: `${app}-task`,
      networkMode: 'awsvpc',
      taskRoleArn: ROLE_ARN,
      containerDefinitions: [
        {
          name: app,
          image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/${app}:1`,
          essential: true,
          portMappings: [{ containerPort: port, protocol: 'tcp', name: app, appProtocol: 'http', ...mapping }],
          environment: Object.entries(env).map(([name, value]) => ({ name, value })),
        },
      ],
    },
  };
}

const configuration = (portName: string, dnsName: string | undefined, port: number, namespace = NS_ARN): ServiceConnectConfiguration => ({
  enabled: true,
  namespace,
  services: [{ portName, discoveryName: `${portName}-sc`, clientAliases: [{ ...(dnsName ? { dnsName } : {}), port }] }],
});

/** A service as DescribeServices answers it: ECS reports serviceConnectConfiguration per deployment. */
const service = (name: string, sc?: ServiceConnectConfiguration, registry?: string): Service => ({
  serviceName: name,
  serviceArn: `arn:aws:ecs:us-west-2:${ACCOUNT}:service/appmesh-workshop/${name}`,
  taskDefinition: `arn:aws:ecs:us-west-2:${ACCOUNT}:task-definition/${name}-task:2`,
  serviceRegistries: registry ? [{ registryArn: registry }] : [],
  deployments: [
    { status: 'PRIMARY', serviceConnectConfiguration: sc },
    { status: 'ACTIVE', serviceConnectConfiguration: sc && configuration('old', 'old.local', 1) },
  ],
});

/** products on Service Connect, calling payments (also on Service Connect, registered in Cloud Map as payments.local). */
function products(): DoctorFacts & { serviceConnect: NonNullable<DoctorFacts['serviceConnect']> } {
  const payments = service('payments', configuration('payments', 'payments.local', 5000), REG_PAYMENTS);
  const self = service('products', configuration('products', 'products.local', 5000));
  return {
    described: taskDefinition('products', 5000, {
      PAYMENT_ENDPOINT: 'http://payments.local:5000/api/1.0/payments',
      STRIPE_URL: 'https://api.stripe.com/v1',
      LOG_LEVEL: 'info',
    }),
    service: self,
    taskRole: { name: 'TaskIamRole', exists: true, policies: [] },
    serviceConnect: {
      namespaces: [{ id: 'ns-local', name: 'local' }],
      clusterServices: [payments, self],
      registries: { [REG_PAYMENTS]: { service: 'payments', namespace: 'local' } },
    },
  };
}

const check = (facts: DoctorFacts, id: string) => runChecks(facts).find((c) => c.id === id);
const primary = (s: Service) => s.deployments![0]!.serviceConnectConfiguration!;
const other = (f: ReturnType<typeof products>, name: string) => f.serviceConnect.clusterServices.find((s) => s.serviceName === name)!;

describe('the Service Connect checklist', () => {
  it('passes a migrated client whose backend is served through Service Connect', () => {
    const checks = runChecks(products());
    expect(checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'sc-configuration:pass',
      'sc-namespace:pass',
      'sc-port-names:pass',
      'sc-app-protocol:pass',
      'sc-alias-count:pass',
      'sc-alias-unique:pass',
      'sc-backends:pass',
      'sc-carried:skip',
      'sc-task-role:pass',
    ]);
    expect(checks.find((c) => c.id === 'sc-namespace')!.detail).toBe('namespace local (ns-local) exists in Cloud Map');
    // The external URL and the one-word LOG_LEVEL name no service of the cluster.
    expect(checks.find((c) => c.id === 'sc-backends')!.detail).toBe(
      'payments.local:5000 (PAYMENT_ENDPOINT) is served through Service Connect by payments',
    );
  });

  it.each([
    ['an ARN', NS_ARN],
    ['a name', 'local'],
    ['an id', 'ns-local'],
  ])('finds the namespace given as %s', (_kind, namespace) => {
    const f = products();
    primary(f.service!).namespace = namespace;
    expect(check(f, 'sc-namespace')!.status).toBe('pass');
  });

  it('fails a namespace Cloud Map does not have, with the command that creates it', () => {
    const f = products();
    primary(f.service!).namespace = 'shop';
    expect(check(f, 'sc-namespace')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^namespace shop is not in Cloud Map/),
      fix: expect.stringMatching(/aws servicediscovery create-http-namespace --name shop/),
    });
  });

  it('fails a portName that is no named port of the task definition', () => {
    const f = products();
    f.described = taskDefinition('products', 5000, {}, { name: 'http' });
    expect(check(f, 'sc-port-names')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^products is no named port of .*products-task:2 \(named: http\)$/),
      fix: expect.stringMatching(/portMappings\[\]\.name/),
    });
  });

  it('warns about a Service Connect port without appProtocol: it is treated as TCP', () => {
    const f = products();
    f.described = taskDefinition('products', 5000, {}, { appProtocol: undefined });
    expect(check(f, 'sc-app-protocol')).toMatchObject({
      status: 'warn',
      detail: 'products (5000) sets no appProtocol: Service Connect treats it as TCP, with no HTTP metrics',
      fix: expect.stringMatching(/appProtocol \(http, http2 or grpc\) for products/),
    });
    expect(runChecks(f).filter((c) => c.status === 'fail')).toEqual([]);
  });

  it.each([0, 2])('fails a Service Connect service with %i client aliases', (n) => {
    const f = products();
    primary(f.service!).services![0]!.clientAliases = Array.from({ length: n }, (_, i) => ({ dnsName: `p${i}.local`, port: 5000 }));
    expect(check(f, 'sc-alias-count')).toMatchObject({ status: 'fail', detail: `products has ${n} client aliases` });
  });

  it("fails an alias another service of the cluster publishes in the same namespace (by name or, there, by ECS's default)", () => {
    const f = products();
    f.serviceConnect.clusterServices.push(service('catalog', configuration('catalog', 'products.local', 5000, 'local')));
    expect(check(f, 'sc-alias-unique')).toMatchObject({
      status: 'fail',
      detail: "in namespace local: products.local:5000 is also catalog's",
    });
    // Without a dnsName, ECS's alias is discoveryName.namespace.
    const g = products();
    primary(g.service!).services![0]!.clientAliases = [{ port: 5000 }];
    g.serviceConnect.clusterServices.push(service('catalog', configuration('catalog', 'products-sc.local', 5000)));
    expect(check(g, 'sc-alias-unique')!.detail).toBe("in namespace local: products-sc.local:5000 is also catalog's");
  });

  it('passes the same alias in another namespace, or on another port', () => {
    const f = products();
    f.serviceConnect.namespaces.push({ id: 'ns-shop', name: 'shop' });
    f.serviceConnect.clusterServices.push(service('catalog', configuration('catalog', 'products.local', 5000, 'shop')));
    f.serviceConnect.clusterServices.push(service('legacy', configuration('legacy', 'products.local', 8080)));
    expect(check(f, 'sc-alias-unique')!.status).toBe('pass');
  });

  it('fails a backend whose server is not on Service Connect yet, naming the service to migrate first', () => {
    const f = products();
    other(f, 'payments').deployments = [{ status: 'PRIMARY' }];
    expect(check(f, 'sc-backends')).toMatchObject({
      status: 'fail',
      detail: 'payments.local:5000 (PAYMENT_ENDPOINT) is the Cloud Map name of payments, which is not on Service Connect yet',
      fix: 'migrate payments first: meshctl migrate apply --service payments',
    });
  });

  it('fails a backend published in another namespace: Service Connect clients reach only their own', () => {
    const f = products();
    f.serviceConnect.namespaces.push({ id: 'ns-pay', name: 'pay' });
    primary(other(f, 'payments')).namespace = 'pay';
    expect(check(f, 'sc-backends')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/one namespace/) });
  });

  it('warns about a name in the namespace that no service publishes or registers', () => {
    const f = products();
    f.described = taskDefinition('products', 5000, { STOCK: 'stock.local:7000' });
    expect(check(f, 'sc-backends')).toMatchObject({
      status: 'warn',
      detail: 'stock.local:7000 (STOCK) is in namespace local, but no service of the cluster publishes or registers it',
    });
  });

  it('warns when the backend is called on a port its alias does not publish', () => {
    const f = products();
    f.described = taskDefinition('products', 5000, { PAYMENT_ENDPOINT: 'http://payments.local/api' });
    expect(check(f, 'sc-backends')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/^call payments\.local:5000/) });
  });

  it('skips the backend check when nothing in the environment names a service', () => {
    const f = products();
    f.described = taskDefinition('products', 5000, { STRIPE_URL: 'https://api.stripe.com/v1', MODE: 'payments' });
    expect(check(f, 'sc-backends')!.status).toBe('skip');
  });

  it.each<[string, string, RolePolicy[], RegExp]>([
    [
      'AWSAppMeshEnvoyAccess attached',
      'warn',
      [ENVOY_ACCESS],
      /^aws iam detach-role-policy --role-name TaskIamRole --policy-arn arn:aws:iam::aws:policy\/AWSAppMeshEnvoyAccess .*migrate cleanup/,
    ],
    [
      'an inline policy that allows appmesh:* only',
      'warn',
      [
        {
          kind: 'inline',
          name: 'envoy',
          document: encodeURIComponent('{"Statement":[{"Effect":"Allow","Action":"appmesh:*","Resource":"*"}]}'),
        },
      ],
      /^aws iam delete-role-policy --role-name TaskIamRole --policy-name envoy /,
    ],
    [
      'an inline policy that allows App Mesh and S3',
      'pass',
      [
        {
          kind: 'inline',
          name: 'app',
          document: { Statement: [{ Effect: 'Allow', Action: ['appmesh:*', 's3:GetObject'], Resource: '*' }] },
        },
      ],
      /^$/,
    ],
  ])('the task role with %s: %s', (_name, status, policies, fix) => {
    const f = products();
    f.taskRole = { name: 'TaskIamRole', exists: true, policies };
    const c = check(f, 'sc-task-role')!;
    expect(c.status).toBe(status);
    expect(c.fix ?? '').toMatch(fix);
  });

  it('fails a task role that does not exist, and passes a task without one', () => {
    const f = products();
    f.taskRole = { name: 'Gone', exists: false };
    expect(check(f, 'sc-task-role')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/create role Gone/) });
    f.taskRole = undefined;
    expect(check(f, 'sc-task-role')!.status).toBe('pass');
  });

  it("says in one line that the service's answer holds no serviceConnectConfiguration, and runs the port and role checks", () => {
    const f = products();
    f.service = { ...f.service!, deployments: [{ status: 'PRIMARY', taskDefinition: f.service!.taskDefinition }] };
    f.taskRole = { name: 'TaskIamRole', exists: true, policies: [ENVOY_ACCESS] };
    f.described = taskDefinition('products', 5000, {}, { appProtocol: undefined });
    const checks = runChecks(f);
    expect(checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'sc-configuration:warn',
      'sc-port-names:pass',
      'sc-app-protocol:warn',
      'sc-task-role:warn',
    ]);
    expect(checks[0]!.detail).toMatch(
      /^the service's answer holds no serviceConnectConfiguration .*: the checks that need it were skipped \(sc-namespace, sc-alias-count, sc-alias-unique, sc-backends\)$/,
    );
  });

  it('warns, without a configuration, about a task definition that names no port', () => {
    const f: DoctorFacts = { described: taskDefinition('products', 5000, {}, { name: undefined, appProtocol: undefined }) };
    expect(runChecks(f).map((c) => `${c.id}:${c.status}`)).toEqual([
      'sc-configuration:warn',
      'sc-port-names:warn',
      'sc-app-protocol:skip',
      'sc-task-role:pass',
    ]);
  });
});

describe('hostRefsIn', () => {
  it.each<[string, { host: string; port?: number }[]]>([
    ['http://payments.local:5000/api/1.0/payments', [{ host: 'payments.local', port: 5000 }, { host: '1.0' }]],
    ['payments.local:5000', [{ host: 'payments.local', port: 5000 }]],
    ['https://Payments.Local./x', [{ host: 'payments.local', port: 443 }]],
    ['payments', [{ host: 'payments' }]],
    ['payments:5000', [{ host: 'payments', port: 5000 }]],
    ['/srv/payments', []],
    ['postgres://db.local:5432/app', [{ host: 'db.local', port: 5432 }]],
  ])('%s', (value, refs) => {
    expect(hostRefsIn(value)).toEqual(refs);
  });
});

describe('policyOnlyAllowsAppMesh', () => {
  it.each([
    [{ Statement: [{ Effect: 'Allow', Action: 'appmesh:StreamAggregatedResources', Resource: '*' }] }, true],
    [{ Statement: { Effect: 'Allow', Action: ['appmesh:*', 'AppMesh:Describe*'] } }, true],
    [{ Statement: [{ Effect: 'Allow', Action: ['appmesh:*', 'xray:PutTraceSegments'] }] }, false],
    [{ Statement: [{ Effect: 'Allow', NotAction: 's3:*' }] }, false],
    [{ Statement: [{ Effect: 'Deny', Action: 'appmesh:*' }] }, false],
    [{ Statement: [] }, false],
  ])('%j: %s', (doc, only) => {
    expect(policyOnlyAllowsAppMesh(doc)).toBe(only);
  });
});

// ---- the command, in-process, against mocked AWS clients ------------------------------------------

const ecs = mockClient(ECSClient);
const sd = mockClient(ServiceDiscoveryClient);
const iam = mockClient(IAMClient);
const mesh = mockClient(AppMeshClient);

const crystalPlain = toDescribed(
  JSON.parse(readFileSync(new URL('../../fixtures/crystal-describe.json', import.meta.url), 'utf8')),
  'fixture',
);
const CRYSTAL_ENVOY = renderEnvoy(crystalPlain, {
  mesh: 'appmesh-workshop',
  virtualNode: 'crystal-lb-vanilla',
  envoyImage: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod',
}).input;
const CRYSTAL_ARN = crystalPlain.taskDefinition.taskDefinitionArn!.replace(/:1$/, ':2');

/** The cluster the mocked ECS answers for: services by name, task definitions by ARN. */
function mockCluster(services: Service[], taskDefinitions: Record<string, DescribedTaskDefinition['taskDefinition']>): void {
  const byName = new Map(services.map((s) => [s.serviceName!, s]));
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.map((n) => byName.get(n.split('/').pop()!)).filter(Boolean),
  }));
  ecs.on(ListServicesCommand).resolves({ serviceArns: services.map((s) => s.serviceArn!) });
  ecs
    .on(DescribeTaskDefinitionCommand)
    .callsFake((input: { taskDefinition: string }) => ({ taskDefinition: taskDefinitions[input.taskDefinition] }));
}

const ARGS = ['--cluster', 'appmesh-workshop', '--json'];
const denied = () => Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });

beforeEach(() => {
  for (const m of [ecs, sd, iam, mesh]) m.reset();
  sd.on(ListNamespacesCommand).resolves({ Namespaces: [{ Id: 'ns-local', Name: 'local', Type: 'HTTP' }] });
  sd.on(GetServiceCommand, { Id: 'srv-payments' }).resolves({ Service: { Id: 'srv-payments', Name: 'payments', NamespaceId: 'ns-local' } });
  iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'TaskIamRole', Arn: ROLE_ARN, Path: '/', RoleId: 'r', CreateDate: new Date() } });
  iam
    .on(ListAttachedRolePoliciesCommand)
    .resolves({ AttachedPolicies: [{ PolicyName: 'AWSAppMeshEnvoyAccess', PolicyArn: ENVOY_ACCESS_POLICY }] });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
});

describe('doctor on a service without envoy, with mocked AWS', () => {
  const productsTd = taskDefinition('products', 5000, { PAYMENT_ENDPOINT: 'http://payments.local:5000/api/1.0/payments' });
  const paymentsTd = taskDefinition('payments', 5000);

  it('runs the whole Service Connect checklist and fails the backend whose server still runs envoy (exit 1)', async () => {
    mockCluster([service('payments', undefined, REG_PAYMENTS), service('products', configuration('products', 'products.local', 5000))], {
      [service('products').taskDefinition!]: productsTd.taskDefinition,
    });
    const r = await runInProcess(['doctor', '--service', 'products', ...ARGS]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, cluster: 'appmesh-workshop', service: 'products', checklist: 'service-connect' });
    expect(out.checks.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toEqual([
      'sc-configuration:pass',
      'sc-namespace:pass',
      'sc-port-names:pass',
      'sc-app-protocol:pass',
      'sc-alias-count:pass',
      'sc-alias-unique:pass',
      'sc-backends:fail',
      'sc-carried:skip',
      'sc-task-role:warn',
    ]);
    expect(out.checks.find((c: { id: string }) => c.id === 'sc-backends').fix).toBe(
      'migrate payments first: meshctl migrate apply --service payments',
    );
    expect(r.stderr).toMatch(/error: doctor: sc-backends failed; each has a fix above/);
    expect(ecs).toHaveReceivedCommandWith(ListServicesCommand, { cluster: 'appmesh-workshop' });
    expect(sd).toHaveReceivedCommandWith(GetServiceCommand, { Id: 'srv-payments' });
    // Service Connect needs nothing of App Mesh.
    expect(mesh.calls()).toHaveLength(0);
  });

  it('passes once both are on Service Connect (exit 0); the leftover envoy policy is a warning with its command', async () => {
    mockCluster(
      [
        service('payments', configuration('payments', 'payments.local', 5000), REG_PAYMENTS),
        service('products', configuration('products', 'products.local', 5000)),
      ],
      {
        [service('products').taskDefinition!]: productsTd.taskDefinition,
        [service('payments').taskDefinition!]: paymentsTd.taskDefinition,
      },
    );
    const r = await runInProcess(['doctor', '--service', 'products', '--cluster', 'appmesh-workshop']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Service Connect checks for products in appmesh-workshop \(it runs no envoy\):\n/);
    expect(r.stdout).toMatch(
      /✔ every backend it calls is served through Service Connect: payments\.local:5000 \(PAYMENT_ENDPOINT\) is served/,
    );
    expect(r.stdout).toMatch(
      /! the task role exists and holds no App Mesh-only policy: .*\n {4}fix: aws iam detach-role-policy --role-name TaskIamRole --policy-arn arn:aws:iam::aws:policy\/AWSAppMeshEnvoyAccess/,
    );
    expect(r.stdout).toMatch(/no check failed; 1 of 8 warned\n$/);
  });
});

describe('doctor on an envoy service with App Mesh out of reach, with mocked AWS', () => {
  beforeEach(() => {
    mockCluster([{ ...service('crystal-service-lb'), taskDefinition: CRYSTAL_ARN }], {
      [CRYSTAL_ARN]: { ...CRYSTAL_ENVOY, taskDefinitionArn: CRYSTAL_ARN } as never,
    });
  });

  it('says so in one line, runs the other checks and exits 0 when they pass', async () => {
    mesh.on(DescribeVirtualNodeCommand).rejects(denied());
    const r = await runInProcess(['doctor', '--cluster', 'appmesh-workshop']);
    expect(r.code, r.stderr).toBe(0);
    const mentions = r.stdout.split('\n').filter((l) => /App Mesh could not be read/.test(l));
    expect(mentions).toEqual([
      '– App Mesh can be read: App Mesh could not be read (DescribeVirtualNode: AccessDeniedException, HTTP 403): the checks that need it were skipped (virtual-node, listener-port, cloud-map)',
    ]);
    expect(r.stdout).toMatch(
      /✔ the task role allows appmesh:StreamAggregatedResources: role appmesh-workshop-TaskIamRole: allowed by AWSAppMeshEnvoyAccess/,
    );
    expect(r.stdout).not.toMatch(/virtual node envoy names/);
  });

  it('exits 1 when a check that ran fails', async () => {
    mesh.on(DescribeVirtualNodeCommand).rejects(denied());
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    const r = await runInProcess(['doctor', ...ARGS]);
    expect(r.code).toBe(1);
    expect(
      JSON.parse(r.stdout)
        .checks.filter((c: { status: string }) => c.status === 'fail')
        .map((c: { id: string }) => c.id),
    ).toEqual(['task-role']);
  });

  it('still ends with exit 3 on any other AWS error (throttled after retries)', async () => {
    mesh
      .on(DescribeVirtualNodeCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const r = await runInProcess(['doctor', ...ARGS]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/DescribeVirtualNode failed: ThrottlingException/);
  });
});
