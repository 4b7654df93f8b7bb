import {
  AppMeshClient,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteGatewayRouteCommand,
  DeleteMeshCommand,
  DeleteRouteCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DeleteVirtualServiceCommand,
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
  UpdateGatewayRouteCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  UpdateVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import type { MeshKind } from '../core/mesh/plan.js';
import { sender, unlessNotFound } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';
import { allPages } from './pages.js';

export type AppMeshKind = Exclude<MeshKind, 'namespace' | 'cloudMapService'>;
type ListableKind = Exclude<AppMeshKind, 'mesh'>;

/** An App Mesh object as Describe returns it: its spec and its status (ACTIVE, INACTIVE, DELETED). */
export interface MeshObjectState {
  spec: Record<string, unknown>;
  status?: string;
  arn?: string;
}

/** The App Mesh calls meshctl makes, one generic set for every kind of object (the one App Mesh client). */
export interface MeshResourceApi {
  /** Names of a kind in the mesh (routes and gateway routes: of their router or gateway). */
  list(kind: ListableKind, mesh: string, parent?: string): Promise<string[]>;
  /** The object, or undefined when it does not exist (or is DELETED). */
  describe(kind: AppMeshKind, mesh: string, name: string, parent?: string): Promise<MeshObjectState | undefined>;
  create(kind: AppMeshKind, mesh: string, name: string, spec: Record<string, unknown>, parent?: string): Promise<void>;
  update(kind: AppMeshKind, mesh: string, name: string, spec: Record<string, unknown>, parent?: string): Promise<void>;
  delete(kind: AppMeshKind, mesh: string, name: string, parent?: string): Promise<void>;
}

type CommandClass = new (input: never) => object;
type Verb = 'List' | 'Describe' | 'Create' | 'Update' | 'Delete';

/** Every App Mesh operation meshctl sends, by verb and kind: the command classes, named. */
const COMMANDS: Record<AppMeshKind, Partial<Record<Verb, [string, CommandClass]>>> = {
  mesh: {
    Describe: ['DescribeMesh', DescribeMeshCommand],
    Create: ['CreateMesh', CreateMeshCommand],
    Update: ['UpdateMesh', UpdateMeshCommand],
    Delete: ['DeleteMesh', DeleteMeshCommand],
  },
  virtualNode: {
    List: ['ListVirtualNodes', ListVirtualNodesCommand],
    Describe: ['DescribeVirtualNode', DescribeVirtualNodeCommand],
    Create: ['CreateVirtualNode', CreateVirtualNodeCommand],
    Update: ['UpdateVirtualNode', UpdateVirtualNodeCommand],
    Delete: ['DeleteVirtualNode', DeleteVirtualNodeCommand],
  },
  virtualRouter: {
    List: ['ListVirtualRouters', ListVirtualRoutersCommand],
    Describe: ['DescribeVirtualRouter', DescribeVirtualRouterCommand],
    Create: ['CreateVirtualRouter', CreateVirtualRouterCommand],
    Update: ['UpdateVirtualRouter', UpdateVirtualRouterCommand],
    Delete: ['DeleteVirtualRouter', DeleteVirtualRouterCommand],
  },
  route: {
    List: ['ListRoutes', ListRoutesCommand],
    Describe: ['DescribeRoute', DescribeRouteCommand],
    Create: ['CreateRoute', CreateRouteCommand],
    Update: ['UpdateRoute', UpdateRouteCommand],
    Delete: ['DeleteRoute', DeleteRouteCommand],
  },
  virtualService: {
    List: ['ListVirtualServices', ListVirtualServicesCommand],
    Describe: ['DescribeVirtualService', DescribeVirtualServiceCommand],
    Create: ['CreateVirtualService', CreateVirtualServiceCommand],
    Update: ['UpdateVirtualService', UpdateVirtualServiceCommand],
    Delete: ['DeleteVirtualService', DeleteVirtualServiceCommand],
  },
  virtualGateway: {
    List: ['ListVirtualGateways', ListVirtualGatewaysCommand],
    Describe: ['DescribeVirtualGateway', DescribeVirtualGatewayCommand],
    Create: ['CreateVirtualGateway', CreateVirtualGatewayCommand],
    Update: ['UpdateVirtualGateway', UpdateVirtualGatewayCommand],
    Delete: ['DeleteVirtualGateway', DeleteVirtualGatewayCommand],
  },
  gatewayRoute: {
    List: ['ListGatewayRoutes', ListGatewayRoutesCommand],
    Describe: ['DescribeGatewayRoute', DescribeGatewayRouteCommand],
    Create: ['CreateGatewayRoute', CreateGatewayRouteCommand],
    Update: ['UpdateGatewayRoute', UpdateGatewayRouteCommand],
    Delete: ['DeleteGatewayRoute', DeleteGatewayRouteCommand],
  },
};

const PARENT: Partial<Record<AppMeshKind, string>> = { route: 'virtualRouterName', gatewayRoute: 'virtualGatewayName' };
const PLURAL: Record<ListableKind, string> = {
  virtualNode: 'virtualNodes',
  virtualRouter: 'virtualRouters',
  route: 'routes',
  virtualService: 'virtualServices',
  virtualGateway: 'virtualGateways',
  gatewayRoute: 'gatewayRoutes',
};

export function createMeshResourceApi(client: AppMeshClient, endpoint?: string): MeshResourceApi {
  const sendRaw = sender(client, endpoint);
  const input = (kind: AppMeshKind, mesh: string, name: string | undefined, parent?: string) => ({
    meshName: mesh,
    ...(kind !== 'mesh' && name !== undefined ? { [`${kind}Name`]: name } : {}),
    ...(PARENT[kind] && parent !== undefined ? { [PARENT[kind]!]: parent } : {}),
  });
  const send = (verb: Verb, kind: AppMeshKind, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const [operation, Command] = COMMANDS[kind][verb]!;
    return sendRaw(operation, new Command(args as never)) as Promise<Record<string, unknown>>;
  };
  // A mesh is named by meshName alone; every other kind by meshName plus its own name (and parent).
  const named = (kind: AppMeshKind, mesh: string, name: string, parent?: string) =>
    kind === 'mesh' ? input(kind, name, undefined) : input(kind, mesh, name, parent);
  return {
    list: (kind, mesh, parent) =>
      allPages(async (nextToken) => {
        const out = await send('List', kind, { ...input(kind, mesh, undefined, parent), nextToken });
        const items = (out[PLURAL[kind]] as Record<string, string>[] | undefined) ?? [];
        return { items: items.map((i) => i[`${kind}Name`]!), nextToken: out.nextToken as string | undefined };
      }),
    async describe(kind, mesh, name, parent) {
      const out = await unlessNotFound(send('Describe', kind, named(kind, mesh, name, parent)));
      const obj = out?.[kind] as { spec?: Record<string, unknown>; status?: { status?: string }; metadata?: { arn?: string } } | undefined;
      if (!obj || obj.status?.status === 'DELETED') return undefined;
      return { spec: obj.spec ?? {}, status: obj.status?.status, arn: obj.metadata?.arn };
    },
    async create(kind, mesh, name, spec, parent) {
      await send('Create', kind, { ...named(kind, mesh, name, parent), spec });
    },
    async update(kind, mesh, name, spec, parent) {
      await send('Update', kind, { ...named(kind, mesh, name, parent), spec });
    },
    async delete(kind, mesh, name, parent) {
      await send('Delete', kind, named(kind, mesh, name, parent));
    },
  };
}

export function connectMeshResources(config: AwsConfig): MeshResourceApi {
  return createMeshResourceApi(connectClient(AppMeshClient, 'appmesh', config), config.endpointUrl);
}
