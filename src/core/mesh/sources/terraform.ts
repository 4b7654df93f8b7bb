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

/**
 * How much of a state meshctl reads: App Mesh's own quotas keep a real mesh far below this, and a state of
 * hundreds of thousands of resources is walked without recursion, so only the count can stop it.
 */
export const TF_LIMITS = { resources: 200_000, depth: MAX_DEPTH };

/** Every resource of a module and its child modules, in document order (a loop, not recursion: a state can be huge). */
function tfModuleResources(root: unknown, rootPath: string, file: string): unknown[] {
  const out: unknown[] = [];
  const todo: { module: unknown; path: string; depth: number }[] = [{ module: root, path: rootPath, depth: 0 }];
  while (todo.length > 0) {
    const { module, path, depth } = todo.pop()!;
    if (depth > TF_LIMITS.depth) throw new InputError(`${file}: ${path}: modules nested more than ${TF_LIMITS.depth} deep`);
    if (!isObj(module)) throw new InputError(`${file}: ${path} must be an object, found ${shown(module)}`);
    const listAt = (key: string): unknown[] => {
      const v = module[key];
      if (v !== undefined && v !== null && !Array.isArray(v)) {
        throw new InputError(`${file}: ${path}.${key} must be a list, found ${shown(v)}`);
      }
      return v ?? [];
    };
    const resources = listAt('resources');
    if (out.length + resources.length > TF_LIMITS.resources) {
      const limit = `meshctl reads at most ${TF_LIMITS.resources} resources of a state`;
      throw new InputError(
        `${file}: ${path}: more than ${TF_LIMITS.resources} resources; ${limit}: pass the state of the configuration that holds the mesh`,
      );
    }
    for (const r of resources) out.push(r);
    const children = listAt('child_modules');
    // Pushed in reverse, so the first child is read first.
    for (let i = children.length - 1; i >= 0; i--)
      todo.push({ module: children[i], path: `${path}.child_modules[${i}]`, depth: depth + 1 });
  }
  return out;
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
  const resources = tfModuleResources(state.values.root_module, 'values.root_module', file);
  const reader = new Reader(1, (v) => ({ value: v }));
  return groupByMesh(resources.flatMap(tfResource), reader, `Terraform state ${file}`, file);
}
