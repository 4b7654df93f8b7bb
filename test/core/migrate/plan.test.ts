import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { planCluster } from '../../../src/core/migrate/plan.js';
import {
  type ClusterPlan,
  type ClusterPlanInput,
  type NamespaceFacts,
  type ServiceFacts,
  type ServicePlan,
} from '../../../src/core/migrate/types.js';
import { emptyMesh, type DescribedVirtualNode, type MeshDescription } from '../../../src/core/mesh/description.js';
import { type MeshProtocol } from '../../../src/core/protocol.js';
import type { DescribedTaskDefinition } from '../../../src/core/task-definition.js';

// ---- test data builders: plain JSON as DescribeTaskDefinition, Cloud Map and Route 53 return it ----

const ACCOUNT = '123456789012';

interface AppSpec {
  name: string;
  ports?: number[];
  env?: Record<string, string>;
  appProtocol?: 'http' | 'http2' | 'grpc';
}

interface EnvoySpec {
  /** mesh/M/virtualNode/N, as APPMESH_VIRTUAL_NODE_NAME. */
  node?: string;
  /** The whole ARN, as APPMESH_RESOURCE_ARN. */
  arn?: string;
  appPorts?: number[];
  container?: string;
}

function appContainer(app: AppSpec, envoy: string | undefined): ContainerDefinition {
  return {
    name: app.name,
    image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/${app.name}:v1`,
    essential: true,
    portMappings: (app.ports ?? []).map((p) => ({
      containerPort: p,
      hostPort: p,
      protocol: 'tcp',
      ...(app.appProtocol ? { appProtocol: app.appProtocol } : {}),
    })),
    environment: Object.entries(app.env ?? {}).map(([name, value]) => ({ name, value })),
    ...(envoy ? { dependsOn: [{ containerName: envoy, condition: 'HEALTHY' }] } : {}),
  };
}

function envoyContainer(envoy: EnvoySpec): ContainerDefinition {
  const environment = [
    ...(envoy.node ? [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: envoy.node }] : []),
    ...(envoy.arn ? [{ name: 'APPMESH_RESOURCE_ARN', value: envoy.arn }] : []),
  ];
  const image = '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod';
  return { name: envoy.container ?? 'envoy', image, essential: true, user: '1337', environment };
}

/** A described revision as ECS returns it, read-only fields included. */
function taskDefinition(family: string, apps: AppSpec[], envoy?: EnvoySpec): DescribedTaskDefinition {
  const proxy = envoy ? (envoy.container ?? 'envoy') : undefined;
  const appPorts = envoy?.appPorts ?? apps[0]?.ports ?? [];
  const td: TaskDefinition = {
    taskDefinitionArn: `arn:aws:ecs:us-west-2:${ACCOUNT}:task-definition/${family}:4`,
    family,
    revision: 4,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    requiresCompatibilities: ['FARGATE'],
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
    registeredAt: new Date('2026-05-01T10:00:00Z'),
    containerDefinitions: [...apps.map((a, i) => appContainer(a, i === 0 ? proxy : undefined)), ...(envoy ? [envoyContainer(envoy)] : [])],
    ...(envoy
      ? {
          proxyConfiguration: {
            type: 'APPMESH',
            containerName: proxy,
            properties: [
              { name: 'IgnoredUID', value: '1337' },
              { name: 'AppPorts', value: appPorts.join(',') },
            ],
          },
        }
      : {}),
  };
  return { taskDefinition: td, tags: [{ key: 'team', value: 'shop' }] };
}

function service(name: string, described: DescribedTaskDefinition, extra: Partial<ServiceFacts> = {}): ServiceFacts {
  const taskDefinitionArn = described.taskDefinition.taskDefinitionArn!;
  return { service: name, taskDefinitionArn, described, registries: [], loadBalancerDnsNames: [], ...extra };
}

/** A service of mesh `meshName` whose envoy serves node `name`, with one app container of the same name. */
function meshService(
  meshName: string,
  name: string,
  ports: number[],
  extra: Partial<ServiceFacts> = {},
  env?: Record<string, string>,
): ServiceFacts {
  return service(name, taskDefinition(name, [{ name, ports, env }], { node: `mesh/${meshName}/virtualNode/${name}` }), extra);
}

function namespace(name: string, services: string[] = [], type: NamespaceFacts['type'] = 'HTTP'): NamespaceFacts {
  return { name, id: `ns-${name.replace(/\W/g, '')}`, type, services };
}

function listener(port: number, protocol: MeshProtocol, names: [string, string], dnsName: string) {
  return { port, protocol, portName: names[0], discoveryName: names[1], alias: { dnsName, port } };
}

function clusterInput(services: ServiceFacts[], extra: Partial<ClusterPlanInput> = {}): ClusterPlanInput {
  return { services, meshes: [], records: [], namespaces: [], overrides: {}, ...extra };
}

function mesh(name: string, source: string, fill: Partial<MeshDescription>): MeshDescription {
  return { ...emptyMesh(name, source), ...fill, mesh: name, source };
}

function node(name: string, fill: Partial<DescribedVirtualNode> = {}): DescribedVirtualNode {
  return { name, listeners: [{ port: 5000, protocol: 'http' }], backends: [], ...fill };
}

function planOf(plan: ClusterPlan, name: string): ServicePlan {
  const found = plan.services.find((s) => s.service === name);
  if (!found) throw new Error(`no plan for ${name}`);
  return found;
}

const messages = (s: ServicePlan, level: 'error' | 'warn' | 'info') => s.findings.filter((f) => f.level === level).map((f) => f.message);

// ---- the workshop's crystal service ----------------------------------------------------------------

const ALB = 'internal-IntLB-appmesh-workshop-1234567890.us-west-2.elb.amazonaws.com';
const CRYSTAL_ALIAS = 'crystal.appmeshworkshop.hosted.local';
const crystalTd = taskDefinition('appmesh-workshop-crystal-lb-vanilla', [{ name: 'crystal', ports: [3000] }], {
  node: 'mesh/appmesh-workshop/virtualNode/crystal-lb-vanilla',
});
const crystalFacts = service('crystal-service-lb', crystalTd, { loadBalancerDnsNames: [ALB] });
/** Route 53 returns names with a trailing dot; the alias target is the ALB. */
const ZONE = 'appmeshworkshop.hosted.local.';
const crystalRecords = [
  { zone: ZONE, name: `${CRYSTAL_ALIAS}.`, type: 'A', values: [], aliasTarget: `${ALB}.` },
  { zone: ZONE, name: 'ruby.appmeshworkshop.hosted.local.', type: 'A', values: [], aliasTarget: 'internal-ruby-1.elb.amazonaws.com' },
];
const workshopMesh = mesh('appmesh-workshop', 'App Mesh', {
  virtualNodes: [node('crystal-lb-vanilla', { listeners: [{ port: 3000, protocol: 'http' }], discovery: { dns: { hostname: ALB } } })],
  virtualServices: [{ name: CRYSTAL_ALIAS, provider: { virtualNode: 'crystal-lb-vanilla' } }],
});

describe("planCluster: the workshop's crystal-service-lb", () => {
  const crystal = (meshes: MeshDescription[], overrides: ClusterPlanInput['overrides'] = { createNamespace: true }) =>
    planCluster(clusterInput([crystalFacts], { meshes, records: crystalRecords, overrides }));

  it.each([
    ['with a mesh description', [workshopMesh], ['task definition', 'App Mesh']],
    ['without any mesh description', [], ['task definition', 'Route 53']],
  ])('%s: alias crystal.appmeshworkshop.hosted.local:3000, port name crystal', (_label, meshes, sources) => {
    const plan = crystal(meshes);
    const s = planOf(plan, 'crystal-service-lb');
    expect(s.status).toBe('migrate');
    expect(s.virtualNode).toEqual({ mesh: 'appmesh-workshop', name: 'crystal-lb-vanilla' });
    expect(s.listeners).toEqual([listener(3000, 'http', ['crystal', 'crystal'], CRYSTAL_ALIAS)]);
    expect(s.namespace).toBe('appmeshworkshop.hosted.local');
    expect(s.serviceConnectConfiguration).toEqual({
      enabled: true,
      namespace: 'appmeshworkshop.hosted.local',
      services: [{ portName: 'crystal', discoveryName: 'crystal', clientAliases: [{ port: 3000, dnsName: CRYSTAL_ALIAS }] }],
    });
    expect(s.sourceOf).toEqual(sources);
    const published = [
      ...s.listeners.flatMap((l) => [l.portName, l.discoveryName, l.alias.dnsName]),
      ...s.serviceConnectConfiguration!.services!.flatMap((x) => [x.portName, x.discoveryName, ...x.clientAliases!.map((c) => c.dnsName)]),
    ];
    expect(published).toHaveLength(6);
    for (const name of published) expect(name).toMatch(/^[a-z0-9.-]+$/);
    for (const name of published) expect(name).not.toMatch(/elb\.amazonaws\.com/i);
    expect(plan.waves).toEqual([{ wave: 1, services: ['crystal-service-lb'] }]);
    expect(plan.ok).toBe(true);
  });

  it('renders the envoy-free task definition with the named port and keeps the rest', () => {
    const td = planOf(crystal([workshopMesh]), 'crystal-service-lb').taskDefinition!;
    expect(td.containerDefinitions!.map((c) => c.name)).toEqual(['crystal']);
    const [app] = td.containerDefinitions!;
    expect(app).not.toHaveProperty('dependsOn');
    expect(app!.portMappings).toEqual([{ containerPort: 3000, hostPort: 3000, protocol: 'tcp', name: 'crystal', appProtocol: 'http' }]);
    expect(app!.environment).toEqual([]);
    expect(td).not.toHaveProperty('proxyConfiguration');
    for (const field of ['taskDefinitionArn', 'revision', 'status', 'compatibilities', 'requiresAttributes', 'registeredAt']) {
      expect(td).not.toHaveProperty(field);
    }
    expect(td).toMatchObject({ family: 'appmesh-workshop-crystal-lb-vanilla', networkMode: 'awsvpc', cpu: '256', memory: '512' });
    expect(td.tags).toEqual([{ key: 'team', value: 'shop' }]);
  });

  it('says the protocol was assumed only when no mesh description gives it', () => {
    const assumed = expect.stringMatching(/^protocol of port 3000 assumed http.*--app-protocol/);
    expect(messages(planOf(crystal([]), 'crystal-service-lb'), 'info')).toContainEqual(assumed);
    expect(messages(planOf(crystal([workshopMesh]), 'crystal-service-lb'), 'info').some((m) => m.includes('assumed'))).toBe(false);
  });

  it('follows a CNAME or a dualstack alias to the load balancer, whatever the case', () => {
    const records = [
      { zone: ZONE, name: 'Crystal.AppMeshWorkshop.hosted.local.', type: 'CNAME', values: [ALB.toUpperCase()] },
      { zone: ZONE, name: 'crystal-v2.appmeshworkshop.hosted.local', type: 'A', values: [], aliasTarget: `dualstack.${ALB.toLowerCase()}` },
    ];
    const s = planOf(planCluster(clusterInput([crystalFacts], { records, overrides: { createNamespace: true } })), 'crystal-service-lb');
    expect(s.listeners.map((l) => l.alias)).toEqual([{ dnsName: CRYSTAL_ALIAS, port: 3000 }]);
    const other = expect.stringMatching(/may also call crystal-v2\.appmeshworkshop\.hosted\.local \(Route 53\)/);
    expect(messages(s, 'info')).toContainEqual(other);
  });

  it('refuses the private zone as a namespace unless --create-namespace', () => {
    const plan = crystal([workshopMesh], {});
    const s = planOf(plan, 'crystal-service-lb');
    expect(s.namespaceExists).toBe(false);
    expect(messages(s, 'error')).toEqual([
      'Cloud Map namespace appmeshworkshop.hosted.local does not exist ' +
        '(a Route 53 private zone of that name exists, but a zone is no Cloud Map namespace); ' +
        'pass --create-namespace to create it as an HTTP namespace, or --namespace to pick one (existing: none)',
    ]);
    expect(plan.ok).toBe(false);

    const created = planOf(crystal([workshopMesh]), 'crystal-service-lb');
    expect(created.namespaceExists).toBe(false);
    expect(messages(created, 'error')).toEqual([]);
    expect(messages(created, 'info')).toContainEqual(
      'Cloud Map namespace appmeshworkshop.hosted.local does not exist; it will be created as an HTTP namespace (--create-namespace)',
    );
  });

  it('uses an existing namespace of that name', () => {
    const namespaces = [{ name: 'appmeshworkshop.hosted.local', id: 'ns-crystal', type: 'HTTP' as const, services: [] }];
    const plan = planCluster(clusterInput([crystalFacts], { meshes: [workshopMesh], records: crystalRecords, namespaces }));
    expect(planOf(plan, 'crystal-service-lb').namespaceExists).toBe(true);
    expect(plan.ok).toBe(true);
  });

  it('finds no alias without mesh, Cloud Map or records: a client only, saying what it looked at', () => {
    const plan = planCluster(clusterInput([crystalFacts], { overrides: { createNamespace: true, namespace: 'shop.local' } }));
    const s = planOf(plan, 'crystal-service-lb');
    expect(messages(s, 'error')).toEqual([]);
    const note = messages(s, 'info').find((m) => m.startsWith('crystal-service-lb is a Service Connect client only'));
    expect(note).toMatch(/looked at virtual services provided by mesh\/appmesh-workshop\/virtualNode\/crystal-lb-vanilla/);
    expect(note).toMatch(/pointing at internal-intlb-appmesh-workshop-1234567890\.us-west-2\.elb\.amazonaws\.com; .*--client-alias/);
    expect(s.kind).toBe('client-only');
    expect(s.listeners).toEqual([]);
    expect(s.serviceConnectConfiguration).toEqual({ enabled: true, namespace: 'shop.local' });
    expect(plan.ok).toBe(true);
  });

  it('never takes a load balancer name, even from a virtual service named like one', () => {
    const odd = mesh('appmesh-workshop', 'mesh file mesh.yaml', {
      ...workshopMesh,
      virtualServices: [{ name: ALB, provider: { virtualNode: 'crystal-lb-vanilla' } }, ...workshopMesh.virtualServices],
    });
    const s = planOf(crystal([odd]), 'crystal-service-lb');
    expect(s.listeners[0]!.alias.dnsName).toBe(CRYSTAL_ALIAS);
    expect(messages(s, 'info')).toContainEqual(expect.stringMatching(/is a load balancer's DNS name, not a client alias; skipped$/));
  });
});

// ---- the console runbook: products → payments, plus an independent inventory ------------------------

const localNamespace = { ...namespace('local', ['payments', 'products'], 'DNS_PRIVATE'), id: 'ns-local1' };
const registeredIn = (name: string) => ({ registries: [{ service: name, namespace: 'local', namespaceType: 'DNS_PRIVATE' as const }] });
const PAYMENT_ENDPOINT = { PAYMENT_ENDPOINT: 'http://payments.local:5000/api/1.0/payments' };
const runbookServices = (productsEnv: Record<string, string> = PAYMENT_ENDPOINT) => [
  meshService('runbook', 'products', [5000], registeredIn('products'), productsEnv),
  meshService('runbook', 'payments', [5000], registeredIn('payments')),
  meshService('runbook', 'inventory', [5000], registeredIn('inventory')),
];
const runbook = (services: ServiceFacts[], extra: Partial<ClusterPlanInput> = {}) =>
  planCluster(clusterInput(services, { namespaces: [localNamespace], ...extra }));
const runbookMesh = mesh('runbook', 'mesh file runbook.yaml', {
  virtualNodes: [
    node('products', { backends: ['payments.local'], discovery: { cloudMap: { namespace: 'local', service: 'products' } } }),
    node('payments', { discovery: { cloudMap: { namespace: 'local', service: 'payments' } } }),
    node('inventory', { discovery: { cloudMap: { namespace: 'local', service: 'inventory' } } }),
  ],
  virtualServices: [
    { name: 'products.local', provider: { virtualNode: 'products' } },
    { name: 'payments.local', provider: { virtualNode: 'payments' } },
    { name: 'inventory.local', provider: { virtualNode: 'inventory' } },
  ],
});

describe('planCluster: the runbook products → payments', () => {
  it.each([
    ['with the mesh description (backends from the node)', [runbookMesh]],
    ['without one (backends from the environment)', []],
  ])('%s: servers first', (_label, meshes) => {
    const plan = runbook(runbookServices(), { meshes });
    expect(plan.waves).toEqual([
      { wave: 1, services: ['inventory', 'payments'] },
      { wave: 2, services: ['products'] },
    ]);
    expect(planOf(plan, 'products').backends).toEqual([{ name: 'payments.local', servedBy: 'payments' }]);
    expect(planOf(plan, 'payments').backends).toEqual([]);
    expect(planOf(plan, 'payments').serviceConnectConfiguration).toEqual({
      enabled: true,
      namespace: 'local',
      services: [{ portName: 'payments', discoveryName: 'payments-sc', clientAliases: [{ port: 5000, dnsName: 'payments.local' }] }],
    });
    expect(planOf(plan, 'inventory').listeners.map((l) => l.discoveryName)).toEqual(['inventory']);
    for (const s of plan.services) expect([s.namespace, s.namespaceExists]).toEqual(['local', true]);
    expect(plan.ok).toBe(true);
  });

  it('infers the backend from PAYMENT_ENDPOINT only without a mesh description, and says so', () => {
    const inferred = planOf(runbook(runbookServices()), 'products');
    const said = 'backend payments.local inferred from environment variable PAYMENT_ENDPOINT (container products)';
    expect(messages(inferred, 'info')).toContainEqual(said);
    const described = planOf(runbook(runbookServices(), { meshes: [runbookMesh] }), 'products');
    expect(messages(described, 'info').some((m) => m.includes('inferred'))).toBe(false);
  });

  it.each([
    ['a bare host', { PAYMENTS_HOST: 'payments.local' }],
    ['a host and port', { PAYMENTS: 'payments.local:5000' }],
    ['a list with a trailing dot', { UPSTREAMS: 'ledger.example.com:80, PAYMENTS.local.:5000' }],
  ])('infers a backend from %s', (_label, env) => {
    const products = planOf(runbook(runbookServices(env)), 'products');
    expect(products.backends).toEqual([{ name: 'payments.local', servedBy: 'payments' }]);
  });

  it('takes no path segment for a host', () => {
    const products = planOf(runbook(runbookServices({ DOCS: 'https://docs.example.com/payments/inventory' })), 'products');
    expect(products.backends).toEqual([]);
  });

  it.each([
    ['the whole value', 'redis', [{ name: 'redis', servedBy: 'cache' }]],
    ['a URL host', 'redis://redis:6379/0', [{ name: 'redis', servedBy: 'cache' }]],
    ['a path segment only', 'https://docs.example.com/redis', []],
  ])('takes a one-label Service Connect alias from %s', (_label, value, backends) => {
    const cache = service('cache', taskDefinition('cache', [{ name: 'redis', ports: [6379] }]), {
      serviceConnect: { namespace: 'local', services: [{ portName: 'redis', clientAliases: [{ dnsName: 'redis', port: 6379 }] }] },
    });
    const plan = runbook([runbookServices({ CACHE: value })[0]!, cache]);
    expect(planOf(plan, 'products').backends).toEqual(backends);
  });

  it('renames a discoveryName the Cloud Map service it registers in already has: payments-sc', () => {
    const plan = runbook(runbookServices(), { meshes: [runbookMesh] });
    expect(messages(planOf(plan, 'payments'), 'info')).toContainEqual(
      'discoveryName payments is taken in namespace local: ' +
        'the Cloud Map service payments registers in today (serviceRegistries) has that name; ' +
        'Service Connect creates a Cloud Map service of its own, so it uses payments-sc (clients still call payments.local:5000)',
    );
    expect(planOf(plan, 'products').listeners.map((l) => [l.portName, l.discoveryName])).toEqual([['products', 'products-sc']]);
  });

  it('counts up when the -sc name is taken too', () => {
    const namespaces = [{ ...localNamespace, services: ['payments', 'payments-sc', 'PRODUCTS'] }];
    const plan = runbook(runbookServices(), { namespaces });
    expect(planOf(plan, 'payments').listeners[0]!.discoveryName).toBe('payments-sc2');
    expect(planOf(plan, 'products').listeners[0]!.discoveryName).toBe('products-sc');
  });

  it('warns about a backend nothing in the input serves', () => {
    const withLedger = mesh('runbook', 'mesh file runbook.yaml', {
      ...runbookMesh,
      virtualNodes: runbookMesh.virtualNodes.map((n) => (n.name === 'products' ? { ...n, backends: [...n.backends, 'ledger.local'] } : n)),
    });
    const products = planOf(runbook(runbookServices(), { meshes: [withLedger] }), 'products');
    expect(products.backends).toStrictEqual([{ name: 'payments.local', servedBy: 'payments' }, { name: 'ledger.local' }]);
    expect(messages(products, 'warn')).toEqual([expect.stringMatching(/^backend ledger\.local is served by no ECS service in the input/)]);
  });

  it('does not change its input and gives the same plan twice', () => {
    const input = clusterInput(runbookServices(), { meshes: [runbookMesh], namespaces: [localNamespace] });
    const before = structuredClone(input);
    const first = planCluster(input);
    expect(input).toEqual(before);
    expect(planCluster(input)).toEqual(first);
  });
});

// ---- an already-migrated backend -----------------------------------------------------------------

describe('planCluster: a backend already on Service Connect', () => {
  const migratedPayments = () => {
    const td = taskDefinition('payments', [{ name: 'payments', ports: [5000], appProtocol: 'http' }]);
    td.taskDefinition.containerDefinitions![0]!.portMappings![0]!.name = 'payments';
    return service('payments', td, {
      serviceConnect: {
        namespace: `arn:aws:servicediscovery:us-west-2:${ACCOUNT}:namespace/ns-local1`,
        services: [{ portName: 'payments', discoveryName: 'payments', clientAliases: [{ dnsName: 'payments.local', port: 5000 }] }],
      },
    });
  };
  const services = () => [runbookServices()[0]!, migratedPayments()];
  const namespaces = [{ ...localNamespace, services: ['payments'] }];

  it('counts it as done: the client is served by it and rolls alone', () => {
    const plan = planCluster(clusterInput(services(), { namespaces }));
    const payments = planOf(plan, 'payments');
    expect(payments.status).toBe('migrated');
    expect(payments.namespace).toBe('local');
    expect(payments.listeners).toEqual([listener(5000, 'http', ['payments', 'payments'], 'payments.local')]);
    expect(payments.taskDefinition).toBeUndefined();
    expect(payments.sourceOf).toEqual(['task definition', 'Service Connect']);
    expect(planOf(plan, 'products').backends).toEqual([{ name: 'payments.local', servedBy: 'payments' }]);
    expect(planOf(plan, 'products').listeners[0]!.discoveryName).toBe('products');
    expect(plan.waves).toEqual([{ wave: 1, services: ['products'] }]);
    expect(plan.ok).toBe(true);
  });

  it('refuses an alias the migrated service already publishes, naming both', () => {
    const plan = planCluster(
      clusterInput(services(), { namespaces, overrides: { clientAlias: { service: 'products', name: 'payments.local' } } }),
    );
    expect(messages(planOf(plan, 'products'), 'error')).toEqual([
      "client alias payments.local:5000 in namespace local is payments's (already on Service Connect); " +
        'a name and port must be unique in a namespace: give one of products and payments another --client-alias or namespace',
    ]);
    expect(plan.ok).toBe(false);
  });

  it('uses ECS default dnsName discoveryName.namespace when the config names none', () => {
    const payments = migratedPayments();
    payments.serviceConnect = { namespace: 'local', services: [{ portName: 'payments', discoveryName: 'pay' }] };
    const plan = planCluster(clusterInput([payments], { namespaces }));
    expect(planOf(plan, 'payments').listeners.map((l) => l.alias)).toEqual([{ dnsName: 'pay.local', port: 5000 }]);
    expect(plan.waves).toEqual([]);
  });
});

// ---- weighted routing ----------------------------------------------------------------------------

describe('planCluster: a router splitting 90/10 over two nodes', () => {
  const shopMesh = mesh('shop', 'CloudFormation template shop.yaml', {
    virtualNodes: [
      node('payments-v1', { discovery: { cloudMap: { namespace: 'shop.local', service: 'payments-v1' } } }),
      node('payments-v2', { discovery: { cloudMap: { namespace: 'shop.local', service: 'payments-v2' } } }),
      node('checkout', { backends: ['payments.shop.local'], discovery: { cloudMap: { namespace: 'shop.local', service: 'checkout' } } }),
    ],
    virtualRouters: [
      {
        name: 'payments-router',
        listeners: [{ port: 5000, protocol: 'http' }],
        routes: [
          {
            name: 'split',
            kind: 'http',
            targets: [
              { virtualNode: 'payments-v1', weight: 90 },
              { virtualNode: 'payments-v2', weight: 10 },
            ],
            retryPolicy: true,
            timeout: true,
          },
        ],
      },
    ],
    virtualServices: [
      { name: 'payments.shop.local', provider: { virtualRouter: 'payments-router' } },
      { name: 'checkout.shop.local', provider: { virtualNode: 'checkout' } },
    ],
    virtualGateways: [{ name: 'edge', listeners: [{ port: 8080, protocol: 'http' }] }],
    gatewayRoutes: [{ gateway: 'edge', name: 'to-payments', prefix: '/pay', virtualService: 'payments.shop.local' }],
  });
  const services = ['payments-v1', 'payments-v2', 'checkout'].map((n) => meshService('shop', n, [5000]));
  const plan = planCluster(clusterInput(services, { meshes: [shopMesh], namespaces: [namespace('shop.local')] }));

  it('gives the alias to the heavier node only, so no two services claim it', () => {
    expect(planOf(plan, 'payments-v1').listeners.map((l) => l.alias)).toEqual([{ dnsName: 'payments.shop.local', port: 5000 }]);
    expect(planOf(plan, 'payments-v2').listeners.map((l) => l.alias)).toEqual([{ dnsName: 'payments-v2.shop.local', port: 5000 }]);
    expect(planOf(plan, 'checkout').backends).toEqual([
      { name: 'payments.shop.local', servedBy: 'payments-v1', behind: ['payments-v1', 'payments-v2'] },
    ]);
    expect(plan.waves).toEqual([
      { wave: 1, services: ['payments-v1', 'payments-v2'] },
      { wave: 2, services: ['checkout'] },
    ]);
    expect(plan.ok).toBe(true);
  });

  it('warns on both sides that weighted routing has no Service Connect equivalent, suggesting what keeps it', () => {
    expect(messages(planOf(plan, 'payments-v1'), 'warn')).toEqual([
      expect.stringMatching(
        /^payments\.shop\.local: route split: Service Connect will not keep the split payments-v1 90 \/ payments-v2 10; .*CANARY/,
      ),
      expect.stringMatching(/^gateway edge: route to-payments \(\/pay\) sends traffic to payments\.shop\.local; .*Load Balancer/),
      expect.stringMatching(/^frozen endpoints: payments-v1's node is discovered through Cloud Map/),
    ]);
    expect(messages(planOf(plan, 'payments-v2'), 'warn')).toEqual([
      expect.stringMatching(
        /^payments\.shop\.local sends this service's node payments-v2 weight 10 of 100 through router payments-router, .*goes to payments-v1; payments-v2 keeps its own name payments-v2\.shop\.local/,
      ),
      expect.stringMatching(/^frozen endpoints: payments-v2's node is discovered through Cloud Map/),
    ]);
  });
});

// ---- two listeners, a tcp port -------------------------------------------------------------------

describe('planCluster: a node with two listeners', () => {
  const apiMesh = mesh('core', 'App Mesh', {
    virtualNodes: [
      node('api', {
        listeners: [
          { port: 8080, protocol: 'http' },
          { port: 9090, protocol: 'grpc' },
          { port: 6379, protocol: 'tcp' },
        ],
      }),
    ],
    virtualServices: [{ name: 'API.internal.local', provider: { virtualNode: 'api' } }],
  });
  const facts = service('api', taskDefinition('api', [{ name: 'api', ports: [8080] }], { node: 'mesh/core/virtualNode/api' }));
  const plan = planCluster(clusterInput([facts], { meshes: [apiMesh], namespaces: [namespace('internal.local')] }));
  const api = planOf(plan, 'api');

  it('puts the same dnsName on each port and names the others <base>-<port>', () => {
    expect(api.listeners).toEqual([
      listener(8080, 'http', ['api', 'api'], 'api.internal.local'),
      listener(9090, 'grpc', ['api-9090', 'api-9090'], 'api.internal.local'),
      listener(6379, 'tcp', ['api-6379', 'api-6379'], 'api.internal.local'),
    ]);
    expect(api.serviceConnectConfiguration!.services!.map((s) => s.clientAliases)).toEqual([
      [{ port: 8080, dnsName: 'api.internal.local' }],
      [{ port: 9090, dnsName: 'api.internal.local' }],
      [{ port: 6379, dnsName: 'api.internal.local' }],
    ]);
  });

  it('names the existing port mapping, adds the missing ones, and sets no appProtocol for tcp', () => {
    expect(api.taskDefinition!.containerDefinitions![0]!.portMappings).toEqual([
      { containerPort: 8080, hostPort: 8080, protocol: 'tcp', name: 'api', appProtocol: 'http' },
      { containerPort: 9090, protocol: 'tcp', name: 'api-9090', appProtocol: 'grpc' },
      { containerPort: 6379, protocol: 'tcp', name: 'api-6379' },
    ]);
    expect(messages(api, 'warn')).toEqual([expect.stringMatching(/^port 6379 is TCP: Service Connect proxies it without HTTP features/)]);
  });
});

// ---- cycles ----------------------------------------------------------------------------------------

describe('planCluster: services that call each other', () => {
  const loopMesh = mesh('loop', 'mesh file loop.yaml', {
    virtualNodes: [
      node('a', { backends: ['b.loop.local'] }),
      node('b', { backends: ['a.loop.local'] }),
      node('c', { backends: ['a.loop.local'] }),
      node('d', { backends: ['d.loop.local'] }),
    ],
    virtualServices: ['a', 'b', 'c', 'd'].map((n) => ({ name: `${n}.loop.local`, provider: { virtualNode: n } })),
  });
  const services = ['c', 'b', 'd', 'a'].map((n) => meshService('loop', n, [5000]));
  const plan = planCluster(clusterInput(services, { meshes: [loopMesh], namespaces: [namespace('loop.local')] }));

  it('rolls a cycle as one wave of its own, ignores a self-loop, and keeps servers first', () => {
    expect(plan.waves).toEqual([
      { wave: 1, services: ['d'] },
      { wave: 2, services: ['a', 'b'], cycle: ['a', 'b'] },
      { wave: 3, services: ['c'] },
    ]);
    expect(planOf(plan, 'd').backends).toEqual([{ name: 'd.loop.local', servedBy: 'd' }]);
  });

  it('warns which services form the cycle and why they roll together', () => {
    expect(plan.findings).toEqual([
      {
        level: 'warn',
        message:
          'a, b call each other, so they roll together in wave 2: ' +
          'during the roll they call each other across the App Mesh / Service Connect boundary, ' +
          "and the ones migrated first cannot be called by the others' old tasks until those are redeployed too",
      },
    ]);
    expect(plan.ok).toBe(true);
  });
});

// ---- names ECS rejects, overrides ------------------------------------------------------------------

describe('planCluster: overrides', () => {
  const single = () => [meshService('m', 'orders', [7000])];
  const run = (overrides: ClusterPlanInput['overrides'], services = single()) =>
    planCluster(clusterInput(services, { overrides, namespaces: [namespace('shop.local')] }));

  it('takes --client-alias over anything found, with the namespace its parent domain', () => {
    const plan = run({ clientAlias: { service: 'orders', name: 'orders.shop.local' } });
    expect(planOf(plan, 'orders').listeners).toEqual([listener(7000, 'http', ['orders', 'orders'], 'orders.shop.local')]);
    expect(planOf(plan, 'orders').sourceOf).toEqual(['task definition', 'overrides']);
    expect(plan.ok).toBe(true);
  });

  it.each([
    ['Bad_Name!.x', /^client alias "Bad_Name!\.x" has characters ECS rejects \("B", "N", "!"\)/],
    ['Orders.shop.local', /\("O"\)/],
    ['-orders.shop.local', /starts with "-"/],
    ['orders..shop.local', /empty label/],
    [`${'o'.repeat(64)}.shop.local`, /has 64 characters; DNS allows 63/],
    ['orders;reboot.local', /\(";"\)/],
    [ALB, /is a load balancer's DNS name/],
  ])('refuses the alias %j ECS would reject', (alias, message) => {
    const plan = run({ clientAlias: { service: 'orders', name: alias }, createNamespace: true });
    expect(messages(planOf(plan, 'orders'), 'error')).toContainEqual(expect.stringMatching(message));
    expect(plan.ok).toBe(false);
  });

  it('derives valid ECS names from a bad alias, so only the alias is refused', () => {
    const orders = planOf(run({ clientAlias: { service: 'orders', name: 'Bad_Name!.x' }, createNamespace: true }), 'orders');
    expect(orders.listeners.map((l) => [l.portName, l.discoveryName])).toEqual([['bad_name-', 'bad_name-']]);
    expect(messages(orders, 'error')).toHaveLength(1);
  });

  it.each([
    ['bad namespace', /characters Cloud Map rejects \(" "\)/],
    [`arn:aws:servicediscovery:us-west-2:${ACCOUNT}:namespace/ns-x`, /starts with "arn:"/],
  ])('refuses a namespace %j Cloud Map cannot create', (namespace, message) => {
    const plan = run({ clientAlias: { service: 'orders', name: 'orders.shop.local' }, namespace, createNamespace: true });
    expect(messages(planOf(plan, 'orders'), 'error')).toEqual([expect.stringMatching(message)]);
  });

  it('gives --client-alias NAME:PORT to the service it names only, however many migrate', () => {
    const plan = run({ clientAlias: { service: 'orders', name: 'orders.shop.local', port: 80 } }, [
      ...single(),
      meshService('m', 'billing', [7001]),
    ]);
    expect(planOf(plan, 'orders').listeners.map((l) => [l.port, l.alias])).toEqual([[7000, { dnsName: 'orders.shop.local', port: 80 }]]);
    expect(planOf(plan, 'billing').kind).toBe('client-only');
    expect(plan.ok).toBe(true);
  });

  it('reports a clash of two planned services on one alias and port', () => {
    const twins = ['blue', 'green'].map((n) => meshService('m', n, [80], { registries: [{ service: 'web', namespace: 'shop.local' }] }));
    const plan = run({}, twins);
    expect(messages(planOf(plan, 'blue'), 'error')).toEqual([]);
    const [clash, ...more] = messages(planOf(plan, 'green'), 'error');
    expect(more).toEqual([]);
    expect(clash).toMatch(/^client alias web\.shop\.local:80 in namespace shop\.local is also planned for blue; /);
    expect(clash).toMatch(/give one of green and blue another --client-alias or namespace$/);
    expect(planOf(plan, 'green').listeners[0]!.discoveryName).toBe('web-sc');
  });

  it('keeps discoveryNames unique across the whole plan, even in different namespaces', () => {
    const apis = [
      meshService('m', 'api-a', [80], { registries: [{ service: 'api', namespace: 'a.local' }] }),
      meshService('m', 'api-b', [80], { registries: [{ service: 'api', namespace: 'b.local' }] }),
    ];
    const plan = planCluster(clusterInput(apis, { overrides: { createNamespace: true } }));
    expect(plan.services.map((s) => [s.namespace, s.listeners[0]!.discoveryName])).toEqual([
      ['a.local', 'api'],
      ['b.local', 'api-sc'],
    ]);
    const renamed = expect.stringMatching(/^discoveryName api is taken in namespace b\.local: api-a of this plan takes it/);
    expect(messages(planOf(plan, 'api-b'), 'info')).toContainEqual(renamed);
  });

  it('picks --app-container, and refuses one the task definition does not have', () => {
    const apps = [{ name: 'log-router' }, { name: 'orders', ports: [7000] }];
    const td = taskDefinition('orders', apps, { node: 'mesh/m/virtualNode/orders', appPorts: [7000] });
    const picked = planOf(
      run({ clientAlias: { service: 'orders', name: 'orders.shop.local' }, appContainer: 'orders' }, [service('orders', td)]),
      'orders',
    );
    const containers = picked.taskDefinition!.containerDefinitions!;
    expect(containers.map((c) => [c.name, c.portMappings?.map((p) => p.name)])).toEqual([
      ['log-router', []],
      ['orders', ['orders']],
    ]);
    const missing = planOf(
      run({ clientAlias: { service: 'orders', name: 'orders.shop.local' }, appContainer: 'nope' }, [service('orders', td)]),
      'orders',
    );
    const refused = '--app-container: no container named "nope" in the task definition (it has: log-router, orders, envoy)';
    expect(messages(missing, 'error')).toEqual([refused]);
    expect(missing.taskDefinition).toBeUndefined();
  });

  it('takes the namespace from the Cloud Map registration before the alias domain, and --namespace over both', () => {
    const meshFile = mesh('m', 'mesh file m.yaml', {
      virtualNodes: [node('orders', { listeners: [{ port: 7000, protocol: 'http' }] })],
      virtualServices: [{ name: 'orders.mesh.local', provider: { virtualNode: 'orders' } }],
    });
    const facts = meshService('m', 'orders', [7000], { registries: [{ service: 'orders', namespace: 'shop.local' }] });
    const plan = planCluster(clusterInput([facts], { meshes: [meshFile], namespaces: [namespace('shop.local'), namespace('other')] }));
    const orders = planOf(plan, 'orders');
    expect([orders.namespace, orders.listeners[0]!.alias.dnsName]).toEqual(['shop.local', 'orders.mesh.local']);
    expect(orders.sourceOf).toEqual(['task definition', 'mesh file m.yaml', 'Cloud Map']);
    const input = clusterInput([facts], { meshes: [meshFile], namespaces: [namespace('other')], overrides: { namespace: 'other' } });
    const overridden = planCluster(input);
    expect(planOf(overridden, 'orders').serviceConnectConfiguration!.namespace).toBe('other');
  });

  it('uses --app-protocol when neither mesh nor port mapping gives one', () => {
    expect(
      planOf(run({ clientAlias: { service: 'orders', name: 'orders.shop.local' }, appProtocol: 'grpc' }), 'orders').listeners[0]!.protocol,
    ).toBe('grpc');
  });
});

// ---- which services, and how envoy is found ----------------------------------------------------------

describe('planCluster: which services migrate', () => {
  const namespaces = [localNamespace];

  it('reads the node from APPMESH_RESOURCE_ARN and uses the mesh description of it', () => {
    const arn = `arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/runbook/virtualNode/payments`;
    const facts = service('payments', taskDefinition('payments', [{ name: 'payments', ports: [8080] }], { arn, appPorts: [8080] }));
    const s = planOf(planCluster(clusterInput([facts], { meshes: [runbookMesh], namespaces })), 'payments');
    expect(s.virtualNode).toEqual({ mesh: 'runbook', name: 'payments' });
    expect(s.listeners.map((l) => [l.port, l.alias.dnsName])).toEqual([[5000, 'payments.local']]);
    expect(s.sourceOf).toEqual(['task definition', 'mesh file runbook.yaml']);
  });

  it('treats an APPMESH proxy configuration as envoy, whatever its container is called', () => {
    const envoy = { node: 'mesh/runbook/virtualNode/payments', container: 'proxy' };
    const td = taskDefinition('payments', [{ name: 'payments', ports: [5000] }], envoy);
    const s = planOf(planCluster(clusterInput([service('payments', td)], { meshes: [runbookMesh], namespaces })), 'payments');
    expect(s.status).toBe('migrate');
    expect(s.virtualNode).toEqual({ mesh: 'runbook', name: 'payments' });
    expect(s.taskDefinition!.containerDefinitions!.map((c) => [c.name, c.dependsOn])).toEqual([['payments', undefined]]);
  });

  it('lists a service that never had envoy and plans nothing for it', () => {
    const facts = service('batch', taskDefinition('batch', [{ name: 'batch', ports: [9000] }]));
    const plan = planCluster(clusterInput([facts], { namespaces }));
    expect(plan.services).toEqual([
      {
        service: 'batch',
        status: 'not-in-mesh',
        namespaceExists: false,
        listeners: [],
        backends: [],
        findings: [],
        sourceOf: ['task definition'],
      },
    ]);
    expect(plan.waves).toEqual([]);
    expect(plan.ok).toBe(true);
  });

  it('reports what a mesh description could not resolve', () => {
    const partial = mesh('runbook', 'template t.yaml', { ...runbookMesh, unresolved: ['VirtualNode products: Ref PaymentsHost'] });
    const plan = planCluster(clusterInput(runbookServices(), { meshes: [partial], namespaces }));
    const message = 'template t.yaml: VirtualNode products: Ref PaymentsHost could not be resolved; the plan may miss what it names';
    expect(plan.findings).toContainEqual({ level: 'warn', message });
  });
});
