import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emptyMesh, type DescribedRoute, type MeshDescription, type MeshListener } from '../../../src/core/mesh/description.js';
import { type MeshFile } from '../../../src/core/mesh/file.js';
import { validateMeshFile } from '../../../src/core/mesh/validate.js';
import { meshObjects } from '../../../src/core/mesh/plan.js';
import { descriptionToMeshFile } from '../../../src/core/mesh/sources/to-mesh-file.js';
import { fromMeshFile as meshFileWhole } from '../../../src/core/mesh/sources/mesh-file.js';
import { fromTerraformState as terraformWhole } from '../../../src/core/mesh/sources/terraform.js';
import { fromCloudFormation as cloudFormationWhole } from '../../../src/core/mesh/sources/cloudformation.js';
import { InputError } from '../../../src/errors.js';

/** A description less the objects it was derived from (roundtrip.test.ts and lossless.test.ts look at those). */
const bare = ({ objects: _objects, ...d }: MeshDescription): MeshDescription => d;
const fromCloudFormation = (t: unknown, f: string) => cloudFormationWhole(t, f).map(bare);
const fromTerraformState = (t: unknown, f: string) => terraformWhole(t, f).map(bare);
const fromMeshFile = (f: MeshFile, name: string) => bare(meshFileWhole(f, name));
const text = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const fixture = (name: string): unknown => {
  const body = text(`../../fixtures/${name}`);
  return name.endsWith('.json') ? JSON.parse(body) : parse(body);
};
const example = (name: string): MeshFile => validateMeshFile(parse(text(`../../../examples/${name}`)), name);

type Obj = Record<string, unknown>;
const http = (port: number): MeshListener => ({ port, protocol: 'http' });
const grpc = (port: number): MeshListener => ({ port, protocol: 'grpc' });
const cloudMap = (service: string) => ({ cloudMap: { namespace: 'local', service } });
const WORKSHOP_LB = 'IntLB-appmesh-workshop-1234567890.us-west-2.elb.amazonaws.com';
const workshopDns = { dns: { hostname: WORKSHOP_LB } };
const DEPLOYED = 'known once the stack is deployed; pass --from-stack STACK to read the deployed stack';

/** The console runbook's local mesh as cfn-appmesh.json and terraform-appmesh.json both declare it. */
const localMesh = (source: string) => ({
  mesh: 'local-mesh',
  source,
  egressFilter: 'DROP_ALL',
  virtualNodes: [
    { name: 'payments', listeners: [http(5000)], backends: [], discovery: cloudMap('payments') },
    { name: 'payments-v2', listeners: [http(5000)], backends: [], discovery: cloudMap('payments-v2') },
    { name: 'products', listeners: [http(5000), grpc(9080)], backends: ['payments.local'], discovery: cloudMap('products') },
  ],
  virtualRouters: [
    {
      name: 'payments-router',
      listeners: [http(5000)],
      routes: [
        {
          name: 'payments-route',
          kind: 'http',
          prefix: '/',
          targets: [
            { virtualNode: 'payments', weight: 90 },
            { virtualNode: 'payments-v2', weight: 10 },
          ],
          retryPolicy: true,
          timeout: false,
        },
      ],
    },
    {
      name: 'products-router',
      listeners: [http(5000)],
      routes: [
        {
          name: 'products-route',
          kind: 'http',
          prefix: '/',
          targets: [{ virtualNode: 'products', weight: 1, port: 5000 }],
          retryPolicy: false,
          timeout: true,
        },
      ],
    },
  ],
  virtualServices: [
    { name: 'payments.local', provider: { virtualRouter: 'payments-router' } },
    { name: 'products.local', provider: { virtualRouter: 'products-router' } },
  ],
  virtualGateways: [{ name: 'gateway', listeners: [http(8080)] }],
  gatewayRoutes: [
    { gateway: 'gateway', name: 'payments-gateway-route', prefix: '/api', virtualService: 'payments.local', rewritePrefix: false },
    { gateway: 'gateway', name: 'products-gateway-route', prefix: '/metaapi', virtualService: 'products.local', rewritePrefix: false },
  ],
  unresolved: [],
});

const byName = <T extends { name: string }>(items: T[]): T[] => [...items].sort((a, b) => a.name.localeCompare(b.name));
/** A description with every list in name order, to compare sources that list resources in different orders. */
const sorted = (d: MeshDescription) => ({
  ...d,
  virtualNodes: byName(d.virtualNodes),
  virtualRouters: byName(d.virtualRouters),
  virtualServices: byName(d.virtualServices),
  virtualGateways: byName(d.virtualGateways),
  gatewayRoutes: byName(d.gatewayRoutes),
});

// Small templates: a mesh "m" and a node "crystal" (logical ID VirtualNodeCrystal) whose spec each test sets.
const MESH = { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: 'm' } };
const portMapping = (Port: unknown, Protocol: unknown) => ({ PortMapping: { Port, Protocol } });
const crystalNode = (spec: unknown, props: Obj = {}) => ({
  Type: 'AWS::AppMesh::VirtualNode',
  Properties: { MeshName: { Ref: 'Mesh' }, VirtualNodeName: 'crystal', Spec: spec, ...props },
});
const dnsSpec = (hostname: unknown) => ({ Listeners: [portMapping(3000, 'http')], ServiceDiscovery: { DNS: { Hostname: hostname } } });
const template = (resources: Obj, parameters: Obj = {}) => ({ Parameters: parameters, Resources: { Mesh: MESH, ...resources } });
const onlyMesh = (t: unknown): MeshDescription => {
  const all = fromCloudFormation(t, 't.yaml');
  expect(all).toHaveLength(1);
  return all[0]!;
};
const HOSTNAME = 'VirtualNodeCrystal.Properties.Spec.ServiceDiscovery.DNS.Hostname';
const PARAMETERS = {
  LbDns: { Type: 'String', Default: 'lb.example.internal' },
  Zone: { Type: 'String', Default: 'hosted.local' },
  InternalLbDns: { Type: 'String' },
};
const ALB = { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal' } };

describe('fromCloudFormation', () => {
  it('reads the workshop mesh through Ref, Fn::GetAtt (list and string forms) and Fn::Sub (both forms)', () => {
    expect(fromCloudFormation(fixture('cfn-appmesh.yaml'), 'cfn-appmesh.yaml')).toEqual([
      {
        mesh: 'appmesh-workshop',
        source: 'CloudFormation template cfn-appmesh.yaml',
        egressFilter: 'DROP_ALL',
        virtualNodes: [{ name: 'crystal-lb-vanilla', listeners: [http(3000)], backends: [], discovery: workshopDns }],
        virtualRouters: [],
        virtualServices: [{ name: 'crystal.appmeshworkshop.hosted.local', provider: { virtualNode: 'crystal-lb-vanilla' } }],
        virtualGateways: [],
        gatewayRoutes: [],
        unresolved: [],
      },
    ]);
  });

  it('reads the runbook local mesh: Cloud Map nodes, a 90/10 weighted route, retry policy, timeout, a gateway', () => {
    const all = fromCloudFormation(fixture('cfn-appmesh.json'), 'cfn-appmesh.json');
    expect(all).toEqual([localMesh('CloudFormation template cfn-appmesh.json')]);
  });

  it('keeps every listener of a node in order, a port written as "9080" included', () => {
    const products = fromCloudFormation(fixture('cfn-appmesh.json'), 'f')[0]!.virtualNodes.find((n) => n.name === 'products');
    expect(products?.listeners).toEqual([http(5000), grpc(9080)]);
  });

  const resolvable: [string, unknown, string][] = [
    ['a parameter with a Default', { Ref: 'LbDns' }, 'lb.example.internal'],
    ['Fn::Join over a parameter', { 'Fn::Join': ['.', ['crystal', { Ref: 'Zone' }]] }, 'crystal.hosted.local'],
    ['Fn::Sub [text, vars] and Fn::GetAtt "A.B"', { 'Fn::Sub': ['${Name}.local', { Name: { 'Fn::GetAtt': 'Mesh.MeshName' } }] }, 'm.local'],
    ['Fn::Sub with ${Resource.Attr} and ${Parameter}', { 'Fn::Sub': '${Mesh.MeshName}.${Zone}' }, 'm.hosted.local'],
    ['Fn::Sub with a ${!Literal}', { 'Fn::Sub': 'a-${!Literal}-${Zone}' }, 'a-${Literal}-hosted.local'],
    ['a Ref to a mesh (its name, not its ARN)', { Ref: 'Mesh' }, 'm'],
  ];
  it.each(resolvable)('resolves %s', (_name, hostname, expected) => {
    const d = onlyMesh(template({ VirtualNodeCrystal: crystalNode(dnsSpec(hostname)) }, PARAMETERS));
    expect(d.virtualNodes[0]!.discovery).toEqual({ dns: { hostname: expected } });
    expect(d.unresolved).toEqual([]);
  });

  const unresolvable: [string, unknown, string][] = [
    [
      'a parameter without a Default',
      { Ref: 'InternalLbDns' },
      'Ref InternalLbDns: a parameter without a Default, and no value was given; pass --parameter InternalLbDns=VALUE',
    ],
    [
      'Fn::ImportValue',
      { 'Fn::ImportValue': 'workshop-InternalLbDns' },
      'Fn::ImportValue workshop-InternalLbDns: no export of that name was given or read; pass --export workshop-InternalLbDns=VALUE',
    ],
    [
      'a pseudo parameter in Fn::Sub',
      { 'Fn::Sub': 'lb.${AWS::Region}.x' },
      `Fn::Sub \${AWS::Region}: the stack's region; pass --region REGION`,
    ],
    ['a Ref to a pseudo parameter', { Ref: 'AWS::StackName' }, `Ref AWS::StackName: the stack's name; pass --stack-name NAME`],
    [
      'Fn::GetAtt of a load balancer',
      { 'Fn::GetAtt': ['Alb', 'DNSName'] },
      `Fn::GetAtt Alb.DNSName: an attribute of AWS::ElasticLoadBalancingV2::LoadBalancer, ${DEPLOYED}`,
    ],
    ['a Ref to a load balancer', { Ref: 'Alb' }, `Ref Alb: the physical ID of AWS::ElasticLoadBalancingV2::LoadBalancer, ${DEPLOYED}`],
    ['a Ref to nothing', { Ref: 'Nope' }, 'Ref Nope: not a parameter or resource of this template'],
    ['Fn::If of an undeclared condition', { 'Fn::If': ['IsProd', 'a', 'b'] }, 'Fn::If IsProd: Conditions.IsProd is not in the template'],
    [
      'an unresolvable Fn::Sub variable',
      { 'Fn::Sub': ['${X}', { X: { 'Fn::ImportValue': 'e' } }] },
      'Fn::Sub ${X}: Fn::ImportValue e: no export of that name was given or read; pass --export e=VALUE',
    ],
    [
      'Fn::GetAtt of a name a mesh does not have',
      { 'Fn::GetAtt': ['Mesh', 'VirtualNodeName'] },
      'Fn::GetAtt Mesh.VirtualNodeName: Mesh.Properties.VirtualNodeName is not set',
    ],
    ['Fn::Join of a list', { 'Fn::Join': ['.', [['a']]] }, 'Fn::Join: must be a single value, found a list'],
  ];
  it.each(unresolvable)('notes %s, naming the logical ID and property path, and leaves the value out', (_name, hostname, why) => {
    const d = onlyMesh(template({ VirtualNodeCrystal: crystalNode(dnsSpec(hostname)), Alb: ALB }, PARAMETERS));
    expect(d.unresolved).toEqual([`${HOSTNAME}: ${why}`]);
    expect(d.virtualNodes).toEqual([{ name: 'crystal', listeners: [http(3000)], backends: [] }]);
  });

  it('notes a name that refers back to itself, and still reads the rest', () => {
    const selfNamed = crystalNode(dnsSpec('a.local'), { VirtualNodeName: { 'Fn::Sub': '${VirtualNodeCrystal}-v1' } });
    const d = onlyMesh(template({ VirtualNodeCrystal: selfNamed, Other: crystalNode(dnsSpec('b.local'), { VirtualNodeName: 'other' }) }));
    expect(d.virtualNodes.map((n) => n.name)).toEqual(['other']);
    expect(d.unresolved).toEqual([
      'VirtualNodeCrystal.Properties.VirtualNodeName: Fn::Sub ${VirtualNodeCrystal}: ' +
        'VirtualNodeCrystal.Properties.VirtualNodeName refers back to itself',
    ]);
  });

  it('notes two names that refer to each other', () => {
    const service = (name: unknown) => ({
      Type: 'AWS::AppMesh::VirtualService',
      Properties: { MeshName: 'm', VirtualServiceName: name, Spec: {} },
    });
    const d = onlyMesh(template({ A: service({ 'Fn::Sub': '${B}.a' }), B: service({ 'Fn::Join': ['.', [{ Ref: 'A' }, 'b']] }) }));
    expect(d.virtualServices).toEqual([]);
    expect(d.unresolved).toEqual([
      'A.Properties.VirtualServiceName: Fn::Sub ${B}: B.Properties.VirtualServiceName: Fn::Join: Ref A: ' +
        'A.Properties.VirtualServiceName refers back to itself',
      'B.Properties.VirtualServiceName: Fn::Join: Ref A: A.Properties.VirtualServiceName: Fn::Sub ${B}: ' +
        'B.Properties.VirtualServiceName refers back to itself',
    ]);
  });

  it('stops following intrinsics nested too deep, and resolves shallower ones', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 'deep.local' : { 'Fn::Join': ['', [nest(levels - 1)]] });
    const deep = crystalNode(dnsSpec(nest(500)), { VirtualNodeName: 'other' });
    const d = onlyMesh(template({ VirtualNodeCrystal: crystalNode(dnsSpec(nest(10))), Other: deep }));
    expect(d.virtualNodes.map((n) => n.discovery)).toEqual([{ dns: { hostname: 'deep.local' } }, undefined]);
    expect(d.unresolved).toHaveLength(1);
    expect(d.unresolved[0]).toMatch(/^Other\.Properties\.Spec\.ServiceDiscovery\.DNS\.Hostname: (Fn::Join: )+/);
    expect(d.unresolved[0]).toMatch(/: intrinsic functions nested more than 64 deep$/);
  });

  const PORT_RANGE = 'must be a whole number from 1 to 65535';
  const wrongTypes: [string, unknown, string[], MeshListener[]][] = [
    ['Listeners as a string', { Listeners: '3000/http' }, ['Spec.Listeners: must be a list, found "3000/http"'], []],
    [
      'a Port of "abc"',
      { Listeners: [portMapping('abc', 'http'), portMapping(8080, 'http')] },
      [`Spec.Listeners[0].PortMapping.Port: ${PORT_RANGE}, found "abc"`],
      [http(8080)],
    ],
    ['a port out of range', { Listeners: [portMapping(0, 'tcp')] }, [`Spec.Listeners[0].PortMapping.Port: ${PORT_RANGE}, found 0`], []],
    [
      'an unknown protocol',
      { Listeners: [portMapping(53, 'udp')] },
      ['Spec.Listeners[0].PortMapping.Protocol: must be one of http, http2, grpc, tcp, found "udp"'],
      [],
    ],
    [
      'a listener without PortMapping',
      { Listeners: [{ Port: 80 }] },
      ['Spec.Listeners[0].Port: not a field of App Mesh that meshctl knows, left out', 'Spec.Listeners[0].PortMapping: missing'],
      [],
    ],
    ['a listener that is a number', { Listeners: [5000] }, ['Spec.Listeners[0]: must be an object, found 5000'], []],
    ['Backends as an object', { Backends: { VirtualService: {} } }, ['Spec.Backends: must be a list, found an object'], []],
    [
      'a Hostname that is a list',
      { ServiceDiscovery: { DNS: { Hostname: ['a.local'] } } },
      ['Spec.ServiceDiscovery.DNS.Hostname: must be a string, found a list'],
      [],
    ],
    ['ServiceDiscovery as true', { ServiceDiscovery: true }, ['Spec.ServiceDiscovery: must be an object, found true'], []],
  ];
  it.each(wrongTypes)('notes %s instead of failing', (_name, spec, notes, listeners) => {
    const d = onlyMesh(template({ VirtualNodeCrystal: crystalNode(spec) }));
    expect(d.unresolved).toEqual(notes.map((n) => `VirtualNodeCrystal.Properties.${n}`));
    expect(d.virtualNodes).toEqual([{ name: 'crystal', listeners, backends: [] }]);
  });

  it('notes a Spec or Properties of the wrong type, keeping the mesh', () => {
    const broken = { Type: 'AWS::AppMesh::VirtualRouter', Properties: ['x'] };
    const d = onlyMesh(template({ VirtualNodeCrystal: crystalNode('none'), Broken: broken }));
    expect(d.virtualNodes).toEqual([{ name: 'crystal', listeners: [], backends: [] }]);
    expect(d.unresolved).toEqual([
      'VirtualNodeCrystal.Properties.Spec: must be an object, found "none"',
      'Broken.Properties: must be an object, found a list',
    ]);
  });

  it('reads a tcp route and a grpc gateway route, noting a weighted target of the wrong type', () => {
    const targets = [
      { VirtualNode: 'redis-a', Weight: 'ten' },
      { VirtualNode: 'redis-b', Weight: 0 },
    ];
    const grpcTarget = { Target: { VirtualService: { VirtualServiceName: 'orders.local' } } };
    const grpcSpec = { GrpcRoute: { Match: { ServiceName: 'orders' }, Action: grpcTarget } };
    const d = onlyMesh(
      template({
        Router: {
          Type: 'AWS::AppMesh::VirtualRouter',
          Properties: { MeshName: 'm', VirtualRouterName: 'r', Spec: { Listeners: [portMapping(6379, 'tcp')] } },
        },
        Route: {
          Type: 'AWS::AppMesh::Route',
          Properties: {
            MeshName: 'm',
            VirtualRouterName: { Ref: 'Router' },
            RouteName: 'redis',
            Spec: { TcpRoute: { Action: { WeightedTargets: targets } } },
          },
        },
        GrpcRoute: {
          Type: 'AWS::AppMesh::GatewayRoute',
          Properties: { MeshName: 'm', VirtualGatewayName: 'edge', GatewayRouteName: 'grpc', Spec: grpcSpec },
        },
      }),
    );
    expect(d.virtualRouters).toEqual([
      {
        name: 'r',
        listeners: [{ port: 6379, protocol: 'tcp' }],
        routes: [{ name: 'redis', kind: 'tcp', targets: [{ virtualNode: 'redis-b', weight: 0 }], retryPolicy: false, timeout: false }],
      },
    ]);
    expect(d.gatewayRoutes).toEqual([{ gateway: 'edge', name: 'grpc', virtualService: 'orders.local', matches: ['gRPC service orders'] }]);
    expect(d.unresolved).toEqual([
      'Route.Properties.Spec.TcpRoute.Action.WeightedTargets[0].Weight: must be a whole number from 0 to 100, found "ten"',
    ]);
  });

  it('keeps a route whose router the template does not declare, under a router with unknown listeners', () => {
    const spec = { HttpRoute: { Action: { WeightedTargets: [{ VirtualNode: 'n', Weight: 1 }] } } };
    const props = { MeshName: 'm', VirtualRouterName: 'shared-router', RouteName: 'x', Spec: spec };
    const route = { Type: 'AWS::AppMesh::Route', Properties: props };
    const d = onlyMesh(template({ Route: route }));
    expect(d.virtualRouters).toEqual([
      {
        name: 'shared-router',
        listeners: [],
        routes: [{ name: 'x', kind: 'http', targets: [{ virtualNode: 'n', weight: 1 }], retryPolicy: false, timeout: false }],
      },
    ]);
    expect(d.unresolved).toEqual(['route "x": virtual router "shared-router" is not declared here; its listeners are unknown']);
  });

  it('gives one description per mesh, and a resource whose mesh is unknown is noted in each', () => {
    const all = fromCloudFormation(
      template({
        Other: { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: 'other' } },
        NodeA: crystalNode(dnsSpec('a.local'), { VirtualNodeName: 'a' }),
        NodeB: crystalNode(dnsSpec('b.local'), { VirtualNodeName: 'b', MeshName: { Ref: 'Other' } }),
        NodeC: crystalNode(dnsSpec('c.local'), { VirtualNodeName: 'c', MeshName: { 'Fn::ImportValue': 'SharedMesh' } }),
      }),
      't.json',
    );
    const nodeC =
      'NodeC.Properties.MeshName: Fn::ImportValue SharedMesh: no export of that name was given or read; pass --export SharedMesh=VALUE';
    expect(all.map((d) => [d.mesh, d.virtualNodes.map((n) => n.name), d.unresolved])).toEqual([
      ['m', ['a'], [nodeC]],
      ['other', ['b'], [nodeC]],
    ]);
  });

  it('notes a resource that exists only under a Condition', () => {
    const d = onlyMesh(template({ Canary: { ...crystalNode(dnsSpec('c.local')), Condition: 'WithCanary' } }));
    expect(d.virtualNodes.map((n) => n.name)).toEqual(['crystal']);
    expect(d.unresolved).toEqual([
      'Canary.Condition: exists only when WithCanary holds, which is unknown (Conditions.WithCanary is not in the template); read as if it does',
    ]);
  });

  it('returns [] for a template without App Mesh resources', () => {
    expect(fromCloudFormation({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Junk: 'x' } }, 't.yaml')).toEqual([]);
  });

  const NOT_A_TEMPLATE = 't.yaml: expected a CloudFormation template (an object with Resources), found';
  it.each<[string, unknown, string]>([
    ['null', null, `${NOT_A_TEMPLATE} null`],
    ['a string', 'AWSTemplateFormatVersion', `${NOT_A_TEMPLATE} "AWSTemplateFormatVersion"`],
    ['a list', [{ Resources: {} }], `${NOT_A_TEMPLATE} a list`],
    ['no Resources', { Parameters: {} }, 't.yaml: Resources must be an object of resources by logical ID, found nothing'],
    ['Resources as a list', { Resources: [MESH] }, 't.yaml: Resources must be an object of resources by logical ID, found a list'],
  ])('throws an InputError naming the file for %s', (_name, t, message) => {
    expect(() => fromCloudFormation(t, 't.yaml')).toThrow(InputError);
    expect(() => fromCloudFormation(t, 't.yaml')).toThrow(message);
  });

  it('throws an InputError when no App Mesh resource names a mesh it can resolve', () => {
    const t = { Resources: { Mesh: { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: { 'Fn::ImportValue': 'm' } } } } };
    const why = 'Mesh.Properties.MeshName: Fn::ImportValue m: no export of that name was given or read; pass --export m=VALUE';
    const message = `t.yaml: no App Mesh resource names a mesh meshctl can resolve: ${why}`;
    expect(() => fromCloudFormation(t, 't.yaml')).toThrow(new InputError(message));
  });
});

/** A one-resource `terraform show -json` state. */
const tfState = (resource: Obj) => ({ format_version: '1.0', values: { root_module: { resources: [resource] } } });
const tfNode = (spec: Obj) => ({
  address: 'aws_appmesh_virtual_node.n',
  mode: 'managed',
  type: 'aws_appmesh_virtual_node',
  name: 'n',
  values: { name: 'n', mesh_name: 'm', spec: [spec] },
});
const tfListener = (port: unknown, protocol: string) => ({ port_mapping: [{ port, protocol }] });

describe('fromTerraformState', () => {
  it('reads the same local mesh as the template, from the root module and nested child modules, leaving data sources out', () => {
    const all = fromTerraformState(fixture('terraform-appmesh.json'), 'terraform-appmesh.json');
    expect(all).toHaveLength(1);
    expect(sorted(all[0]!)).toEqual(sorted(localMesh('Terraform state terraform-appmesh.json') as MeshDescription));
    // Depth first: module.services, then module.services.module.payments.
    expect(all[0]!.virtualNodes.map((n) => n.name)).toEqual(['products', 'payments', 'payments-v2']);
  });

  it.each<[string, Obj, string[], MeshListener[]]>([
    ['listener as a string', { listener: 'x' }, ['spec[0].listener: must be a list, found "x"'], []],
    [
      'a port of "abc"',
      { listener: [tfListener('abc', 'http')] },
      ['spec[0].listener[0].port_mapping[0].port: must be a whole number from 1 to 65535, found "abc"'],
      [],
    ],
    [
      'port_mapping as an object',
      { listener: [{ port_mapping: { port: 80, protocol: 'http' } }] },
      ['spec[0].listener[0].port_mapping: must be a list, found an object'],
      [],
    ],
    [
      'a dns block of the wrong type',
      { service_discovery: [{ dns: [7], aws_cloud_map: [] }] },
      ['spec[0].service_discovery[0].dns[0]: must be an object, found 7'],
      [],
    ],
    ['two listeners', { listener: [tfListener(80, 'http'), tfListener(81, 'tcp')] }, [], [http(80), { port: 81, protocol: 'tcp' }]],
  ])('reads %s in a node, noting what it cannot use by address and path', (_name, spec, notes, listeners) => {
    const [d] = fromTerraformState(tfState(tfNode(spec)), 'state.json');
    expect(d!.unresolved).toEqual(notes.map((n) => `aws_appmesh_virtual_node.n.values.${n}`));
    expect(d!.virtualNodes).toEqual([{ name: 'n', listeners, backends: [] }]);
  });

  it.each<[string, unknown, string]>([
    ['a list', [], 'state.json: expected the JSON of `terraform show -json` (an object), found a list'],
    ['no values (an empty state)', { format_version: '1.0' }, 'state.json: has no "values" object; expected `terraform show -json`'],
    [
      'resources that are not a list',
      { values: { root_module: { resources: {} } } },
      'state.json: values.root_module.resources must be a list, found an object',
    ],
    [
      'a child module that is not an object',
      { values: { root_module: { child_modules: ['m'] } } },
      'state.json: values.root_module.child_modules[0] must be an object, found "m"',
    ],
  ])('throws an InputError naming the file for %s', (_name, state, message) => {
    expect(() => fromTerraformState(state, 'state.json')).toThrow(InputError);
    expect(() => fromTerraformState(state, 'state.json')).toThrow(message);
  });

  it('returns [] for a state without App Mesh resources', () => {
    const bucket = { address: 'aws_s3_bucket.b', mode: 'managed', type: 'aws_s3_bucket', values: {} };
    expect(fromTerraformState(tfState(bucket), 's.json')).toEqual([]);
  });
});

describe('fromMeshFile', () => {
  it('describes the runbook mesh file: one listener each, http routes by prefix, weights as given', () => {
    const d = fromMeshFile(example('local-mesh.yaml'), 'local-mesh.yaml');
    expect(d.source).toBe('mesh file local-mesh.yaml');
    expect(d.mesh).toBe('local-mesh');
    expect(d.virtualNodes[1]).toEqual({
      name: 'products',
      listeners: [http(5000)],
      backends: ['payments.local'],
      discovery: cloudMap('products'),
    });
    expect(d.virtualRouters[0]!.routes).toEqual([
      {
        name: 'payments-route',
        kind: 'http',
        prefix: '/',
        targets: [{ virtualNode: 'payments', weight: 1 }],
        retryPolicy: false,
        timeout: false,
      },
    ]);
    expect(d.virtualServices[0]).toEqual({ name: 'payments.local', provider: { virtualRouter: 'payments-router' } });
    expect(d.virtualGateways).toEqual([{ name: 'gateway', listeners: [http(8080)] }]);
    expect(d.gatewayRoutes[1]).toEqual({
      gateway: 'gateway',
      name: 'products-gateway-route',
      prefix: '/metaapi',
      virtualService: 'products.local',
      rewritePrefix: false,
    });
    expect(d.unresolved).toEqual([]);
  });
});

/** A route as the sources build it, prefix included (MeshDescription's type has no field for it). */
const route = (name: string, kind: DescribedRoute['kind'], targets: DescribedRoute['targets'], prefix?: string): DescribedRoute => {
  const r = { name, kind, targets, retryPolicy: false, timeout: false, ...(prefix === undefined ? {} : { prefix }) };
  return r;
};

describe('descriptionToMeshFile', () => {
  it.each(['local-mesh.yaml', 'appmesh-workshop.yaml'])(
    'gives back the example %s whole, less the namespace VPC no description holds',
    (name) => {
      const original = example(name);
      const { file, notes } = descriptionToMeshFile(meshFileWhole(original, name));
      const { vpc: _vpc, ...namespace } = original.namespace ?? { vpc: undefined };
      const expected = {
        ...original,
        ...(original.namespace ? { namespace } : {}),
      };
      expect(file).toEqual(expected);
      expect(notes).toEqual([]);
      expect(meshObjects(validateMeshFile(file, 'import.yaml'))).toEqual(meshObjects(file));
    },
  );

  it('writes the workshop template as a mesh file that validates', () => {
    const { file, notes } = descriptionToMeshFile(cloudFormationWhole(fixture('cfn-appmesh.yaml'), 'cfn-appmesh.yaml')[0]!);
    expect(meshObjects(validateMeshFile(file, 'import.yaml'))).toEqual(meshObjects(file));
    expect(file).toEqual({
      mesh: { name: 'appmesh-workshop', egressFilter: 'DROP_ALL' },
      virtualNodes: [
        {
          name: 'crystal-lb-vanilla',
          listener: http(3000),
          healthCheck: {
            protocol: 'http',
            path: '/health',
            healthyThreshold: 2,
            unhealthyThreshold: 2,
            timeoutMillis: 2000,
            intervalMillis: 5000,
          },
          serviceDiscovery: workshopDns,
          backends: [],
        },
      ],
      virtualRouters: [],
      virtualServices: [{ name: 'crystal.appmeshworkshop.hosted.local', provider: { virtualNode: 'crystal-lb-vanilla' } }],
    });
    expect(notes).toEqual([]);
  });

  it('writes the local-mesh template whole: both listeners, the retry policy, the timeout, the target port', () => {
    const { file, notes } = descriptionToMeshFile(cloudFormationWhole(fixture('cfn-appmesh.json'), 'cfn-appmesh.json')[0]!);
    expect(meshObjects(validateMeshFile(file, 'import.yaml'))).toEqual(meshObjects(file));
    expect(file.namespace).toEqual({ name: 'local', services: ['payments', 'payments-v2', 'products'] });
    expect(file.virtualNodes.find((n) => n.name === 'products')).toEqual({
      name: 'products',
      listeners: [http(5000), grpc(9080)],
      serviceDiscovery: cloudMap('products'),
      backends: ['payments.local'],
    });
    expect(file.virtualRouters[0]!.routes).toEqual([
      {
        name: 'payments-route',
        prefix: '/',
        targets: [
          { virtualNode: 'payments', weight: 90 },
          { virtualNode: 'payments-v2', weight: 10 },
        ],
        retryPolicy: { perRetryTimeout: { value: 2000, unit: 'ms' }, maxRetries: 2, httpRetryEvents: ['server-error'] },
      },
    ]);
    expect(file.virtualRouters[1]!.routes[0]).toMatchObject({
      targets: [{ virtualNode: 'products', weight: 1, port: 5000 }],
      timeout: { perRequest: { value: 15, unit: 's' } },
    });
    expect(file.virtualGateway?.routes.map((r) => [r.name, r.prefix, r.virtualService, r.rewritePrefix])).toEqual([
      ['payments-gateway-route', '/api', 'payments.local', false],
      ['products-gateway-route', '/metaapi', 'products.local', false],
    ]);
    expect(notes).toEqual([]);
  });

  it('leaves out what the file cannot express, with what depends on it, and the result still validates', () => {
    const dns = (hostname: string) => ({ dns: { hostname } });
    const desc: MeshDescription = {
      ...emptyMesh('orders-mesh', 'test'),
      virtualNodes: [
        { name: 'orders', listeners: [http(8080)], backends: ['stock.local', 'audit.local'], discovery: dns('orders.internal') },
        { name: 'stock', listeners: [], backends: [], discovery: dns('stock.internal') },
        { name: 'audit', listeners: [http(8080)], backends: [] },
        { name: 'orders', listeners: [http(9090)], backends: [], discovery: dns('orders2.internal') },
      ],
      virtualRouters: [
        {
          name: 'orders-router',
          listeners: [http(8080)],
          routes: [
            route(
              'main',
              'http',
              [
                { virtualNode: 'orders', weight: 80 },
                { virtualNode: 'stock', weight: 20 },
              ],
              '/',
            ),
            route('by-header', 'http', [{ virtualNode: 'orders', weight: 1 }]),
            route('raw', 'tcp', [{ virtualNode: 'orders', weight: 1 }]),
            route('only-stock', 'http', [{ virtualNode: 'stock', weight: 1 }], '/stock'),
          ],
        },
      ],
      virtualServices: [
        { name: 'orders.local', provider: { virtualRouter: 'orders-router' } },
        { name: 'stock.local', provider: { virtualNode: 'stock' } },
        { name: 'audit.local' },
      ],
      virtualGateways: [
        { name: 'edge', listeners: [http(80), { port: 443, protocol: 'http2' }] },
        { name: 'edge-2', listeners: [http(81)] },
      ],
      gatewayRoutes: [
        { gateway: 'edge', name: 'orders', prefix: '/orders', virtualService: 'orders.local' },
        { gateway: 'edge', name: 'grpc', virtualService: 'orders.local' },
        { gateway: 'edge', name: 'stock', prefix: '/stock', virtualService: 'stock.local' },
        { gateway: 'edge-2', name: 'orders', prefix: '/', virtualService: 'orders.local' },
        { gateway: 'gone', name: 'x', prefix: '/', virtualService: 'orders.local' },
      ],
    };
    const { file, notes, lost } = descriptionToMeshFile(desc);
    expect(meshObjects(validateMeshFile(file, 'import.yaml'))).toEqual(meshObjects(file));
    const ordersOnly = { virtualNode: 'orders', weight: 80 };
    expect(file).toEqual({
      mesh: { name: 'orders-mesh', egressFilter: 'DROP_ALL' },
      virtualNodes: [
        { name: 'orders', listener: http(8080), serviceDiscovery: dns('orders.internal'), backends: ['stock.local', 'audit.local'] },
      ],
      virtualRouters: [{ name: 'orders-router', listener: http(8080), routes: [{ name: 'main', prefix: '/', targets: [ordersOnly] }] }],
      virtualServices: [{ name: 'orders.local', provider: { virtualRouter: 'orders-router' } }],
      // Backends to virtual services the file does not declare are kept, as references.
      externalVirtualServices: ['stock.local', 'audit.local'],
      // Every gateway; App Mesh rewrites a matched prefix unless a route says not to, and this description does not say.
      virtualGateways: [
        {
          name: 'edge',
          listeners: [http(80), { port: 443, protocol: 'http2' }],
          routes: [{ name: 'orders', prefix: '/orders', virtualService: 'orders.local', rewritePrefix: true }],
        },
        {
          name: 'edge-2',
          listener: http(81),
          routes: [{ name: 'orders', prefix: '/', virtualService: 'orders.local', rewritePrefix: true }],
        },
      ],
    });
    const router = 'of virtual router "orders-router"';
    const reference = 'is not a virtual service of the mesh file; kept as a reference (externalVirtualServices)';
    expect(notes).toEqual([
      'virtual node "orders": declared twice; the second is left out',
      'virtual node "stock": no listener; the mesh file needs one, so it is left out',
      'virtual node "audit": no service discovery, so it is left out',
      `route "main" ${router}: target "stock" is not a virtual node of the mesh file, left out`,
      `route "by-header" ${router}: matches neither a path prefix nor a path, so it is left out`,
      `route "raw" ${router}: a tcp route under http listeners, so it is left out`,
      `route "only-stock" ${router}: target "stock" is not a virtual node of the mesh file, left out`,
      `route "only-stock" ${router}: no target left, so it is left out`,
      'virtual service "stock.local": its provider virtual node "stock" is not in the mesh file, so it is left out',
      'virtual service "audit.local": no provider, so it is left out',
      `virtual node "orders": backend "stock.local" ${reference}`,
      `virtual node "orders": backend "audit.local" ${reference}`,
      'gateway route "grpc" of virtual gateway "edge": matches neither a path prefix nor a path, so it is left out',
      'gateway route "stock" of virtual gateway "edge": target "stock.local" is not a virtual service of the mesh file, so it is left out',
      'gateway route "x" of virtual gateway "gone": its virtual gateway is not in the mesh file, so it is left out',
    ]);
    // What mesh import refuses without --allow-partial: every note but the references kept.
    expect(lost).toEqual(notes.filter((n) => !n.endsWith(reference)));
  });

  it('keeps an ALLOW_ALL egress filter read from a template', () => {
    const d = onlyMesh({ Resources: { Mesh: { ...MESH, Properties: { MeshName: 'm', Spec: { EgressFilter: { Type: 'ALLOW_ALL' } } } } } });
    expect(descriptionToMeshFile(d).file.mesh).toEqual({ name: 'm', egressFilter: 'ALLOW_ALL' });
  });

  it('throws an InputError for a mesh name the file cannot hold', () => {
    expect(() => descriptionToMeshFile(emptyMesh('my mesh', 'CloudFormation template t.yaml'))).toThrow(
      new InputError('CloudFormation template t.yaml: mesh "my mesh" is not a name the mesh file can hold (letters, digits, . _ -)'),
    );
  });
});
