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
  /** The account that owns the mesh, when it is shared with the one that declares these resources. */
  owner?: string;
}

/** A shared mesh's owner: CloudFormation's MeshOwner; Terraform's mesh_owner where it is not the resource's own account. */
function ownerOf(r: Reader, raw: RawResource, props: At<Obj>): string | undefined {
  const owner = r.text(props.value, r.isTerraform ? 'mesh_owner' : 'MeshOwner', props.path, false);
  const own = r.isTerraform ? r.text(props.value, 'resource_owner', props.path, false) : undefined;
  return owner !== undefined && owner !== own && raw.kind !== 'mesh' ? owner : undefined;
}

/** Reads one resource into its mesh's objects, in the file's terms, through App Mesh's own spec shape. */
function readResource(r: Reader, raw: RawResource, props: At<Obj>, mesh: string, read: MeshRead): void {
  const name = raw.kind === 'mesh' ? mesh : r.text(props.value, raw.nameKey, props.path, true);
  const parent = raw.parentKey === undefined ? undefined : r.text(props.value, raw.parentKey, props.path, true);
  if (name === undefined || (raw.parentKey !== undefined && parent === undefined)) return;
  read.owner ??= ownerOf(r, raw, props);
  const spec = readSpec(r, raw.kind, props);
  const decl = fromAwsSpec(raw.kind, spec) as Obj;
  read.objects.push({ kind: raw.kind, name, ...(parent !== undefined ? { parent } : {}), decl });
}

export function groupByMesh(raws: RawResource[], r: Reader, source: string, file: string): MeshDescription[] {
  const meshes = new Map<string, MeshRead>();
  const orphans: string[] = [];
  for (const raw of raws) {
    r.notes = raw.preface ? [raw.preface] : [];
    const props = r.obj(raw.props, raw.path);
    const mesh = props && r.text(props, raw.meshKey, raw.path, true);
    const read = mesh === undefined ? undefined : (meshes.get(mesh) ?? meshes.set(mesh, { objects: [], notes: [] }).get(mesh)!);
    if (read && props) readResource(r, raw, { value: props, path: raw.path }, mesh!, read);
    (read ? read.notes : orphans).push(...r.notes);
  }
  if (raws.length > 0 && meshes.size === 0) {
    throw new InputError(`${file}: no App Mesh resource names a mesh meshctl can resolve: ${orphans.join('; ')}`);
  }
  return [...meshes.entries()].map(([mesh, read]) => {
    // A source without the mesh resource itself (it lives in another stack) still describes the mesh's objects.
    const desc = fromMeshObjects(mesh, source, read.objects);
    if (read.owner !== undefined) desc.owner = read.owner;
    // A resource whose mesh is unknown may belong to any of them: each description says it is missing.
    desc.unresolved.unshift(...read.notes);
    desc.unresolved.push(...orphans);
    return desc;
  });
}
