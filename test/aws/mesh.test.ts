import {
  AppMeshClient,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DescribeMeshCommand,
} from '@aws-sdk/client-app-mesh';
import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { mockClient } from 'aws-sdk-client-mock';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/fake-deps.js';

// moto has no virtual services, virtual gateways or gateway routes: applying the runbook's whole mesh
// (examples/local-mesh.yaml) is tested here against mocked AWS.
const mesh = mockClient(AppMeshClient);
const sd = mockClient(ServiceDiscoveryClient);
const FILE = fileURLToPath(new URL('../../examples/local-mesh.yaml', import.meta.url));
const notFound = () => Object.assign(new Error('not found'), { name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });

beforeEach(() => {
  mesh.reset();
  sd.reset();
  mesh.on(DescribeMeshCommand).rejects(notFound());
  sd.on(ListNamespacesCommand).resolves({ Namespaces: [] });
  sd.on(CreatePrivateDnsNamespaceCommand).resolves({ OperationId: 'op-1' });
  sd.on(GetOperationCommand).resolves({ Operation: { Status: 'SUCCESS', Targets: { NAMESPACE: 'ns-1' } } });
  sd.on(ListServicesCommand).resolves({ Services: [] });
});

describe('mesh apply of the runbook mesh, with mocked AWS', () => {
  it('creates every object in dependency order, gateway routes without prefix rewrite', async () => {
    const r = await runInProcess(['mesh', 'apply', '-f', FILE, '--region', 'us-west-2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(sd).toHaveReceivedCommandWith(CreatePrivateDnsNamespaceCommand, { Name: 'local', Vpc: 'vpc-0123456789abcdef0' });
    expect(sd).toHaveReceivedCommandWith(CreateServiceCommand, { Name: 'payments', NamespaceId: 'ns-1' });
    expect(mesh).toHaveReceivedCommandWith(CreateVirtualNodeCommand, {
      meshName: 'local-mesh',
      virtualNodeName: 'products',
      spec: expect.objectContaining({ backends: [{ virtualService: { virtualServiceName: 'payments.local' } }] }),
    });
    expect(mesh).toHaveReceivedCommandWith(CreateVirtualServiceCommand, {
      meshName: 'local-mesh',
      virtualServiceName: 'payments.local',
      spec: { provider: { virtualRouter: { virtualRouterName: 'payments-router' } } },
    });
    expect(mesh).toHaveReceivedCommandWith(CreateVirtualGatewayCommand, {
      virtualGatewayName: 'gateway',
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    });
    expect(mesh).toHaveReceivedCommandWith(CreateGatewayRouteCommand, {
      virtualGatewayName: 'gateway',
      gatewayRouteName: 'products-gateway-route',
      spec: {
        httpRoute: {
          match: { prefix: '/metaapi' },
          action: {
            target: { virtualService: { virtualServiceName: 'products.local' } },
            rewrite: { prefix: { defaultPrefix: 'DISABLED' } },
          },
        },
      },
    });
    const order = mesh
      .calls()
      .map((c) => (c.args[0] as object).constructor.name)
      .filter((n) => n.startsWith('Create'));
    expect(order).toEqual([
      CreateMeshCommand.name,
      CreateVirtualNodeCommand.name,
      CreateVirtualNodeCommand.name,
      CreateVirtualRouterCommand.name,
      CreateVirtualRouterCommand.name,
      CreateRouteCommand.name,
      CreateRouteCommand.name,
      CreateVirtualServiceCommand.name,
      CreateVirtualServiceCommand.name,
      CreateVirtualGatewayCommand.name,
      CreateGatewayRouteCommand.name,
      CreateGatewayRouteCommand.name,
    ]);
  });

  it('stops at a failure part way, saying what was done and what was not', async () => {
    mesh
      .on(CreateVirtualGatewayCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'ForbiddenException', $metadata: { httpStatusCode: 403 } }));
    const r = await runInProcess(['mesh', 'apply', '-f', FILE, '--region', 'us-west-2', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/CreateVirtualGateway failed: ForbiddenException \(HTTP 403\)/);
    expect(r.stderr).toMatch(/12 done, 3 not done; running the same command again completes the rest/);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.actions.filter((a: { status: string }) => a.status === 'failed').map((a: { name: string }) => a.name)).toEqual(['gateway']);
    expect(mesh).not.toHaveReceivedCommand(CreateGatewayRouteCommand);
  });
});
