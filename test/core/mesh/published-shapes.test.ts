import { describe, expect, it } from 'vitest';
import { fromAwsSpec } from '../../../src/core/mesh/aws-spec.js';
import { fromMeshObjects } from '../../../src/core/mesh/description.js';
import { fromMeshFile } from '../../../src/core/mesh/sources/mesh-file.js';
import { fromTerraformState } from '../../../src/core/mesh/sources/terraform.js';
import type { ClusterPlan, ServicePlan } from '../../../src/core/migrate/types.js';
import { specsThroughFile } from './lossless-fixtures.js';
import {
  asTerraformState,
  declaredObjects,
  declaredSpecs,
  describeFixture,
  fixture,
  planFixtures,
  servicesOf,
  type Fixture,
} from './published-fixtures.js';

// The published shapes of test/fixtures/estates/ (see its README): each template, with what its deployment
// knows, imported (nothing lost through the mesh file), then planned with the ECS side the same template
// declares: aliases from the virtual services clients call, servers in earlier waves than their clients.

const ENVOY = '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.3.0-prod';

const of = (p: ClusterPlan, name: string): ServicePlan => p.services.find((s) => s.service === name)!;
const aliases = (s: ServicePlan) => s.listeners.map((l) => `${l.alias.dnsName}:${l.alias.port}→${l.port}`);
const errors = (p: ClusterPlan) => [...p.findings, ...p.services.flatMap((s) => s.findings)].filter((f) => f.level === 'error');
const waveOf = (p: ClusterPlan, name: string) => p.waves.find((w) => w.services.includes(name))?.wave;

/**
 * Import → mesh file → the specs mesh apply would send: each as the template declared it; and read back whole.
 * The same objects as App Mesh's API describes them and as Terraform's state holds them come back the same.
 */
function expectLossless(f: Fixture, account = '123456789012'): void {
  const [desc, ...more] = describeFixture(f);
  expect(more).toEqual([]);
  const objects = declaredObjects(f).map((o) => ({ ...o, decl: fromAwsSpec(o.kind, o.spec) }));
  const fromApi = fromMeshObjects(desc!.mesh, 'App Mesh', objects);
  const [fromState, ...others] = fromTerraformState(asTerraformState(f, desc!.mesh, desc!.owner ?? account, account), 's.json');
  expect(others).toEqual([]);
  expect(fromState!.unresolved).toEqual([]);
  expect(specsThroughFile(fromApi).specs).toEqual(specsThroughFile(desc!).specs);
  expect(specsThroughFile(fromState!).specs).toEqual(specsThroughFile(desc!).specs);
  expect(fromState!.owner).toBe(desc!.owner);
  expect(desc!.unresolved).toEqual([]);
  const { specs, validated } = specsThroughFile(desc!);
  // A template without the Mesh (another stack has it): the file still names the mesh, with App Mesh's default.
  const declared = declaredSpecs(f);
  const mesh = `mesh /${desc!.mesh}`;
  if (!(mesh in declared)) expect(specs[mesh]).toEqual({ egressFilter: { type: 'DROP_ALL' } });
  expect(Object.fromEntries(Object.entries(specs).filter(([k]) => k in declared || k !== mesh))).toEqual(declared);
  // The migration's reader of the file keeps every listener and route of the template.
  const back = fromMeshFile(validated, 'imported.yaml');
  expect(back.virtualNodes.map((n) => [n.name, n.listeners.length])).toEqual(desc!.virtualNodes.map((n) => [n.name, n.listeners.length]));
  expect(back.virtualRouters.flatMap((r) => r.routes)).toEqual(desc!.virtualRouters.flatMap((r) => r.routes));
}

describe('ECS basics (two stacks: exports and Fn::ImportValue; a 90/10 canary on one Cloud Map service)', () => {
  const deployment = {
    parameters: { ProjectName: 'studio', AppImage: 'example/pigment:3', EnvoyImage: ENVOY },
    exports: { 'studio:MeshName': 'studio-mesh', 'studio:Cluster': 'studio-cluster', 'studio:Vpc': 'vpc-1' },
    region: 'us-west-2',
    accountId: '123456789012',
  };
  const apps = () => fixture('basics-app.yaml', deployment);

  it('imports losslessly: Fn::Join of the Cloud Map Name, Ref of a record set, Fn::If of the targets, listener timeouts', async () => {
    const f = await apps();
    expectLossless(f);
    const [desc] = describeFixture(f);
    expect(desc!.virtualServices.map((v) => v.name)).toEqual(['pigment.studio.mesh.local']);
    expect(desc!.virtualNodes.find((n) => n.name === 'studio-easel')?.discovery).toEqual({ dns: { hostname: 'easel.studio.mesh.local' } });
  });

  it('without the canary (DeployCanary=false) the v2 node is not created, so it is no loss', async () => {
    const f = await fixture('basics-app.yaml', { ...deployment, parameters: { ...deployment.parameters, DeployCanary: 'false' } });
    expectLossless(f);
    expect(describeFixture(f)[0]!.virtualNodes.map((n) => n.name)).toEqual(['studio-pigment-v1', 'studio-easel']);
  });

  it('plans: the name clients call on the router port to v1, not the Cloud Map service both share to v2; easel after both', async () => {
    const f = await apps();
    const plan = planFixtures(servicesOf(f), describeFixture(f));
    expect(errors(plan)).toEqual([]);
    expect(aliases(of(plan, 'pigment-v1'))).toEqual(['pigment.studio.mesh.local:80→8080']);
    // pigment.studio.pvtdns reached both versions (told apart by ECS_TASK_DEFINITION_FAMILY): not v2's alone.
    const v2 = of(plan, 'pigment-v2');
    expect([v2.kind, aliases(v2)]).toEqual(['client-only', []]);
    expect(v2.findings.map((x) => x.message)).toContainEqual(
      expect.stringMatching(/^pigment\.studio\.pvtdns \(Cloud Map\) names the virtual service this one is behind, or the node/),
    );
    expect(of(plan, 'easel').kind).toBe('client-only');
    expect(of(plan, 'easel').backends.map((b) => [b.name, b.servedBy])).toEqual([['pigment.studio.mesh.local', 'pigment-v1']]);
    expect(waveOf(plan, 'easel')).toBeGreaterThan(Math.max(waveOf(plan, 'pigment-v1')!, waveOf(plan, 'pigment-v2')!));
  });
  it('a front found by its load balancer (howto-alb): the hostname only the deployed stack knows is named, the node kept', async () => {
    const f = await apps();
    const resources = f.template.Resources as Record<string, { Type: string; Properties: { Spec?: Record<string, unknown> } }>;
    resources.FrontBalancer = { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {} };
    resources.EaselNode!.Properties.Spec!.ServiceDiscovery = { DNS: { Hostname: { 'Fn::GetAtt': ['FrontBalancer', 'DNSName'] } } };
    const [desc] = describeFixture(f);
    expect(desc!.unresolved).toEqual([
      expect.stringMatching(/^EaselNode\.Properties\.Spec\.ServiceDiscovery\.DNS\.Hostname: Fn::GetAtt FrontBalancer\.DNSName: .*deployed/),
    ]);
    expect(desc!.virtualNodes.find((n) => n.name === 'studio-easel')?.backends).toEqual(['pigment.studio.mesh.local']);
    const plan = planFixtures(servicesOf(f), describeFixture(f));
    expect(errors(plan)).toEqual([]);
    expect(waveOf(plan, 'easel')).toBeGreaterThan(waveOf(plan, 'pigment-v1')!);
  });
  it('a 50/50 split (howto-http2): an error that prints --alias-owner ready to paste; with it, exit 0', async () => {
    const f = await apps();
    const route = (f.template.Resources as Record<string, { Properties: { Spec: { HttpRoute: { Action: Record<string, unknown> } } } }>)
      .PigmentRoute!.Properties.Spec.HttpRoute.Action;
    route.WeightedTargets = [
      { VirtualNode: 'studio-pigment-v1', Weight: 50 },
      { VirtualNode: 'studio-pigment-v2', Weight: 50 },
    ];
    const tie = planFixtures(servicesOf(f), describeFixture(f));
    expect(errors(tie).map((e) => e.message)).toContainEqual(
      expect.stringMatching(/pass --alias-owner pigment\.studio\.mesh\.local=pigment-v\d/),
    );
    const decided = planFixtures(servicesOf(f), describeFixture(f), { aliasOwners: { 'pigment.studio.mesh.local': 'pigment-v2' } });
    expect(errors(decided)).toEqual([]);
    expect(aliases(of(decided, 'pigment-v2'))).toEqual(['pigment.studio.mesh.local:80→8080']);
    expect(of(decided, 'pigment-v1').kind).toBe('client-only');
  });
});

describe('HTTP headers (seven colours by header, method and priority; one Cloud Map service)', () => {
  const deployment = {
    parameters: { ProjectName: 'tones', EnvoyImage: ENVOY, ToneImage: 'example/tone:2', GalleryImage: 'example/gallery:2' },
    exports: { 'tones:Vpc': 'vpc-1', 'tones:PrivateSubnetA': 'subnet-1' },
  };
  const colours = ['red', 'green', 'blue', 'yellow', 'white', 'purple', 'black'];

  it('imports losslessly: every header matcher (exact, prefix, regex, range, present, inverted), method and priority', async () => {
    const f = await fixture('headers-colours.yaml', deployment);
    expectLossless(f);
    expect(describeFixture(f)[0]!.virtualRouters[0]!.routes.map((r) => r.name)).toHaveLength(colours.length);
  });

  it('plans with exit 0: the name to the colour of the route without conditions, not again through Cloud Map; gallery after all', async () => {
    const f = await fixture('headers-colours.yaml', deployment);
    const plan = planFixtures(servicesOf(f), describeFixture(f));
    expect(errors(plan)).toEqual([]);
    expect(aliases(of(plan, 'tone-black'))).toEqual(['tone.tones.local:8080→8080']);
    // Their one Cloud Map name is the virtual service's, which goes to tone-black: nothing else names them.
    for (const c of colours.filter((x) => x !== 'black')) {
      const s = of(plan, `tone-${c}`);
      expect([s.kind, aliases(s)], c).toEqual(['client-only', []]);
      expect(s.findings.map((x) => x.message).join('\n'), c).toMatch(
        new RegExp(`node ${c}-node requests by match conditions .* goes to tone-black; tone-${c} has no name of its own`),
      );
    }
    const gallery = waveOf(plan, 'gallery')!;
    for (const c of colours) expect(waveOf(plan, `tone-${c}`), c).toBeLessThan(gallery);
    expect(of(plan, 'gallery').backends.map((b) => [b.name, b.servedBy])).toEqual([['tone.tones.local', 'tone-black']]);
  });
});

describe('gRPC, HTTP/2, TCP, a gateway and mutual TLS in a mesh another account shares', () => {
  const deployment = { parameters: { SharedMeshName: 'hub', SharedMeshOwner: '111122223333', EnvoyImage: ENVOY }, region: 'us-west-2' };

  it('imports losslessly, the owner kept; the backend only the owner declares is kept as a reference', async () => {
    const f = await fixture('grpc-gateway-shared.yaml', deployment);
    expectLossless(f);
    const [desc] = describeFixture(f);
    expect(desc!.owner).toBe('111122223333');
    expect(specsThroughFile(desc!).file.externalVirtualServices).toEqual(['ledger.hub.internal']);
  });

  it('plans: each server on its router port, the gateway left with its routes, the portal after what it calls', async () => {
    const f = await fixture('grpc-gateway-shared.yaml', deployment);
    const plan = planFixtures(servicesOf(f, '444455556666'), describeFixture(f));
    expect(errors(plan)).toEqual([]);
    expect(aliases(of(plan, 'quote'))).toEqual(['quote.market.svc:50051→50051']);
    expect(aliases(of(plan, 'stream'))).toEqual(['stream.market.svc:443→8443']);
    expect(aliases(of(plan, 'feed'))).toEqual(['feed.market.svc:7000→7000']);
    expect(aliases(of(plan, 'portal'))).toEqual(['portal.market.svc:8080→8080']);
    expect([of(plan, 'edge').status, of(plan, 'edge').kind]).toEqual(['gateway', 'gateway']);
    expect(of(plan, 'edge').gateway?.routes.map((r) => r.name)).toEqual(['to-portal', 'to-quote-grpc']);
    const portal = waveOf(plan, 'portal')!;
    for (const s of ['quote', 'stream', 'feed']) expect(waveOf(plan, s), s).toBeLessThan(portal);
  });

  it('without streaming (a false condition) the stream objects and the backend from Fn::If are not created', async () => {
    const f = await fixture('grpc-gateway-shared.yaml', { ...deployment, parameters: { ...deployment.parameters, EnableStreaming: 'no' } });
    expectLossless(f);
    const [desc] = describeFixture(f);
    expect(desc!.virtualNodes.find((n) => n.name === 'portal-node')?.backends).toEqual([
      'quote.market.svc',
      'feed.market.svc',
      'ledger.hub.internal',
    ]);
  });
});

describe('a nested stack: the mesh in the child, the parent reads its Outputs', () => {
  // What --from-stack reads: the child's parameters are what the parent passed; its outputs are the parent's GetAtt.
  const child = () => fixture('nested-mesh.yaml', { parameters: { MeshName: 'prod-orchard', Namespace: 'prod.orchard.local' } });
  const parent = () =>
    fixture('nested-parent.yaml', {
      parameters: { EnvName: 'prod' },
      attributes: { MeshStack: { 'Outputs.MeshName': 'prod-orchard', 'Outputs.OrdersServiceName': 'orders.prod.orchard.local' } },
    });

  it('imports both losslessly and plans orders before checkout, which calls it', async () => {
    const [c, p] = [await child(), await parent()];
    expectLossless(c);
    expectLossless(p);
    const plan = planFixtures(servicesOf(p), [...describeFixture(c), ...describeFixture(p)]);
    expect(errors(plan)).toEqual([]);
    expect(aliases(of(plan, 'orders'))).toEqual(['orders.prod.orchard.local:9000→9000']);
    expect(waveOf(plan, 'checkout')).toBeGreaterThan(waveOf(plan, 'orders')!);
  });
});

describe('the metrics extension: a gateway task with a CloudWatch agent beside envoy, named by Ref of the gateway', () => {
  // What the deployed stack says (ListStackResources): the physical IDs of the App Mesh resources, their ARNs.
  const arn = (path: string) => `arn:aws:appmesh:us-west-2:123456789012:mesh/radio/${path}`;
  const deployment = {
    parameters: { ProjectName: 'radio', EnvoyImage: ENVOY, AgentImage: 'example/cwagent:1' },
    physicalIds: {
      Gateway: arn('virtualGateway/radio-gateway'),
      RadioNode: arn('virtualNode/radio-radio'),
      JazzNode: arn('virtualNode/radio-jazz'),
      MetalNode: arn('virtualNode/radio-metal'),
    },
  };

  it('imports losslessly and plans: the gateway is a gateway though not envoy alone; radio after what it calls', async () => {
    const f = await fixture('metrics-gateway.yaml', deployment);
    expectLossless(f);
    const plan = planFixtures(servicesOf(f), describeFixture(f));
    expect(errors(plan)).toEqual([]);
    expect([of(plan, 'gateway').status, of(plan, 'gateway').kind]).toEqual(['gateway', 'gateway']);
    expect(of(plan, 'gateway').gateway?.routes.map((r) => [r.name, r.target])).toEqual([['to-radio', { service: 'radio', port: 9080 }]]);
    expect(aliases(of(plan, 'radio'))).toEqual(['radio.radio.local:9080→9080']);
    expect(of(plan, 'radio').backends.map((b) => [b.name, b.servedBy])).toEqual([
      ['jazz.radio.local', 'jazz'],
      ['metal.radio.local', 'metal'],
    ]);
    for (const s of ['jazz', 'metal']) expect(waveOf(plan, s), s).toBeLessThan(waveOf(plan, 'radio')!);
  });
});
