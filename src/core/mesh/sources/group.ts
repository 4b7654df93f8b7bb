// ---- Grouping resources into one description per mesh.

import { InputError } from '../../../errors.js';
import { MeshDescription, DescribedRoute, emptyMesh } from '../description.js';
import { Kind, MeshExtras, Obj } from './common.js';
import { Reader, At } from './dialects.js';
import { readEgressFilter, readNode, readRouter, readService, readListeners, readGatewayRoute, readRoute } from './specs.js';

/** One App Mesh resource of either dialect, before its mesh is known. */
export interface RawResource {
  kind: Kind;
  props: unknown;
  /** `Logical.Properties` or `address.values`: where its fields are. */
  path: string;
  nameKey: string;
  meshKey: string;
  parentKey?: string;
  /** What to note before anything else (a CloudFormation Condition). */
  preface?: string;
}

interface PendingRoute {
  desc: MeshDescription;
  router: string;
  route: DescribedRoute;
  path: string;
}

export type Described = MeshDescription & MeshExtras;

/** Reads one resource into its mesh's description; routes wait until every router is known. */
function readResource(r: Reader, raw: RawResource, props: At<Obj>, desc: Described, pending: PendingRoute[]): void {
  const name = raw.kind === 'mesh' ? desc.mesh : r.text(props.value, raw.nameKey, props.path, true);
  const parent = raw.parentKey === undefined ? undefined : r.text(props.value, raw.parentKey, props.path, true);
  if (name === undefined || (raw.parentKey !== undefined && parent === undefined)) return;
  switch (raw.kind) {
    case 'mesh': {
      const egressFilter = readEgressFilter(r, props);
      if (egressFilter) desc.egressFilter = egressFilter;
      return;
    }
    case 'virtualNode':
      return void desc.virtualNodes.push(readNode(r, props, name));
    case 'virtualRouter':
      return void desc.virtualRouters.push(readRouter(r, props, name));
    case 'virtualService':
      return void desc.virtualServices.push(readService(r, props, name));
    case 'virtualGateway':
      return void desc.virtualGateways.push({ name, listeners: readListeners(r, r.one(props.value, 'spec', props.path, true)) });
    case 'gatewayRoute':
      return void desc.gatewayRoutes.push(readGatewayRoute(r, props, name, parent!));
    case 'route': {
      const route = readRoute(r, props, name);
      if (route) pending.push({ desc, router: parent!, route, path: `${props.path}.${raw.parentKey}` });
      return;
    }
  }
}

/** A route whose router the source does not declare still says where traffic went: keep it under a router with unknown listeners. */
function attachRoutes(pending: PendingRoute[]): void {
  for (const { desc, router, route, path } of pending) {
    let found = desc.virtualRouters.find((vr) => vr.name === router);
    if (!found) {
      found = { name: router, listeners: [], routes: [] };
      desc.virtualRouters.push(found);
      desc.unresolved.push(`${path}: virtual router "${router}" is not declared here; its listeners are unknown`);
    }
    found.routes.push(route);
  }
}

export function groupByMesh(raws: RawResource[], r: Reader, source: string, file: string): MeshDescription[] {
  const meshes = new Map<string, Described>();
  const orphans: string[] = [];
  const pending: PendingRoute[] = [];
  for (const raw of raws) {
    r.notes = raw.preface ? [raw.preface] : [];
    const props = r.obj(raw.props, raw.path);
    const mesh = props && r.text(props, raw.meshKey, raw.path, true);
    const desc = mesh === undefined ? undefined : (meshes.get(mesh) ?? meshes.set(mesh, emptyMesh(mesh, source)).get(mesh)!);
    if (desc && props) readResource(r, raw, { value: props, path: raw.path }, desc, pending);
    (desc ? desc.unresolved : orphans).push(...r.notes);
  }
  attachRoutes(pending);
  if (raws.length > 0 && meshes.size === 0) {
    throw new InputError(`${file}: no App Mesh resource names a mesh meshctl can resolve: ${orphans.join('; ')}`);
  }
  // A resource whose mesh is unknown may belong to any of them: each description says it is missing.
  for (const desc of meshes.values()) desc.unresolved.push(...orphans);
  return [...meshes.values()];
}
