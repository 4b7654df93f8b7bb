// ---- meshctl's own mesh file.

import { MeshDescription, fromMeshObjects } from '../description.js';
import { MeshFile } from '../file.js';
import { meshObjects } from '../plan.js';

/** A validated mesh file in; the same mesh as a description out, whole: the objects `mesh plan` compares, every listener and route. */
export function fromMeshFile(file: MeshFile, source: string): MeshDescription {
  const desc = fromMeshObjects(file.mesh.name, `mesh file ${source}`, meshObjects(file));
  if (file.mesh.owner !== undefined) desc.owner = file.mesh.owner;
  return desc;
}
