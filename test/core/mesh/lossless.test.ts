import { describe, expect, it } from 'vitest';
import { fromAwsSpec } from '../../../src/core/mesh/aws-spec.js';
import { fromMeshObjects } from '../../../src/core/mesh/description.js';
import { meshObjects, type MeshObject } from '../../../src/core/mesh/plan.js';
import { fromCloudFormation } from '../../../src/core/mesh/sources/cloudformation.js';
import { fromMeshFile } from '../../../src/core/mesh/sources/mesh-file.js';
import { fromTerraformState } from '../../../src/core/mesh/sources/terraform.js';
import { descriptionToMeshFile } from '../../../src/core/mesh/sources/to-mesh-file.js';
import { API, EXPECTED, cfn, specsThroughFile, tf, type Described } from './lossless-fixtures.js';

const CFN_TYPES: Record<string, [string, string, string?]> = {
  mesh: ['AWS::AppMesh::Mesh', 'MeshName'],
  virtualNode: ['AWS::AppMesh::VirtualNode', 'VirtualNodeName'],
  virtualRouter: ['AWS::AppMesh::VirtualRouter', 'VirtualRouterName'],
  route: ['AWS::AppMesh::Route', 'RouteName', 'VirtualRouterName'],
  virtualService: ['AWS::AppMesh::VirtualService', 'VirtualServiceName'],
  virtualGateway: ['AWS::AppMesh::VirtualGateway', 'VirtualGatewayName'],
  gatewayRoute: ['AWS::AppMesh::GatewayRoute', 'GatewayRouteName', 'VirtualGatewayName'],
};
const TF_TYPES: Record<string, [string, string?]> = {
  mesh: ['aws_appmesh_mesh'],
  virtualNode: ['aws_appmesh_virtual_node'],
  virtualRouter: ['aws_appmesh_virtual_router'],
  route: ['aws_appmesh_route', 'virtual_router_name'],
  virtualService: ['aws_appmesh_virtual_service'],
  virtualGateway: ['aws_appmesh_virtual_gateway'],
  gatewayRoute: ['aws_appmesh_gateway_route', 'virtual_gateway_name'],
};
const MESH = 'till-mesh';
const logical = (o: Described) => `${o.kind}${(o.parent ?? '').replace(/\W/g, '')}${o.name.replace(/\W/g, '')}`;

/** The fixture as one CloudFormation template. */
function template(items: readonly Described[]) {
  const resources = items.map((o) => {
    const [type, nameKey, parentKey] = CFN_TYPES[o.kind]!;
    const props: Record<string, unknown> = o.kind === 'mesh' ? { MeshName: o.name } : { MeshName: MESH, [nameKey]: o.name };
    if (parentKey) props[parentKey] = o.parent;
    props.Spec = cfn(o.spec);
    return [logical(o), { Type: type, Properties: props }];
  });
  return { AWSTemplateFormatVersion: '2010-09-09', Resources: Object.fromEntries(resources) };
}

/** The fixture as `terraform show -json`: the mesh in the root module, the rest in a child module. */
function state(items: readonly Described[]) {
  const resource = (o: Described) => {
    const [type, parentKey] = TF_TYPES[o.kind]!;
    const values: Record<string, unknown> = {
      name: o.name,
      spec: tf(o.spec),
      arn: `arn:${o.name}`,
      mesh_owner: '111122223333',
      resource_owner: '111122223333',
    };
    if (o.kind !== 'mesh') values.mesh_name = MESH;
    if (parentKey) values[parentKey] = o.parent;
    return { address: `module.till.${type}.${logical(o)}`, mode: 'managed', type, name: logical(o), values };
  };
  const [mesh, ...rest] = items;
  return {
    format_version: '1.0',
    values: { root_module: { resources: [resource(mesh!)], child_modules: [{ address: 'module.till', resources: rest.map(resource) }] } },
  };
}

const read = (items: readonly Described[]): MeshObject[] =>
  items.map((o) => ({ kind: o.kind, name: o.name, ...(o.parent ? { parent: o.parent } : {}), decl: fromAwsSpec(o.kind, o.spec) }));

describe('App Mesh → mesh file → App Mesh, losing nothing', () => {
  it.each([
    ['App Mesh (Describe answers)', () => fromMeshObjects(MESH, 'App Mesh', read(API))],
    ['a CloudFormation template', () => fromCloudFormation(template(API), 'till.yaml')[0]!],
    ['terraform show -json, root and child modules', () => fromTerraformState(state(API), 'till.json')[0]!],
  ])('%s: every route kind, listener, policy, gateway and rewrite comes back as it was', (_name, describe) => {
    const desc = describe();
    expect(desc.unresolved).toEqual([]);
    const { specs, notes, file } = specsThroughFile(desc);
    expect(specs).toEqual(EXPECTED);
    // The one backend the file does not declare is kept, as a reference.
    expect(notes).toEqual([
      'virtual node "till-web": backend "fx-rates.shared.local" is not a virtual service of the mesh file; kept as a reference (externalVirtualServices)',
    ]);
    expect(file.externalVirtualServices).toEqual(['fx-rates.shared.local']);
    expect(file.virtualGateways?.map((g) => g.name)).toEqual(['till-ingress', 'till-grpc-ingress']);
    expect(file.namespace).toEqual({ name: 'till.local', services: ['ledger', 'web'] });
  });

  it('the migration reads the file back whole: all listeners, every route kind, retries and timeouts', () => {
    const { validated } = specsThroughFile(fromCloudFormation(template(API), 'till.yaml')[0]!);
    const desc = fromMeshFile(validated, 'imported.yaml');
    expect(desc.virtualNodes.find((n) => n.name === 'ledger-v1')?.listeners).toEqual([
      { port: 8080, protocol: 'http' },
      { port: 9090, protocol: 'grpc' },
    ]);
    const routes = desc.virtualRouters.flatMap((r) => r.routes.map((rt) => [r.name, rt.name, rt.kind, rt.retryPolicy, rt.timeout]));
    expect(routes).toEqual([
      ['ledger-router', 'ledger-canary', 'http', true, true],
      ['ledger-router', 'ledger-by-path', 'http', false, false],
      ['ledger-router', 'ledger-grpc', 'grpc', true, true],
      ['web-router', 'web-http2', 'http2', true, false],
      ['web-router', 'web-tcp', 'tcp', false, true],
    ]);
    expect(desc.virtualRouters[0]!.routes[0]!.targets).toEqual([
      { virtualNode: 'ledger-v1', weight: 90, port: 8080 },
      { virtualNode: 'ledger-v2', weight: 10, port: 8080 },
    ]);
    expect(desc.virtualGateways.map((g) => g.name)).toEqual(['till-ingress', 'till-grpc-ingress']);
    expect(desc.gatewayRoutes.map((g) => [g.gateway, g.name, g.virtualService])).toEqual([
      ['till-ingress', 'ledger-api', 'ledger.till.local'],
      ['till-ingress', 'ledger-exact', 'ledger.till.local'],
      ['till-grpc-ingress', 'ledger-grpc', 'ledger.till.local'],
    ]);
    expect(desc.objects?.length).toBe(meshObjects(validated).length);
  });

  it('reads a resource CloudFormation writes by hand, acronyms upper case, ports as strings', () => {
    const route = {
      Type: 'AWS::AppMesh::Route',
      Properties: {
        MeshName: MESH,
        VirtualRouterName: 'ledger-router',
        RouteName: 'ledger-grpc',
        Spec: {
          GrpcRoute: {
            Match: {
              ServiceName: 'till.Ledger',
              MethodName: 'Post',
              Metadata: [{ Name: 'tenant', Invert: true, Match: { Prefix: 'test-' } }],
              Port: '9090',
            },
            Action: {
              WeightedTargets: [
                { VirtualNode: 'ledger-v1', Weight: 50, Port: 9090 },
                { VirtualNode: 'ledger-v2', Weight: '50', Port: 9090 },
              ],
            },
            RetryPolicy: { PerRetryTimeout: { Value: 1, Unit: 's' }, MaxRetries: 2, GrpcRetryEvents: ['unavailable', 'deadline-exceeded'] },
            Timeout: { PerRequest: { Value: 3, Unit: 's' } },
          },
        },
      },
    };
    const node = {
      Type: 'AWS::AppMesh::VirtualNode',
      Properties: {
        MeshName: MESH,
        MeshOwner: '444455556666',
        VirtualNodeName: 'ledger-v2',
        Spec: {
          Listeners: [{ PortMapping: { Port: 8080, Protocol: 'http' } }, { PortMapping: { Port: 9090, Protocol: 'grpc' } }],
          ServiceDiscovery: { DNS: { Hostname: 'ledger-v2.till.local', ResponseType: 'ENDPOINTS' } },
        },
      },
    };
    const [desc] = fromCloudFormation({ Resources: { Route: route, Node: node } }, 't.yaml');
    const objects = desc!.objects!;
    expect(objects.find((o) => o.kind === 'route')?.decl).toEqual(
      read(API).find((o) => o.kind === 'route' && o.name === 'ledger-grpc')?.decl,
    );
    expect(objects.find((o) => o.kind === 'virtualNode')?.decl).toEqual(read(API).find((o) => o.name === 'ledger-v2')?.decl);
    // A shared mesh: the owner is kept, and written as the file's mesh.owner.
    expect(desc!.owner).toBe('444455556666');
    expect(descriptionToMeshFile(desc!).file.mesh.owner).toBe('444455556666');
  });

  it('reads Terraform blocks as the state writes them, unset blocks as [] and unset numbers as 0', () => {
    const values = {
      name: 'ledger-v2',
      mesh_name: MESH,
      spec: [
        {
          backend: [],
          backend_defaults: [],
          logging: [],
          listener: [
            {
              port_mapping: [{ port: 8080, protocol: 'http' }],
              health_check: [],
              timeout: [],
              tls: [],
              outlier_detection: [],
              connection_pool: [],
            },
            {
              port_mapping: [{ port: 9090, protocol: 'grpc' }],
              health_check: [],
              timeout: [],
              tls: [],
              outlier_detection: [],
              connection_pool: [],
            },
          ],
          service_discovery: [
            { aws_cloud_map: [], dns: [{ hostname: 'ledger-v2.till.local', response_type: 'ENDPOINTS', ip_preference: '' }] },
          ],
        },
      ],
    };
    const s = {
      values: {
        root_module: { resources: [{ address: 'aws_appmesh_virtual_node.v2', mode: 'managed', type: 'aws_appmesh_virtual_node', values }] },
      },
    };
    const [desc] = fromTerraformState(s, 's.json');
    expect(desc!.unresolved).toEqual([]);
    expect(desc!.objects![0]!.decl).toEqual(read(API).find((o) => o.name === 'ledger-v2')?.decl);
  });

  it('names a field of the source App Mesh has but meshctl does not know, instead of dropping it silently', () => {
    const t = template(API.filter((o) => o.name === 'ledger-v2'));
    (t.Resources as Record<string, { Properties: { Spec: Record<string, unknown> } }>).virtualNodeledgerv2!.Properties.Spec.Future = {
      On: true,
    };
    const [desc] = fromCloudFormation(t, 't.yaml');
    expect(desc!.unresolved).toEqual(['virtualNodeledgerv2.Properties.Spec.Future: not a field of App Mesh that meshctl knows, left out']);
  });
});
