import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { planCluster } from '../../../src/core/migrate/plan.js';
import { parseAliasOwner, parseClientAlias } from '../../../src/core/migrate/alias-flags.js';
import type { ClusterPlan, ClusterPlanInput, ServiceFacts, ServicePlan } from '../../../src/core/migrate/types.js';
import { emptyMesh, type DescribedRoute, type MeshDescription } from '../../../src/core/mesh/description.js';
import { matchConditions } from '../../../src/core/mesh/match.js';
import { hasEnvoy, meshGatewayOf } from '../../../src/core/envoy/proxy.js';
import type { DescribedTaskDefinition } from '../../../src/core/task-definition.js';

// Estates in the shapes App Mesh's published ECS walkthroughs have (versions of one app behind a router,
// header routing, an ingress gateway, a front that only calls): our own fixtures, as plain JSON.

const ACCOUNT = '210987654321';
const MESH = 'paint';
const NS = 'paint.internal';

interface Task {
  app?: { name: string; port?: number; env?: Record<string, string> };
  /** mesh/M/virtualNode/N or mesh/M/virtualGateway/G */
  resource: string;
  /** The proxy container's name (envoy unless said). */
  proxy?: string;
  /** An APPMESH proxyConfiguration (gateways have none). */
  appmesh?: boolean;
}

function described(family: string, t: Task): DescribedTaskDefinition {
  const proxy = t.proxy ?? 'envoy';
  const app: ContainerDefinition[] = t.app
    ? [
        {
          name: t.app.name,
          image: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${t.app.name}:2`,
          essential: true,
          portMappings: t.app.port ? [{ containerPort: t.app.port, protocol: 'tcp' }] : [],
          environment: Object.entries(t.app.env ?? {}).map(([name, value]) => ({ name, value })),
          dependsOn: [{ containerName: proxy, condition: 'HEALTHY' }],
        },
      ]
    : [];
  const envoy: ContainerDefinition = {
    name: proxy,
    image: '840364872350.dkr.ecr.eu-west-1.amazonaws.com/aws-appmesh-envoy:v1.27.3.0-prod',
    essential: true,
    user: '1337',
    portMappings: t.app ? [] : [{ containerPort: 8080, protocol: 'tcp' }],
    environment: [{ name: 'APPMESH_RESOURCE_ARN', value: `arn:aws:appmesh:eu-west-1:${ACCOUNT}:${t.resource}` }],
  };
  const td: TaskDefinition = {
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${family}:7`,
    family,
    revision: 7,
    networkMode: 'awsvpc',
    containerDefinitions: [...app, envoy],
    ...(t.appmesh !== false && t.app
      ? {
          proxyConfiguration: {
            type: 'APPMESH',
            containerName: proxy,
            properties: [
              { name: 'IgnoredUID', value: '1337' },
              { name: 'AppPorts', value: String(t.app.port ?? '') },
            ],
          },
        }
      : {}),
  };
  return { taskDefinition: td, tags: [] };
}

function svc(name: string, t: Task, extra: Partial<ServiceFacts> = {}): ServiceFacts {
  const d = described(name, t);
  return {
    service: name,
    taskDefinitionArn: d.taskDefinition.taskDefinitionArn!,
    described: d,
    registries: [],
    loadBalancerDnsNames: [],
    ...extra,
  };
}

/** A version of the colour app: node <name>-vn, registered in Cloud Map as <name>. */
function version(name: string, port = 9080, proxy?: string): ServiceFacts {
  return svc(
    name,
    { app: { name: 'app', port }, resource: `mesh/${MESH}/virtualNode/${name}-vn`, ...(proxy ? { proxy } : {}) },
    {
      registries: [{ service: name, namespace: NS }],
    },
  );
}

/** The front: calls hue.paint.internal, registers nowhere (nothing calls it through the mesh). */
const front = () =>
  svc('front', {
    app: { name: 'web', port: 8000, env: { HUE_URL: 'http://hue.paint.internal:3000' } },
    resource: `mesh/${MESH}/virtualNode/front-vn`,
  });

function route(name: string, targets: [string, number][], matches?: string[]): DescribedRoute {
  return {
    name,
    kind: 'http',
    targets: targets.map(([n, weight]) => ({ virtualNode: `${n}-vn`, weight })),
    retryPolicy: false,
    timeout: false,
    ...(matches ? { matches } : {}),
  };
}

/** Versions behind router hue-vr (listening on `routerPort`), virtual service hue.paint.internal; front calls it. */
function paintMesh(versions: string[], routes: DescribedRoute[], routerPort = 3000, extra: Partial<MeshDescription> = {}): MeshDescription {
  return {
    ...emptyMesh(MESH, 'mesh file paint.yaml'),
    virtualNodes: [
      ...versions.map((v) => ({
        name: `${v}-vn`,
        listeners: [{ port: 9080, protocol: 'http' as const }],
        backends: [],
        discovery: { cloudMap: { namespace: NS, service: v } },
      })),
      { name: 'front-vn', listeners: [{ port: 8000, protocol: 'http' as const }], backends: ['hue.paint.internal'] },
    ],
    virtualRouters: [{ name: 'hue-vr', listeners: [{ port: routerPort, protocol: 'http' }], routes }],
    virtualServices: [{ name: 'Hue.Paint.Internal.', provider: { virtualRouter: 'hue-vr' } }],
    ...extra,
  };
}

function plan(services: ServiceFacts[], meshes: MeshDescription[], overrides: ClusterPlanInput['overrides'] = {}): ClusterPlan {
  return planCluster({ services, meshes, records: [], namespaces: [{ name: NS, id: 'ns-paint', type: 'HTTP', services: [] }], overrides });
}

const of = (p: ClusterPlan, name: string): ServicePlan => p.services.find((s) => s.service === name)!;
const said = (s: ServicePlan, level: 'error' | 'warn' | 'info') => s.findings.filter((f) => f.level === level).map((f) => f.message);
const aliases = (s: ServicePlan) => s.listeners.map((l) => `${l.alias.dnsName}:${l.alias.port}→${l.port}`);

describe('several nodes behind one virtual service: a 90/10 canary', () => {
  const p = plan(
    [version('hue-v1'), version('hue-v2'), front()],
    [
      paintMesh(
        ['hue-v1', 'hue-v2'],
        [
          route('canary', [
            ['hue-v1', 90],
            ['hue-v2', 10],
          ]),
        ],
      ),
    ],
  );

  it('plans with exit 0: the name clients call goes to the heavier version on the router port, the other keeps its own', () => {
    expect(p.ok).toBe(true);
    expect(aliases(of(p, 'hue-v1'))).toEqual(['hue.paint.internal:3000→9080']);
    expect(aliases(of(p, 'hue-v2'))).toEqual(['hue-v2.paint.internal:9080→9080']);
    expect(of(p, 'hue-v1').virtualServices).toEqual([
      {
        name: 'hue.paint.internal',
        behind: ['hue-v1', 'hue-v2'],
        owner: 'hue-v1',
        decidedBy: 'heaviest default route',
        routes: [
          {
            name: 'canary',
            split: [
              { target: 'hue-v1', weight: 90 },
              { target: 'hue-v2', weight: 10 },
            ],
            matches: [],
            lost: ['the split hue-v1 90 / hue-v2 10'],
          },
        ],
      },
    ]);
  });

  it('warns what Service Connect will not keep and what would keep it', () => {
    expect(said(of(p, 'hue-v1'), 'warn')).toEqual([
      expect.stringMatching(
        /^hue\.paint\.internal: route canary: Service Connect will not keep the split hue-v1 90 \/ hue-v2 10; its name goes to hue-v1 only; to keep it: .*LINEAR or CANARY.*routing in the application.*VPC Lattice/,
      ), // Rule 11: hue-v1 is discovered through Cloud Map and front's envoy calls it.
      expect.stringMatching(/^frozen endpoints: hue-v1's node is discovered through Cloud Map/),
    ]);
    expect(said(of(p, 'hue-v2'), 'warn')).toEqual([
      expect.stringMatching(/weight 10 of 100 .* it goes to hue-v1; hue-v2 keeps its own name hue-v2\.paint\.internal/),
      expect.stringMatching(/^frozen endpoints: hue-v2's node is discovered through Cloud Map/),
    ]);
  });

  it('rolls the front after every version behind the name, not only the owner', () => {
    expect(of(p, 'front').backends).toEqual([{ name: 'hue.paint.internal', servedBy: 'hue-v1', behind: ['hue-v1', 'hue-v2'] }]);
    expect(p.waves).toEqual([
      { wave: 1, services: ['hue-v1', 'hue-v2'] },
      { wave: 2, services: ['front'] },
    ]);
  });
});

describe('a 50/50 tie', () => {
  const services = () => [version('hue-blue'), version('hue-green'), front()];
  const mesh = paintMesh(
    ['hue-blue', 'hue-green'],
    [
      route('even', [
        ['hue-blue', 50],
        ['hue-green', 50],
      ]),
    ],
  );

  it('needs --alias-owner, printed ready to paste on each service behind it', () => {
    const p = plan(services(), [mesh]);
    expect(p.ok).toBe(false);
    expect(said(of(p, 'hue-blue'), 'error')).toEqual([
      'hue.paint.internal: its default route splits equally (50 each) between hue-blue-vn and hue-green-vn, so nothing decides which ' +
        'service takes the name its clients call; pass --alias-owner hue.paint.internal=hue-blue (or =hue-green)',
    ]);
    expect(said(of(p, 'hue-green'), 'error')).toEqual([
      expect.stringContaining('pass --alias-owner hue.paint.internal=hue-green (or =hue-blue)'),
    ]);
    // Still servers first, though nobody takes the name yet.
    expect(of(p, 'front').backends).toEqual([{ name: 'hue.paint.internal', behind: ['hue-blue', 'hue-green'] }]);
    expect(p.waves.map((w) => w.services)).toEqual([['hue-blue', 'hue-green'], ['front']]);
  });

  it('plans with --alias-owner, case-insensitively', () => {
    const p = plan(services(), [mesh], { aliasOwners: { 'hue.paint.internal': 'hue-green' } });
    expect(p.ok).toBe(true);
    expect(aliases(of(p, 'hue-green'))).toEqual(['hue.paint.internal:3000→9080']);
    expect(aliases(of(p, 'hue-blue'))).toEqual(['hue-blue.paint.internal:9080→9080']);
    expect(of(p, 'hue-green').virtualServices![0]!.decidedBy).toBe('--alias-owner');
  });

  it('refuses an --alias-owner that is not behind the virtual service, or a virtual service no description has', () => {
    const p = plan(services(), [mesh], { aliasOwners: { 'hue.paint.internal': 'front', 'nope.paint.internal': 'hue-blue' } });
    expect(p.findings.filter((f) => f.level === 'error').map((f) => f.message)).toEqual([
      '--alias-owner hue.paint.internal=front: front is not behind hue.paint.internal (behind it: hue-blue, hue-green)',
      expect.stringMatching(/^--alias-owner nope\.paint\.internal=hue-blue: no mesh description has virtual service nope\.paint\.internal/),
    ]);
  });
});

describe('header routing to several colours', () => {
  const colours = ['red', 'blue', 'green'];
  const services = () => [...colours.map((c) => version(`hue-${c}`)), front()];
  const byHeader = colours.map((c) => route(`to-${c}`, [[`hue-${c}`, 1]], [`header color = ${c}`]));

  it('without a default route needs --alias-owner', () => {
    const p = plan(services(), [
      paintMesh(
        colours.map((c) => `hue-${c}`),
        byHeader,
      ),
    ]);
    expect(said(of(p, 'hue-red'), 'error')).toEqual([
      expect.stringMatching(
        /^hue\.paint\.internal: every route has match conditions .* pass --alias-owner hue\.paint\.internal=hue-red \(or =hue-blue, =hue-green\)$/,
      ),
    ]);
  });

  it('with a default route gives the name to its target, and warns of every header match lost', () => {
    const p = plan(services(), [
      paintMesh(
        colours.map((c) => `hue-${c}`),
        [...byHeader, route('default', [['hue-blue', 1]])],
      ),
    ]);
    expect(p.ok).toBe(true);
    expect(aliases(of(p, 'hue-blue'))).toEqual(['hue.paint.internal:3000→9080']);
    const warns = said(of(p, 'hue-blue'), 'warn');
    // Three header matches lost, and (rule 11) hue-blue's endpoints frozen in front's envoy.
    expect(warns).toHaveLength(4);
    expect(warns[3]).toMatch(/^frozen endpoints: hue-blue's node is discovered through Cloud Map/);
    expect(warns[0]).toMatch(/^hue\.paint\.internal: route to-red: Service Connect will not keep the match header color = red; /);
    expect(p.waves.map((w) => w.services)).toEqual([['hue-blue', 'hue-green', 'hue-red'], ['front']]);
  });
});

describe('a virtual gateway service, a client only, an envoy container named otherwise', () => {
  const gateway = svc('ingress', { resource: `mesh/${MESH}/virtualGateway/ingress-gw` });
  const mesh = paintMesh(['hue-v1'], [route('all', [['hue-v1', 1]])], 3000, {
    virtualGateways: [{ name: 'ingress-gw', listeners: [{ port: 8080, protocol: 'http' }] }],
    gatewayRoutes: [
      { gateway: 'ingress-gw', name: 'hue-route', prefix: '/hue/', virtualService: 'hue.paint.internal', rewritePrefix: true } as never,
      {
        gateway: 'ingress-gw',
        name: 'by-host',
        prefix: '/',
        virtualService: 'hue.paint.internal',
        matches: ['hostname = hue.example.com'],
      },
    ],
  });
  const p = plan([gateway, version('hue-v1', 9080, 'mesh-proxy'), front()], [mesh]);

  it('finds envoy by the proxy configuration, not by its name', () => {
    const d = version('hue-v1', 9080, 'mesh-proxy').described;
    expect(hasEnvoy(d)).toBe(true);
    expect(of(p, 'hue-v1').status).toBe('migrate');
    expect(of(p, 'hue-v1').taskDefinition!.containerDefinitions!.map((c) => c.name)).toEqual(['app']);
    expect(meshGatewayOf(gateway.described)).toEqual({ mesh: MESH, gateway: 'ingress-gw' });
  });

  it('plans the gateway as gateway: not in a wave, its routes as listener rules, the rewrite named', () => {
    expect(p.ok).toBe(true);
    const g = of(p, 'ingress');
    expect([g.status, g.kind, g.taskDefinition]).toEqual(['gateway', 'gateway', undefined]);
    expect(p.waves.flatMap((w) => w.services)).not.toContain('ingress');
    expect(g.gateway).toEqual({
      mesh: MESH,
      name: 'ingress-gw',
      routes: [
        {
          name: 'hue-route',
          virtualService: 'hue.paint.internal',
          target: { service: 'hue-v1', port: 9080 },
          rule: 'path-pattern /hue* → forward to a target group of ECS service hue-v1 port 9080',
          unsupported: [expect.stringMatching(/^the prefix rewrite/)],
        },
        {
          name: 'by-host',
          virtualService: 'hue.paint.internal',
          target: { service: 'hue-v1', port: 9080 },
          rule: 'path-pattern /* and host-header hue.example.com → forward to a target group of ECS service hue-v1 port 9080',
          unsupported: [],
        },
      ],
    });
    expect(said(g, 'info')[0]).toMatch(/apply leaves it as it is and migrate cleanup lists it/);
  });

  it('plans a service nothing names as a Service Connect client only, in the namespace of what it calls', () => {
    const f = of(p, 'front');
    expect(f.kind).toBe('client-only');
    expect(f.serviceConnectConfiguration).toEqual({ enabled: true, namespace: NS });
    expect(f.taskDefinition!.containerDefinitions!.map((c) => [c.name, c.portMappings])).toEqual([
      ['web', [{ containerPort: 8000, protocol: 'tcp' }]],
    ]);
    expect(said(f, 'error')).toEqual([]);
  });
});

describe('aliases from the names clients really call', () => {
  it('maps the router listener port to the node port, the node spelled in another case', () => {
    const mesh = paintMesh(['hue-v1'], [route('all', [['HUE-V1', 1]])], 80);
    const p = plan([version('hue-v1', 9080), front()], [mesh]);
    expect(aliases(of(p, 'hue-v1'))).toEqual(['hue.paint.internal:80→9080']);
    expect(of(p, 'hue-v1').serviceConnectConfiguration!.services).toEqual([
      { portName: 'hue', discoveryName: 'hue', clientAliases: [{ port: 80, dnsName: 'hue.paint.internal' }] },
    ]);
  });

  it('takes the virtual service before Cloud Map', () => {
    const p = plan([version('hue-v1')], [paintMesh(['hue-v1'], [route('all', [['hue-v1', 1]])])]);
    expect(said(of(p, 'hue-v1'), 'info')).toContainEqual(
      expect.stringMatching(
        /^client alias hue\.paint\.internal \(virtual service\); clients may also call hue-v1\.paint\.internal \(Cloud Map\)/,
      ),
    );
  });
});

describe('--client-alias and --alias-owner, parsed before any request', () => {
  it.each([
    ['hue.paint.internal', { name: 'hue.paint.internal' }],
    ['hue.paint.internal:3000', { name: 'hue.paint.internal', port: 3000 }],
    ['Hue.Paint.Internal.', { name: 'hue.paint.internal' }],
  ])('takes %j', (value, parsed) => expect(parseClientAlias(value)).toEqual(parsed));

  it.each([
    ['hue.paint.internal:0', /port 0 is not 1-65535/],
    ['hue.paint.internal:99999', /port 99999 is not 1-65535/],
    ['hue.paint.internal:80:90', /is not NAME or NAME:PORT/],
    ['hue.paint.internal:http', /is not NAME or NAME:PORT/],
    ['hue paint', /characters ECS rejects/],
    ['', /empty/],
  ])('refuses %j', (value, problem) => expect((parseClientAlias(value) as { problem: string }).problem).toMatch(problem));

  it('takes VIRTUAL_SERVICE=ECS_SERVICE and refuses anything else', () => {
    expect(parseAliasOwner('Hue.paint.internal=hue-v2')).toEqual({ virtualService: 'hue.paint.internal', service: 'hue-v2' });
    expect(parseAliasOwner('hue.paint.internal')).toEqual({ problem: expect.stringMatching(/is not VIRTUAL_SERVICE=ECS_SERVICE/) });
    expect(parseAliasOwner('=hue-v2')).toEqual({ problem: expect.stringMatching(/is not VIRTUAL_SERVICE=ECS_SERVICE/) });
    expect(parseAliasOwner('hue.paint.internal=bad name')).toEqual({
      problem: expect.stringMatching(/^--alias-owner: "bad name" is not a valid name/),
    });
  });
});

describe('matchConditions: App Mesh match blocks in every spelling', () => {
  it.each([
    [{ prefix: '/' }, []],
    [{ prefix: '/', headers: [{ name: 'color_header', match: { prefix: 'redorgreen' } }] }, ['header color_header starts redorgreen']],
    [
      { Prefix: '/api', Method: 'POST', Headers: [{ Name: 'x-canary', Invert: true, Match: { Exact: 'yes' } }] },
      ['prefix /api', 'method POST', 'header not x-canary = yes'],
    ],
    [[{ prefix: '/', method: '', port: 0, header: [{ name: 'x-v', match: [{ regex: '^2' }] }] }], ['header x-v ~ ^2']],
    [{ serviceName: 'paint.Hue', methodName: 'Mix' }, ['gRPC service paint.Hue', 'gRPC method Mix']],
  ])('%j → %j', (match, conditions) => expect(matchConditions(match)).toEqual(conditions));
});
