/**
 * The mesh descriptions users kept, read into MeshDescription: meshctl's own mesh file, a CloudFormation
 * template, the JSON of `terraform show -json`; and a description back into a mesh file for `mesh import`.
 * App Mesh was discontinued on 2026-09-30, so these files are what is left to tell what a mesh looked like.
 */
import { APP_MESH_NAME } from '../description.js';
import type { MeshFile } from '../file.js';

// MeshDescription has no field for these, but the mesh file needs them to say the same thing again. The
// sources here set them on the objects they build; descriptionToMeshFile reads them where present and says so where not.
export type EgressFilter = MeshFile['mesh']['egressFilter'];
export type MeshExtras = { egressFilter?: EgressFilter };
export type RouteExtras = { prefix?: string };
export type GatewayRouteExtras = { rewritePrefix?: boolean };

export type Obj = Record<string, unknown>;
export type Kind = 'mesh' | 'virtualNode' | 'virtualService' | 'virtualRouter' | 'route' | 'virtualGateway' | 'gatewayRoute';

export const PORTS = { min: 1, max: 65535 };
export const WEIGHTS = { min: 0, max: 100 };
/** The names validateMeshFile accepts (mesh-file.ts keeps its pattern to itself). */
const NAME = APP_MESH_NAME;
/** How deep intrinsic functions may nest, and Terraform modules, before meshctl stops following them. */
export const MAX_DEPTH = 16;

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
export const own = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
export const isName = (v: string): boolean => NAME.test(v);

/** A value as a message shows it: scalars as JSON (shortened), containers by kind. */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (isObj(v)) return 'an object';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
