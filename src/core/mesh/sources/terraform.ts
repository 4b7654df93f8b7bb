// ---- Terraform state.

import { InputError } from '../../../errors.js';
import { MeshDescription } from '../description.js';
import { isObj, MAX_DEPTH, shown } from './common.js';
import { kindOf, KINDS, Reader } from './dialects.js';
import { RawResource, groupByMesh } from './group.js';

function tfResource(resource: unknown): RawResource[] {
  const kind = isObj(resource) ? kindOf(resource.type, 'tf') : undefined;
  // A data source reads an object some other configuration manages; that one describes it.
  if (!kind || !isObj(resource) || resource.mode === 'data') return [];
  const address = typeof resource.address === 'string' ? resource.address : `${String(resource.type)}.${String(resource.name)}`;
  const meshKey = kind === 'mesh' ? 'name' : 'mesh_name';
  const raw: RawResource = { kind, props: resource.values, path: `${address}.values`, nameKey: 'name', meshKey };
  const parent = KINDS[kind].tfParent;
  if (parent) raw.parentKey = parent;
  return [raw];
}

/** Every resource of a module and its child modules, depth first. */
function tfModuleResources(module: unknown, path: string, file: string, depth: number): unknown[] {
  if (depth > MAX_DEPTH) throw new InputError(`${file}: ${path}: modules nested more than ${MAX_DEPTH} deep`);
  if (!isObj(module)) throw new InputError(`${file}: ${path} must be an object, found ${shown(module)}`);
  const listAt = (key: string): unknown[] => {
    const v = module[key];
    if (v !== undefined && v !== null && !Array.isArray(v)) {
      throw new InputError(`${file}: ${path}.${key} must be a list, found ${shown(v)}`);
    }
    return v ?? [];
  };
  const children = listAt('child_modules').flatMap((child, i) => tfModuleResources(child, `${path}.child_modules[${i}]`, file, depth + 1));
  return [...listAt('resources'), ...children];
}

/**
 * The JSON of `terraform show -json` (a state) in; one description per mesh its aws_appmesh_* resources
 * name out, [] when it has none. Resources of child modules count; data sources do not.
 */
export function fromTerraformState(state: unknown, file: string): MeshDescription[] {
  if (!isObj(state)) throw new InputError(`${file}: expected the JSON of \`terraform show -json\` (an object), found ${shown(state)}`);
  if (!isObj(state.values)) {
    const expected = "expected `terraform show -json` of a state that has resources (a plan's JSON has planned_values)";
    throw new InputError(`${file}: has no "values" object; ${expected}`);
  }
  const resources = tfModuleResources(state.values.root_module, 'values.root_module', file, 0);
  const reader = new Reader(1, (v) => ({ value: v }));
  return groupByMesh(resources.flatMap(tfResource), reader, `Terraform state ${file}`, file);
}
