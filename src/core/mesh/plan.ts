import { InputError } from '../../errors.js';
import { diffJson, type Change } from '../json-diff.js';
import {
  type GatewayRouteDecl,
  type MeshFile,
  type RouteDecl,
  type VirtualGatewayDecl,
  type VirtualNodeDecl,
  type VirtualRouterDecl,
  type VirtualServiceDecl,
} from './file.js';

/** Kinds in dependency order: apply creates in this order, prune and delete go backwards. */
export const MESH_KINDS = [
  'namespace',
  'cloudMapService',
  'mesh',
  'virtualNode',
  'virtualRouter',
  'route',
  'virtualService',
  'virtualGateway',
  'gatewayRoute',
] as const;
export type MeshKind = (typeof MESH_KINDS)[number];

/** One object of the mesh side, in the file's terms (`decl`), with its parent (router or gateway) for routes. */
export interface MeshObject {
  kind: MeshKind;
  name: string;
  parent?: string;
  decl: unknown;
}

export interface MeshAction extends MeshObject {
  action: 'create' | 'update' | 'unchanged' | 'delete';
  /** In the file's terms; a removal at a path under `spec.` is an App Mesh field the file cannot express. */
  changes: Change[];
}

const key = (o: { kind: string; name: string; parent?: string }) => `${o.kind}/${o.parent ?? ''}/${o.name}`;

/** The file's form of an object: a validated file's `listener` is dropped where `listeners` says it all. */
function fileForm<T extends { listener?: unknown; listeners?: unknown }>(o: T): Omit<T, 'listener'> | T {
  if (o.listeners === undefined) return o;
  const { listener: _first, ...rest } = o;
  return rest;
}

/** Backends compare as a set: App Mesh keeps no order for them. */
function comparable(kind: MeshKind, decl: unknown): unknown {
  const d = decl as { backends?: unknown };
  return kind === 'virtualNode' && Array.isArray(d.backends) ? { ...d, backends: [...(d.backends as string[])].sort() } : decl;
}

/** A mesh file (or what exists, read back into the file's terms) as a flat list of objects. */
export function meshObjects(f: Partial<MeshFile>): MeshObject[] {
  const out: MeshObject[] = [];
  if (f.namespace) {
    // A namespace cannot be changed in place: only whether it exists is compared.
    out.push({ kind: 'namespace', name: f.namespace.name, decl: {} });
    for (const s of f.namespace.services) out.push({ kind: 'cloudMapService', name: s, parent: f.namespace.name, decl: {} });
  }
  if (f.mesh) {
    // The owner says which account's mesh this is, not how it is: nothing App Mesh compares.
    const { name, owner: _owner, ...mesh } = f.mesh;
    out.push({ kind: 'mesh', name, decl: mesh });
  }
  for (const { name, ...n } of f.virtualNodes ?? []) out.push({ kind: 'virtualNode', name, decl: fileForm(n) });
  for (const { name, routes, ...r } of f.virtualRouters ?? []) {
    out.push({ kind: 'virtualRouter', name, decl: fileForm(r) });
    for (const { name: routeName, ...route } of routes) out.push({ kind: 'route', name: routeName, parent: name, decl: route });
  }
  for (const { name, ...s } of f.virtualServices ?? []) out.push({ kind: 'virtualService', name, decl: s });
  for (const { name, routes, ...g } of [...(f.virtualGateway ? [f.virtualGateway] : []), ...(f.virtualGateways ?? [])]) {
    out.push({ kind: 'virtualGateway', name, decl: fileForm(g) });
    for (const { name: routeName, ...route } of routes) out.push({ kind: 'gatewayRoute', name: routeName, parent: name, decl: route });
  }
  return out;
}

const order = (o: MeshObject) => MESH_KINDS.indexOf(o.kind);

/** Where fromAwsSpec records, in a decl read from App Mesh, the spec fields the file cannot express (path → value). */
export const UNEXPRESSIBLE = 'unexpressible';
/** Changes at paths under `spec.` name App Mesh fields the file cannot express; no file field is called `spec`. */
const AWS_PATH = 'spec.';

const unexpressibleOf = (decl: unknown): Record<string, unknown> =>
  ((decl as Record<string, unknown> | undefined)?.[UNEXPRESSIBLE] as Record<string, unknown> | undefined) ?? {};
const withoutUnexpressible = (decl: unknown): Record<string, unknown> => {
  const { [UNEXPRESSIBLE]: _lost, ...rest } = (decl ?? {}) as Record<string, unknown>;
  return rest;
};
const describeObject = (o: { kind: string; name: string; parent?: string }) => `${o.kind} ${o.parent ? `${o.parent}/` : ''}${o.name}`;

/** From what exists to what is wanted: the file's fields, then a removal for each field the file cannot express. */
function changesBetween(kind: MeshKind, have: unknown, want: unknown): Change[] {
  const lost = Object.entries(unexpressibleOf(have)).map(([path, value]): Change => ({ op: 'remove', path, value }));
  return [...diffJson(comparable(kind, withoutUnexpressible(have)), comparable(kind, want)), ...lost];
}

/**
 * What the file declares and what exists (both in the file's terms) in; the actions that make them
 * equal out: creates and updates in dependency order, then, with `prune`, deletes of what the file
 * does not declare, in reverse order. Nothing outside the file is touched without `prune`. An object
 * holding fields the file cannot express is an update that removes them (paths `spec.…`), never unchanged.
 */
export function planMesh(desired: Partial<MeshFile>, actual: readonly MeshObject[], options: { prune?: boolean } = {}): MeshAction[] {
  const have = new Map(actual.map((o) => [key(o), o]));
  const want = meshObjects(desired);
  const actions: MeshAction[] = want
    .sort((a, b) => order(a) - order(b))
    .map((o) => {
      const existing = have.get(key(o));
      if (!existing) return { ...o, action: 'create', changes: diffJson({}, o.decl) };
      const changes = changesBetween(o.kind, existing.decl, o.decl);
      return { ...o, action: changes.length ? 'update' : 'unchanged', changes };
    });
  if (options.prune) {
    const wanted = new Set(want.map(key));
    const extra = [...have.values()].filter((o) => !wanted.has(key(o)) && o.kind !== 'mesh' && o.kind !== 'namespace');
    actions.push(
      ...extra
        .sort((a, b) => order(b) - order(a))
        .map((o): MeshAction => ({
          ...o,
          decl: withoutUnexpressible(o.decl),
          action: 'delete',
          changes: changesBetween(o.kind, o.decl, {}),
        })),
    );
  }
  return actions;
}

/** Every object of the file, for `mesh delete`: reverse dependency order. */
export function deletionOrder(f: Partial<MeshFile>, exists: (o: MeshObject) => boolean): MeshAction[] {
  return meshObjects(f)
    .filter(exists)
    .sort((a, b) => order(b) - order(a))
    .map((o) => ({ ...o, action: 'delete', changes: [] }));
}

/** The plan in; one message per field an update would remove because the mesh file cannot express it (none: apply loses nothing). */
export function unexpressibleLosses(actions: readonly MeshAction[]): string[] {
  return actions
    .filter((a) => a.action === 'update')
    .flatMap((a) =>
      a.changes
        .filter((c) => c.op === 'remove' && c.path.startsWith(AWS_PATH))
        .map((c) => `${describeObject(a)}: ${c.path} is not expressible in the mesh file; apply would remove it`),
    );
}

/** Throws, before apply writes anything, when an update would remove what the file cannot express; names each object and field. */
export function refuseUnexpressibleLosses(actions: readonly MeshAction[]): void {
  const lost = unexpressibleLosses(actions);
  if (lost.length === 0) return;
  throw new InputError(
    [
      ...lost,
      'apply changed nothing. To keep these objects as they are, leave them out of the file (and do not --prune); to let apply manage them, remove those fields in App Mesh first',
    ].join('\n'),
  );
}

/** What exists in; a note for each App Mesh field the file cannot express (plan shows it as a removal; export leaves it out). */
export function unexpressibleNotes(objects: readonly MeshObject[]): string[] {
  return objects.flatMap((o) =>
    Object.keys(unexpressibleOf(o.decl)).map(
      (path) => `${describeObject(o)}: ${path} is not expressible in the mesh file; export leaves it out, and apply refuses to update it`,
    ),
  );
}

/** What exists, as a mesh file: `mesh export` writes it, so export then plan shows no change (what it cannot express is left out, with a note). */
export function objectsToMeshFile(objects: readonly MeshObject[]): Partial<MeshFile> {
  const of = (kind: MeshKind) => objects.filter((o) => o.kind === kind).map((o) => ({ ...o, decl: withoutUnexpressible(o.decl) }));
  const f: Partial<MeshFile> = {};
  const ns = of('namespace')[0];
  if (ns) f.namespace = { name: ns.name, services: of('cloudMapService').map((s) => s.name) };
  const mesh = of('mesh')[0];
  if (mesh) f.mesh = { name: mesh.name, ...(mesh.decl as Omit<MeshFile['mesh'], 'name'>) };
  f.virtualNodes = of('virtualNode').map((o) => ({ name: o.name, ...(o.decl as Omit<VirtualNodeDecl, 'name'>) }));
  f.virtualRouters = of('virtualRouter').map((o) => ({
    name: o.name,
    ...(o.decl as Omit<VirtualRouterDecl, 'name' | 'routes'>),
    routes: of('route')
      .filter((r) => r.parent === o.name)
      .map((r) => ({ name: r.name, ...(r.decl as Omit<RouteDecl, 'name'>) })),
  }));
  f.virtualServices = of('virtualService').map((o) => ({ name: o.name, ...(o.decl as Omit<VirtualServiceDecl, 'name'>) }));
  const gateways = of('virtualGateway').map((gw) => ({
    name: gw.name,
    ...(gw.decl as Omit<VirtualGatewayDecl, 'name' | 'routes'>),
    routes: of('gatewayRoute')
      .filter((r) => r.parent === gw.name)
      .map((r) => ({ name: r.name, ...(r.decl as Omit<GatewayRouteDecl, 'name'>) })),
  }));
  // One gateway in the shorthand, as most meshes have; several as a list.
  if (gateways.length === 1) f.virtualGateway = gateways[0];
  if (gateways.length > 1) f.virtualGateways = gateways;
  return f;
}
