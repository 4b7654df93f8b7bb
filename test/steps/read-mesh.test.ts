import {
  AppMeshClient,
  DescribeGatewayRouteCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualRouterCommand,
  DescribeVirtualServiceCommand,
  ListGatewayRoutesCommand,
  ListRoutesCommand,
  ListVirtualGatewaysCommand,
  ListVirtualNodesCommand,
  ListVirtualRoutersCommand,
  ListVirtualServicesCommand,
} from '@aws-sdk/client-app-mesh';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '../../src/runtime/context.js';
import { descriptionToMeshFile } from '../../src/core/mesh/sources/to-mesh-file.js';
import { readAppMesh } from '../../src/steps/read-mesh.js';
import { API, EXPECTED, specsThroughFile } from '../core/mesh/lossless-fixtures.js';
import { mockedAwsClients } from '../support/fake-deps.js';

// moto's App Mesh has no virtual services, virtual gateways or gateway routes: migrate's App Mesh reader
// (the same objects mesh plan, apply and export read) is tested on those with aws-sdk-client-mock.
const mesh = mockClient(AppMeshClient);
const ctx = { aws: mockedAwsClients() } as unknown as Context;
const MESH = 'till-mesh';
const of = (kind: string) => API.filter((o) => o.kind === kind);
const described = (o: (typeof API)[number]) => ({ [o.kind]: { spec: o.spec, status: { status: 'ACTIVE' }, meshName: MESH } });

function answerWithTheFixture() {
  mesh.on(DescribeMeshCommand).resolves(described(API[0]!));
  mesh.on(ListVirtualNodesCommand).resolves({ virtualNodes: of('virtualNode').map((o) => ({ virtualNodeName: o.name })) as never });
  mesh.on(ListVirtualRoutersCommand).resolves({ virtualRouters: of('virtualRouter').map((o) => ({ virtualRouterName: o.name })) as never });
  mesh
    .on(ListVirtualServicesCommand)
    .resolves({ virtualServices: of('virtualService').map((o) => ({ virtualServiceName: o.name })) as never });
  mesh
    .on(ListVirtualGatewaysCommand)
    .resolves({ virtualGateways: of('virtualGateway').map((o) => ({ virtualGatewayName: o.name })) as never });
  for (const r of of('virtualRouter')) {
    const routes = of('route').filter((o) => o.parent === r.name);
    mesh.on(ListRoutesCommand, { virtualRouterName: r.name }).resolves({ routes: routes.map((o) => ({ routeName: o.name })) as never });
  }
  for (const g of of('virtualGateway')) {
    const routes = of('gatewayRoute').filter((o) => o.parent === g.name);
    mesh
      .on(ListGatewayRoutesCommand, { virtualGatewayName: g.name })
      .resolves({ gatewayRoutes: routes.map((o) => ({ gatewayRouteName: o.name })) as never });
  }
  for (const o of of('virtualNode')) mesh.on(DescribeVirtualNodeCommand, { virtualNodeName: o.name }).resolves(described(o) as never);
  for (const o of of('virtualRouter')) mesh.on(DescribeVirtualRouterCommand, { virtualRouterName: o.name }).resolves(described(o) as never);
  for (const o of of('virtualService'))
    mesh.on(DescribeVirtualServiceCommand, { virtualServiceName: o.name }).resolves(described(o) as never);
  for (const o of of('virtualGateway'))
    mesh.on(DescribeVirtualGatewayCommand, { virtualGatewayName: o.name }).resolves(described(o) as never);
  for (const o of of('route')) {
    mesh.on(DescribeRouteCommand, { routeName: o.name, virtualRouterName: o.parent }).resolves(described(o) as never);
  }
  for (const o of of('gatewayRoute')) {
    mesh.on(DescribeGatewayRouteCommand, { gatewayRouteName: o.name, virtualGatewayName: o.parent }).resolves(described(o) as never);
  }
}

beforeEach(() => mesh.reset());

describe("migrate's App Mesh reader: the objects mesh plan reads, described", () => {
  it('reads every kind whole, and its description goes through the mesh file losing nothing', async () => {
    answerWithTheFixture();
    const reading = await readAppMesh(ctx, [MESH]);
    expect(reading.unreachable).toBeUndefined();
    expect(reading.notes).toEqual([]);
    const [desc] = reading.meshes;
    expect(desc!.source).toBe('App Mesh');
    expect(desc!.virtualServices.map((s) => s.name)).toEqual(['ledger.till.local', 'web.till.local']);
    expect(desc!.gatewayRoutes.map((g) => `${g.gateway}/${g.name}`)).toEqual([
      'till-ingress/ledger-api',
      'till-ingress/ledger-exact',
      'till-grpc-ingress/ledger-grpc',
    ]);
    expect(desc!.virtualRouters.flatMap((r) => r.routes.map((rt) => rt.kind))).toEqual(['http', 'http', 'grpc', 'http2', 'tcp']);
    expect(specsThroughFile(desc!).specs).toEqual(EXPECTED);
  });

  it('reads a kind the endpoint does not offer as none, with a note, by the rule mesh plan uses', async () => {
    answerWithTheFixture();
    const html404 = Object.assign(new Error('<html>404</html>'), { name: 'NotImplemented', $metadata: { httpStatusCode: 404 } });
    mesh.on(ListVirtualServicesCommand).rejects(html404);
    const reading = await readAppMesh(ctx, [MESH]);
    expect(reading.meshes[0]!.virtualServices).toEqual([]);
    expect(reading.notes).toEqual([expect.stringMatching(/^mesh till-mesh: could not list virtualServices \(ListVirtualServices/)]);
    // What depends on the missing kind is left out of an import, with notes, never silently.
    expect(descriptionToMeshFile(reading.meshes[0]!).notes.length).toBeGreaterThan(0);
  });

  it('says App Mesh could not be read when it refuses, and reads nothing more', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    mesh.on(DescribeMeshCommand).rejects(denied);
    const reading = await readAppMesh(ctx, [MESH, 'other']);
    expect(reading.meshes).toEqual([]);
    expect(reading.unreachable).toMatch(/^App Mesh could not be read \(DescribeMesh: AccessDeniedException, HTTP 403\)$/);
    expect(mesh.commandCalls(DescribeMeshCommand)).toHaveLength(1);
  });
});
