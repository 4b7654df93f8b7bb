import * as appmesh from '@aws-sdk/client-app-mesh';
import type { MeshKind } from '../core/mesh-plan.js';
import { callAws, isNotFound } from './aws-error.js';
import { addCallLogging, clientOptions, type AwsConfig } from './client-config.js';
import { allPages } from './pages.js';

export type AppMeshKind = Exclude<MeshKind, 'namespace' | 'cloudMapService'>;

/** The App Mesh calls `mesh plan/apply/export/delete` make, one generic set for every kind of object. */
export interface MeshResourceApi {
  /** Names of a kind in the mesh (routes and gateway routes: of their router or gateway). */
  list(kind: Exclude<AppMeshKind, 'mesh'>, mesh: string, parent?: string): Promise<string[]>;
  /** The object's spec, or undefined when it does not exist. */
  describe(kind: AppMeshKind, mesh: string, name: string, parent?: string): Promise<Record<string, unknown> | undefined>;
  create(kind: AppMeshKind, mesh: string, name: string, spec: Record<string, unknown>, parent?: string): Promise<void>;
  update(kind: AppMeshKind, mesh: string, name: string, spec: Record<string, unknown>, parent?: string): Promise<void>;
  delete(kind: AppMeshKind, mesh: string, name: string, parent?: string): Promise<void>;
}

const PARENT: Partial<Record<AppMeshKind, string>> = { route: 'virtualRouterName', gatewayRoute: 'virtualGatewayName' };
const PLURAL: Record<Exclude<AppMeshKind, 'mesh'>, string> = {
  virtualNode: 'virtualNodes',
  virtualRouter: 'virtualRouters',
  route: 'routes',
  virtualService: 'virtualServices',
  virtualGateway: 'virtualGateways',
  gatewayRoute: 'gatewayRoutes',
};
const pascal = (k: string) => k[0]!.toUpperCase() + k.slice(1);

type Commands = Record<string, new (input: unknown) => unknown>;
const commands = appmesh as unknown as Commands;

export function createMeshResourceApi(client: appmesh.AppMeshClient, endpoint?: string): MeshResourceApi {
  const input = (kind: AppMeshKind, mesh: string, name: string | undefined, parent?: string) => ({
    meshName: mesh,
    ...(kind !== 'mesh' && name !== undefined ? { [`${kind}Name`]: name } : {}),
    ...(PARENT[kind] && parent !== undefined ? { [PARENT[kind]!]: parent } : {}),
  });
  const send = async (verb: string, kind: AppMeshKind, args: Record<string, unknown>) => {
    const op = `${verb}${pascal(kind)}${verb === 'List' ? 's' : ''}`.replace('Meshs', 'Meshes');
    const Command = commands[`${op}Command`]!;
    return callAws(op, () => client.send(new Command(args) as never) as unknown as Promise<Record<string, unknown>>, endpoint);
  };
  return {
    list: (kind, mesh, parent) =>
      allPages(async (nextToken) => {
        const out = await send('List', kind, { ...input(kind, mesh, undefined, parent), nextToken });
        const items = (out[PLURAL[kind]] as Record<string, string>[] | undefined) ?? [];
        return { items: items.map((i) => i[`${kind}Name`]!), nextToken: out.nextToken as string | undefined };
      }),
    async describe(kind, mesh, name, parent) {
      try {
        const out = await send('Describe', kind, input(kind, mesh, kind === 'mesh' ? undefined : name, parent));
        const obj = out[kind] as { spec?: Record<string, unknown>; status?: { status?: string } } | undefined;
        return obj?.status?.status === 'DELETED' ? undefined : (obj?.spec ?? {});
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(kind, mesh, name, spec, parent) {
      await send('Create', kind, { ...input(kind, kind === 'mesh' ? name : mesh, kind === 'mesh' ? undefined : name, parent), spec });
    },
    async update(kind, mesh, name, spec, parent) {
      await send('Update', kind, { ...input(kind, kind === 'mesh' ? name : mesh, kind === 'mesh' ? undefined : name, parent), spec });
    },
    async delete(kind, mesh, name, parent) {
      await send('Delete', kind, input(kind, kind === 'mesh' ? name : mesh, kind === 'mesh' ? undefined : name, parent));
    },
  };
}

export function connectMeshResources(config: AwsConfig): MeshResourceApi {
  const client = new appmesh.AppMeshClient(clientOptions(config));
  addCallLogging(client as never, 'appmesh', config.log);
  return createMeshResourceApi(client, config.endpointUrl);
}
