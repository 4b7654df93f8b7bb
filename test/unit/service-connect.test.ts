import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvoy, toDescribed, workshopEnvoyImage, type DescribedTaskDefinition } from '../../src/core/render-envoy.js';
import { meshNodeOf, planServiceConnect, type VirtualNodeSpec } from '../../src/core/service-connect.js';

const original = toDescribed(JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8')), 'fixture');
/** The workshop's task definition after add-envoy, as DescribeTaskDefinition would return it. */
const withEnvoy = (d: DescribedTaskDefinition = original, node = 'crystal-lb-vanilla', mesh = 'appmesh-workshop'): DescribedTaskDefinition => {
  const { input } = renderEnvoy(d, { mesh, virtualNode: node, envoyImage: workshopEnvoyImage('us-west-2') });
  return { taskDefinition: { ...input, taskDefinitionArn: `${d.taskDefinition.taskDefinitionArn!.replace(/:\d+$/, '')}:2`, revision: 2, status: 'ACTIVE' } as never, tags: input.tags };
};
const crystalNode: VirtualNodeSpec = {
  listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
  serviceDiscovery: { dns: { hostname: 'crystal.appmeshworkshop.hosted.local' } },
};

describe('planServiceConnect', () => {
  it("translates the workshop's crystal service: namespace from the DNS name, named port, same alias", () => {
    const plan = planServiceConnect({ described: withEnvoy(), virtualNode: { mesh: 'appmesh-workshop', name: 'crystal-lb-vanilla', spec: crystalNode } });
    expect(plan.namespace).toBe('appmeshworkshop.hosted.local');
    expect(plan.serviceConnectConfiguration).toEqual({
      enabled: true,
      namespace: 'appmeshworkshop.hosted.local',
      services: [{ portName: 'crystal', discoveryName: 'crystal', clientAliases: [{ port: 3000, dnsName: 'crystal.appmeshworkshop.hosted.local' }] }],
    });
    const td = plan.taskDefinition;
    expect(td.containerDefinitions!.map((c) => c.name)).toEqual(['crystal']);
    expect(td.containerDefinitions![0]!.dependsOn).toBeUndefined();
    expect(td.containerDefinitions![0]!.portMappings).toEqual([{ containerPort: 3000, hostPort: 3000, protocol: 'tcp', name: 'crystal', appProtocol: 'http' }]);
    expect(td).not.toHaveProperty('proxyConfiguration');
    expect(plan.unsupported).toEqual([]);
  });

  it('gives back the task definition add-envoy started from, but for the named port', () => {
    const plan = planServiceConnect({ described: withEnvoy(), virtualNode: { mesh: 'm', name: 'n', spec: crystalNode } });
    const { portMappings, ...app } = plan.taskDefinition.containerDefinitions![0]!;
    const { portMappings: before, ...originalApp } = original.taskDefinition.containerDefinitions![0]!;
    expect(app).toEqual(originalApp);
    expect(portMappings!.map(({ name: _n, appProtocol: _a, ...rest }) => rest)).toEqual(before);
  });

  it('uses the Cloud Map namespace and service of the runbook products node, and names its backend', () => {
    const spec: VirtualNodeSpec = {
      listeners: [{ portMapping: { port: 5000, protocol: 'http' } }],
      serviceDiscovery: { awsCloudMap: { namespaceName: 'local', serviceName: 'products' } },
      backends: [{ virtualService: { virtualServiceName: 'payments.local' } }],
    };
    const plan = planServiceConnect({
      described: withEnvoy(original, 'products', 'local-mesh'),
      virtualNode: { mesh: 'local-mesh', name: 'products', spec },
      backends: [{ name: 'payments.local', routes: [{ name: 'payments-route', weightedTargets: 1, retryPolicy: false, timeout: false }] }],
      gatewayRoutes: [{ gateway: 'gateway', name: 'products-route', prefix: '/metaapi' }],
    });
    expect(plan.serviceConnectConfiguration.services).toEqual([{ portName: 'products', discoveryName: 'products', clientAliases: [{ port: 5000, dnsName: 'products.local' }] }]);
    expect(plan.backends).toEqual([{ virtualService: 'payments.local', reachAs: expect.stringMatching(/^payments\.local \(the backend's service must publish this as a Service Connect client alias in local\)/) }]);
    expect(plan.unsupported.map((u) => u.feature)).toEqual(['gateway route']);
    expect(plan.unsupported[0]!.suggestion).toMatch(/Application Load Balancer/);
  });

  it.each([
    [{ weightedTargets: 2, retryPolicy: false, timeout: false }, ['weighted route']],
    [{ weightedTargets: 1, retryPolicy: true, timeout: true }, ['retry policy', 'route timeout']],
  ])('points out what has no equivalent: %j', (route, features) => {
    const plan = planServiceConnect({
      described: withEnvoy(),
      virtualNode: { mesh: 'm', name: 'n', spec: { ...crystalNode, backends: [{ virtualService: { virtualServiceName: 'ruby.local' } }] } },
      backends: [{ name: 'ruby.local', routes: [{ name: 'r', ...route }] }],
    });
    expect(plan.unsupported.map((u) => u.feature)).toEqual(features);
    for (const u of plan.unsupported) expect(u.suggestion.length).toBeGreaterThan(10);
  });

  it('names each port of a node with several listeners, with its protocol', () => {
    const spec: VirtualNodeSpec = {
      listeners: [{ portMapping: { port: 3000, protocol: 'http' } }, { portMapping: { port: 9090, protocol: 'grpc' } }],
      serviceDiscovery: { awsCloudMap: { namespaceName: 'internal', serviceName: 'api' } },
    };
    const plan = planServiceConnect({ described: withEnvoy(), virtualNode: { mesh: 'm', name: 'n', spec } });
    expect(plan.serviceConnectConfiguration.services!.map((s) => [s.portName, s.discoveryName, s.clientAliases![0]!.dnsName])).toEqual([
      ['api-3000', 'api', 'api.internal'],
      ['api-9090', 'api-9090', 'api-9090.internal'],
    ]);
    expect(plan.taskDefinition.containerDefinitions![0]!.portMappings!.map((p) => [p.containerPort, p.name, p.appProtocol])).toEqual([
      [3000, 'api-3000', 'http'],
      [9090, 'api-9090', 'grpc'],
    ]);
  });

  it('takes --namespace over the one the node used', () => {
    expect(planServiceConnect({ described: withEnvoy(), virtualNode: { mesh: 'm', name: 'n', spec: crystalNode }, namespace: 'prod' }).namespace).toBe('prod');
  });

  it.each([
    [{ listeners: [{ portMapping: { port: 3000 } }] }, /no service discovery/],
    [{ serviceDiscovery: { dns: { hostname: 'a.b' } } }, /has no listener/],
    [{ listeners: [{ portMapping: { port: 1 } }], serviceDiscovery: { dns: { hostname: 'single' } } }, /names no namespace; pass --namespace/],
  ])('refuses a node it cannot translate: %j', (spec, message) => {
    expect(() => planServiceConnect({ described: withEnvoy(), virtualNode: { mesh: 'm', name: 'n', spec: spec as VirtualNodeSpec } })).toThrow(message);
  });

  it('keeps other dependsOn entries of the app container', () => {
    const d = structuredClone(original);
    d.taskDefinition.containerDefinitions![0]!.dependsOn = [{ containerName: 'init', condition: 'SUCCESS' }];
    d.taskDefinition.containerDefinitions!.push({ name: 'init', image: 'busybox', essential: false });
    const plan = planServiceConnect({ described: withEnvoy(d), virtualNode: { mesh: 'm', name: 'n', spec: crystalNode } });
    expect(plan.taskDefinition.containerDefinitions![0]!.dependsOn).toEqual([{ containerName: 'init', condition: 'SUCCESS' }]);
  });
});

describe('meshNodeOf', () => {
  it('reads the mesh and node the envoy serves', () => {
    expect(meshNodeOf(withEnvoy())).toEqual({ mesh: 'appmesh-workshop', node: 'crystal-lb-vanilla' });
    expect(meshNodeOf(original)).toBeUndefined();
  });
});
