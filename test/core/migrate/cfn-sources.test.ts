import { describe, expect, it } from 'vitest';
import { fromCloudFormation } from '../../../src/core/mesh/sources/cloudformation.js';
import { fromTerraformState } from '../../../src/core/mesh/sources/terraform.js';
import { planCluster } from '../../../src/core/migrate/plan.js';
import type { ClusterPlan, ServicePlan } from '../../../src/core/migrate/types.js';
import { clusterInput, revision, serviceFacts } from './fixtures.js';

// What a CloudFormation source gives the plan: an object it could not read is refused unless --allow-partial,
// and a gateway route's target port (App Mesh's target.port) picks the port its listener rule forwards to.

const node = (name: string, ports: number[], backends: string[] = []) => ({
  Type: 'AWS::AppMesh::VirtualNode',
  Properties: {
    MeshName: 'shop',
    VirtualNodeName: name,
    Spec: {
      Listeners: ports.map((Port) => ({ PortMapping: { Port, Protocol: 'http' } })),
      ServiceDiscovery: { AWSCloudMap: { NamespaceName: 'local', ServiceName: name } },
      Backends: backends.map((b) => ({ VirtualService: { VirtualServiceName: b } })),
    },
  },
});
const service = (name: string, provider: unknown) => ({
  Type: 'AWS::AppMesh::VirtualService',
  Properties: { MeshName: 'shop', VirtualServiceName: name, Spec: { Provider: { VirtualNode: { VirtualNodeName: provider } } } },
});

describe('an object a CloudFormation source could not read', () => {
  const template = {
    Parameters: { OrdersName: { Type: 'String' } },
    Resources: {
      Carts: node('carts', [8080]),
      CartsService: service('carts.local', 'carts'),
      // Its name comes from a parameter without a default that nobody gave: the node cannot be read.
      Orders: node('placeholder', [8080], ['carts.local']),
    },
  };
  (template.Resources.Orders.Properties as Record<string, unknown>).VirtualNodeName = { Ref: 'OrdersName' };
  const meshes = fromCloudFormation(template, 't.yaml');
  const services = [serviceFacts('carts', revision('carts', 1)), serviceFacts('orders', revision('orders', 1))];
  const errors = (p: ClusterPlan) => p.findings.filter((f) => f.level === 'error').map((f) => f.message);

  it('is named as left out', () => {
    expect(meshes[0]!.dropped).toEqual(['virtual node Orders']);
  });

  it('is an error naming it, and the flag, without --allow-partial', () => {
    const p = planCluster(clusterInput(services, { meshes }));
    expect(p.ok).toBe(false);
    expect(errors(p)).toEqual([
      'CloudFormation template t.yaml: virtual node Orders was left out: its name could not be resolved; ' +
        'pass the values named above, or --allow-partial to plan without it',
    ]);
    // Why is said too, with what to pass.
    expect(p.findings.map((f) => f.message).join('\n')).toMatch(
      /Orders\.Properties\.VirtualNodeName: Ref OrdersName: .*--parameter OrdersName=VALUE/,
    );
  });

  it('is a warning with --allow-partial, and the rest is planned', () => {
    const p = planCluster(clusterInput(services, { meshes, overrides: { allowPartial: true } }));
    expect(p.ok).toBe(true);
    expect(p.findings.filter((f) => f.level === 'warn').map((f) => f.message)).toContain(
      'CloudFormation template t.yaml: virtual node Orders was left out: its name could not be resolved; planned without it (--allow-partial)',
    );
  });

  it('a template that resolves whole has nothing left out', () => {
    const given = fromCloudFormation(template, 't.yaml', { parameters: { OrdersName: 'orders' } });
    expect(given[0]!.dropped).toBeUndefined();
    expect(errors(planCluster(clusterInput(services, { meshes: given })))).toEqual([]);
  });
});

describe('an object a Terraform state could not read', () => {
  it('a route without its router is left out, named by its address, and refused unless --allow-partial', () => {
    const resource = (type: string, name: string, values: Record<string, unknown>) => ({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      values,
    });
    const state = {
      values: {
        root_module: {
          resources: [
            resource('aws_appmesh_mesh', 'shop', { name: 'shop' }),
            resource('aws_appmesh_virtual_node', 'carts', {
              name: 'carts',
              mesh_name: 'shop',
              spec: [{ listener: [{ port_mapping: [{ port: 8080, protocol: 'http' }] }] }],
            }),
            resource('aws_appmesh_route', 'to_carts', { name: 'to-carts', mesh_name: 'shop', virtual_router_name: '', spec: [] }),
          ],
        },
      },
    };
    const meshes = fromTerraformState(state, 'state.json');
    expect(meshes[0]!.dropped).toEqual(['route aws_appmesh_route.to_carts']);
    const p = planCluster(clusterInput([serviceFacts('carts', revision('carts', 1))], { meshes }));
    expect(p.findings.filter((f) => f.level === 'error').map((f) => f.message)).toEqual([
      expect.stringMatching(/^Terraform state state\.json: route aws_appmesh_route\.to_carts was left out: .*--allow-partial/),
    ]);
  });
});

describe("a gateway route's target port", () => {
  const gatewayTask = revision('ingress', 1, {
    fill: {
      containerDefinitions: [
        {
          name: 'envoy',
          image: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod',
          essential: true,
          portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
          environment: [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:123456789012:mesh/shop/virtualGateway/gw' }],
        },
      ],
      proxyConfiguration: undefined,
    },
  });
  const gatewayRoute = (name: string, prefix: string, port?: number) => ({
    Type: 'AWS::AppMesh::GatewayRoute',
    Properties: {
      MeshName: 'shop',
      VirtualGatewayName: 'gw',
      GatewayRouteName: name,
      Spec: {
        HttpRoute: {
          Match: { Prefix: prefix },
          Action: { Target: { VirtualService: { VirtualServiceName: 'carts.local' }, ...(port ? { Port: port } : {}) } },
        },
      },
    },
  });
  const template = {
    Resources: {
      Carts: node('carts', [8080, 9090]),
      CartsService: service('carts.local', 'carts'),
      Gateway: {
        Type: 'AWS::AppMesh::VirtualGateway',
        Properties: {
          MeshName: 'shop',
          VirtualGatewayName: 'gw',
          Spec: { Listeners: [{ PortMapping: { Port: 8080, Protocol: 'http' } }] },
        },
      },
      Admin: gatewayRoute('to-admin', '/admin/', 9090),
      Api: gatewayRoute('to-api', '/'),
      Wrong: gatewayRoute('to-nowhere', '/old/', 7000),
    },
  };
  const carts = revision('carts', 1, { fill: {} });
  carts.taskDefinition.containerDefinitions![0]!.portMappings = [
    { containerPort: 8080, protocol: 'tcp' },
    { containerPort: 9090, protocol: 'tcp' },
  ];
  carts.taskDefinition.proxyConfiguration!.properties![1]!.value = '8080,9090';
  const p = planCluster(
    clusterInput([serviceFacts('carts', carts), serviceFacts('ingress', gatewayTask, { registries: [] })], {
      meshes: fromCloudFormation(template, 't.yaml'),
    }),
  );
  const of = (name: string): ServicePlan => p.services.find((s) => s.service === name)!;

  it('is carried into the listener rule: the port the route names, not the service first one', () => {
    expect(of('ingress').gateway!.routes.map((r) => [r.name, r.target])).toEqual([
      ['to-admin', { service: 'carts', port: 9090 }],
      ['to-api', { service: 'carts', port: 8080 }],
      ['to-nowhere', { service: 'carts', port: 7000 }],
    ]);
    expect(of('ingress').gateway!.routes[0]!.rule).toMatch(/forward to a target group of ECS service carts port 9090$/);
  });

  it('a port the service does not publish is a warning naming both', () => {
    expect(
      of('ingress')
        .findings.filter((f) => f.level === 'warn')
        .map((f) => f.message),
    ).toContainEqual(
      expect.stringMatching(/^gateway route to-nowhere: its target port 7000 is not one ECS service carts publishes \(8080, 9090\)/),
    );
  });
});
