import type { AppMeshKind } from '../aws/mesh-resources.js';
import { type MeshFile } from '../core/mesh/file.js';
import { validateMeshFile } from '../core/mesh/validate.js';
import { planMesh, unexpressibleNotes, type MeshAction, type MeshObject } from '../core/mesh/plan.js';
import { fromAwsSpec, toAwsSpec } from '../core/mesh/aws-spec.js';
import { pollUntil } from '../core/poll.js';
import { AwsCallError, CheckFailedError, InputError, MeshctlError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { readTextFile } from '../runtime/files.js';
import { loadYaml, parseYaml } from '../runtime/yaml.js';

// migrate-cluster reads its sources' YAML through this module.
export { loadYaml };

/** Reads a mesh file: YAML or JSON (JSON is YAML), validated, errors naming the path in the file. */
export async function readMeshFile(path: string): Promise<MeshFile> {
  const text = await readTextFile(path, 'the mesh file');
  // yaml loads only for the mesh commands: it would cost every start.
  return validateMeshFile(await parseYaml(text, path, 'YAML or JSON'), path);
}

type Listable = Exclude<AppMeshKind, 'mesh'>;

/**
 * What exists of the mesh (and the Cloud Map namespace), in the file's terms. A kind the API cannot
 * list (moto has no virtual services, gateways or gateway routes) is read as none, with a note.
 */
export async function readActual(
  ctx: Context,
  meshName: string,
  namespaceName: string | undefined,
  notes: string[],
): Promise<MeshObject[]> {
  const objects: MeshObject[] = [];
  if (namespaceName) {
    const sd = await ctx.aws.serviceDiscovery();
    const ns = await sd.findNamespace(namespaceName);
    if (ns) {
      objects.push({ kind: 'namespace', name: ns.name, decl: {} });
      for (const s of await sd.listServices(ns.id)) objects.push({ kind: 'cloudMapService', name: s.name, parent: ns.name, decl: {} });
    }
  }
  const res = await ctx.aws.meshResources();
  const mesh = await res.describe('mesh', meshName, meshName);
  if (!mesh) return objects;
  objects.push({ kind: 'mesh', name: meshName, decl: fromAwsSpec('mesh', mesh.spec) });
  const listAll = async (kind: Listable, parent?: string): Promise<string[]> => {
    try {
      return await res.list(kind, meshName, parent);
    } catch (err) {
      if (err instanceof AwsCallError && err.errorName === 'NotImplemented') {
        notes.push(`could not list ${kind}s (${err.operation} is not available here): they were read as none`);
        return [];
      }
      throw err;
    }
  };
  const read = async (kind: Listable, parent?: string) => {
    for (const name of await listAll(kind, parent)) {
      const found = await res.describe(kind, meshName, name, parent);
      if (found) objects.push({ kind, name, ...(parent ? { parent } : {}), decl: fromAwsSpec(kind, found.spec) });
    }
  };
  await read('virtualNode');
  await read('virtualRouter');
  for (const r of objects.filter((o) => o.kind === 'virtualRouter')) await read('route', r.name);
  await read('virtualService');
  await read('virtualGateway');
  for (const g of objects.filter((o) => o.kind === 'virtualGateway')) await read('gatewayRoute', g.name);
  notes.push(...unexpressibleNotes(objects));
  return objects;
}

export interface ActionRecord extends MeshAction {
  status: 'planned' | 'done' | 'failed' | 'not done' | 'unchanged';
  error?: string;
}

async function execute(
  ctx: Context,
  file: Partial<MeshFile>,
  meshName: string,
  a: MeshAction,
  namespaceIds: Map<string, string>,
): Promise<void> {
  const sd = () => ctx.aws.serviceDiscovery();
  const namespaceId = async (name: string) => {
    if (!namespaceIds.has(name)) {
      const ns = await (await sd()).findNamespace(name);
      // Named by the file, not there in AWS: exit 3, as for any named thing AWS does not have.
      if (!ns)
        throw new AwsCallError(
          'ListNamespaces',
          'NamespaceNotFound',
          404,
          `Cloud Map namespace "${name}" does not exist`,
          'declare it in the file (namespace, with its vpc) or create it',
        );
      namespaceIds.set(name, ns.id);
    }
    return namespaceIds.get(name)!;
  };
  if (a.kind === 'namespace') {
    if (a.action === 'delete') return (await sd()).deleteNamespace(await namespaceId(a.name));
    if (a.action !== 'create') return;
    if (!file.namespace?.vpc) throw new InputError(`namespace.vpc is needed to create the Cloud Map namespace "${a.name}"`);
    const api = await sd();
    const operation = await api.createPrivateDnsNamespace(a.name, file.namespace.vpc);
    namespaceIds.set(a.name, await waitForNamespace(ctx, operation, a.name));
    return;
  }
  if (a.kind === 'cloudMapService') {
    const api = await sd();
    const nsId = await namespaceId(a.parent!);
    if (a.action === 'create') await api.createService(a.name, nsId);
    if (a.action === 'delete') {
      const svc = (await api.listServices(nsId)).find((s) => s.name === a.name);
      if (svc) await api.deleteService(svc.id);
    }
    return;
  }
  const res = await ctx.aws.meshResources();
  const kind = a.kind as AppMeshKind;
  if (a.action === 'delete') return res.delete(kind, meshName, a.name, a.parent);
  const spec = toAwsSpec(kind, a.decl);
  if (a.action === 'create') return res.create(kind, meshName, a.name, spec, a.parent);
  if (a.action === 'update') return res.update(kind, meshName, a.name, spec, a.parent);
}

export const label = (a: MeshObject) => `${a.kind} ${a.parent ? `${a.parent}/` : ''}${a.name}`;

export async function planFor(ctx: Context, path: string, prune: boolean) {
  const file = await readMeshFile(path);
  const notes: string[] = [];
  const actual = await readActual(ctx, file.mesh.name, file.namespace?.name, notes);
  return { file, notes, actual, actions: planMesh(file, actual, { prune }) };
}

/** Runs the actions in order; stops at the first failure, saying what was done and what was not. */
export async function applyActions(
  ctx: Context,
  file: Partial<MeshFile>,
  meshName: string,
  actions: MeshAction[],
): Promise<{ records: ActionRecord[]; failure?: MeshctlError }> {
  const records: ActionRecord[] = actions.map((a) => ({ ...a, status: a.action === 'unchanged' ? 'unchanged' : 'not done' }));
  const namespaceIds = new Map<string, string>();
  for (const r of records) {
    if (r.action === 'unchanged') continue;
    try {
      ctx.checkpoint();
      await execute(ctx, file, meshName, r, namespaceIds);
      r.status = 'done';
      ctx.ui.step(label(r), 'ok', r.action);
    } catch (err) {
      if (!(err instanceof MeshctlError)) throw err;
      r.status = 'failed';
      r.error = err.message;
      ctx.ui.step(label(r), 'fail', err.message);
      return { records, failure: err };
    }
  }
  return { records };
}

/** Cloud Map creates a namespace asynchronously: waits for its operation, with the clock and signal every wait has. */
export async function waitForNamespace(ctx: Context, operationId: string, name: string): Promise<string> {
  const sd = await ctx.aws.serviceDiscovery();
  const done = await pollUntil(
    async () => {
      const op = await sd.getOperation(operationId);
      if (op.status === 'FAIL')
        throw new CheckFailedError(`creating Cloud Map namespace "${name}" failed: ${op.error ?? 'no reason given'}`);
      return op.status === 'SUCCESS' ? op : undefined;
    },
    {
      timeoutMs: 120_000,
      intervalMs: 5000,
      signal: ctx.signal,
      timeoutMessage: () => `Cloud Map namespace "${name}" was not created within 2 minutes; run the same command again`,
    },
    ctx.clock,
  );
  return done.namespaceId ?? (await sd.findNamespace(name))!.id;
}
