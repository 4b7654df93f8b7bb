// ---- Grouping resources into one description per mesh.

import { InputError } from '../../../errors.js';
import { MeshDescription, fromMeshObjects } from '../description.js';
import { fromAwsSpec } from '../aws-spec.js';
import type { MeshObject } from '../plan.js';
import { Kind, Obj } from './common.js';
import { Reader, At } from './dialects.js';
import { readSpec } from './specs.js';

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

interface MeshRead {
  objects: MeshObject[];
  notes: string[];
  /** Resources left out: their name or parent could not be resolved. */
  dropped: string[];
  /** The account that owns the mesh, when it is shared with the one that declares these resources. */
  owner?: string;
}

/** A shared mesh's owner: CloudFormation's MeshOwner; Terraform's mesh_owner where it is not the resource's own account. */
function ownerOf(r: Reader, raw: RawResource, props: At<Obj>): string | undefined {
  const owner = r.text(props.value, r.isTerraform ? 'mesh_owner' : 'MeshOwner', props.path, false);
  const own = r.isTerraform ? r.text(props.value, 'resource_owner', props.path, false) : undefined;
  return owner !== undefined && owner !== own && raw.kind !== 'mesh' ? owner : undefined;
}

/** The words for a resource left out: its kind and where it is (`virtual node ColorNode`, `virtual node aws_appmesh_virtual_node.x`). */
const droppedName = (raw: RawResource) =>
  `${raw.kind.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} ${raw.path.replace(/\.(Properties|values)$/, '')}`;

/** Reads one resource into its mesh's objects, in the file's terms, through App Mesh's own spec shape. */
function readResource(r: Reader, raw: RawResource, props: At<Obj>, mesh: string, read: MeshRead): void {
  const name = raw.kind === 'mesh' ? mesh : r.text(props.value, raw.nameKey, props.path, true);
  const parent = raw.parentKey === undefined ? undefined : r.text(props.value, raw.parentKey, props.path, true);
  if (name === undefined || (raw.parentKey !== undefined && parent === undefined)) return void read.dropped.push(droppedName(raw));
  read.owner ??= ownerOf(r, raw, props);
  const spec = readSpec(r, raw.kind, props);
  const decl = fromAwsSpec(raw.kind, spec) as Obj;
  read.objects.push({ kind: raw.kind, name, ...(parent !== undefined ? { parent } : {}), decl });
}

/** Problems a message lists before it counts the rest. */
const SHOWN = 20;

export function groupByMesh(raws: RawResource[], r: Reader, source: string, file: string): MeshDescription[] {
  const meshes = new Map<string, MeshRead>();
  const orphans: string[] = [];
  const orphaned: string[] = [];
  for (const raw of raws) {
    r.notes = raw.preface ? [raw.preface] : [];
    const props = r.obj(raw.props, raw.path);
    const mesh = props && r.text(props, raw.meshKey, raw.path, true);
    const read =
      mesh === undefined ? undefined : (meshes.get(mesh) ?? meshes.set(mesh, { objects: [], notes: [], dropped: [] }).get(mesh)!);
    if (read && props) readResource(r, raw, { value: props, path: raw.path }, mesh!, read);
    else if (raw.kind !== 'mesh') orphaned.push(droppedName(raw));
    // One at a time: a spread of 180,000 notes overflows the stack.
    const into = read ? read.notes : orphans;
    for (const n of r.notes) into.push(n);
  }
  if (raws.length > 0 && meshes.size === 0) {
    const more = orphans.length > SHOWN ? `; and ${orphans.length - SHOWN} more` : '';
    throw new InputError(`${file}: no App Mesh resource names a mesh meshctl can resolve: ${orphans.slice(0, SHOWN).join('; ')}${more}`);
  }
  return [...meshes.entries()].map(([mesh, read]) => {
    // A source without the mesh resource itself (it lives in another stack) still describes the mesh's objects.
    const desc = fromMeshObjects(mesh, source, read.objects);
    if (read.owner !== undefined) desc.owner = read.owner;
    // A resource whose mesh is unknown may belong to any of them: each description says it is missing.
    desc.unresolved = [...read.notes, ...desc.unresolved];
    for (const n of orphans) desc.unresolved.push(n);
    const dropped = [...read.dropped, ...orphaned];
    if (dropped.length) desc.dropped = dropped;
    return desc;
  });
}
