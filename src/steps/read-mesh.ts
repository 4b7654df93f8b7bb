import { fromMeshObjects, type MeshDescription } from '../core/mesh/description.js';
import { isServiceGone } from '../aws/aws-error.js';
import { AwsCallError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { readActual } from './mesh.js';

/**
 * Reads one mesh from App Mesh into the source-neutral description: the same objects `mesh plan`, `apply` and
 * `export` read (readActual, with its one rule for a kind the endpoint does not offer), described. A mesh App
 * Mesh does not have is NotFound, as any named thing AWS does not have. Throws what App Mesh throws.
 */
export async function readMeshFromAppMesh(ctx: Context, mesh: string): Promise<MeshDescription> {
  const notes: string[] = [];
  const objects = await readActual(ctx, mesh, undefined, notes);
  if (!objects.some((o) => o.kind === 'mesh')) {
    // DescribeMesh said "not found", as a gone App Mesh's bare 404 also says: listing tells the two apart (a
    // real App Mesh answers NotFoundException, thrown; a gone one what isServiceGone knows).
    await (await ctx.aws.meshResources()).list('virtualNode', mesh);
    throw new AwsCallError('DescribeMesh', 'NotFoundException', 404, `mesh "${mesh}" does not exist`, 'check the mesh name and the region');
  }
  const desc = fromMeshObjects(mesh, 'App Mesh', objects);
  desc.unresolved.push(...notes);
  return desc;
}

/** What reading App Mesh gave: the meshes it answered for, and one line when it could not be read. */
export interface AppMeshReading {
  meshes: MeshDescription[];
  /** What App Mesh answered but could not tell (an operation an emulator lacks). */
  notes: string[];
  unreachable?: string;
}

/**
 * Reads each mesh while App Mesh answers; at the first sign that it is gone, stops asking and says so
 * once. The plan is then built from what still exists (task definitions, Cloud Map, load balancers,
 * Route 53) and any mesh description the user gave.
 */
export async function readAppMesh(ctx: Context, meshes: readonly string[]): Promise<AppMeshReading> {
  const out: MeshDescription[] = [];
  const notes: string[] = [];
  for (const mesh of meshes) {
    try {
      const desc = await readMeshFromAppMesh(ctx, mesh);
      notes.push(...desc.unresolved.map((n) => `mesh ${mesh}: ${n}`));
      out.push({ ...desc, unresolved: [] });
    } catch (err) {
      if (!isServiceGone(err)) throw err;
      return {
        meshes: out,
        notes,
        unreachable: `App Mesh could not be read (${err.operation}: ${err.errorName}${err.httpStatus ? `, HTTP ${err.httpStatus}` : ''})`,
      };
    }
  }
  return { meshes: out, notes };
}
